import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { copyIntoLayer, ensureDir } from './copy.js'
import { mergedView } from './merged-view.js'
import { dockerignore } from './patterns.js'

const root = process.getuid?.() === 0

describe('merged view and COPY into a layer', () => {
  let dir: string
  let ctx: string
  let lower: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kl-copy-'))
    ctx = join(dir, 'ctx')
    lower = join(dir, 'lower')
    await mkdir(join(ctx, 'src/lib'), { recursive: true })
    await writeFile(join(ctx, 'src/a.js'), 'a')
    await writeFile(join(ctx, 'src/b.js'), 'b')
    await writeFile(join(ctx, 'src/lib/c.js'), 'c')
    await writeFile(join(ctx, 'src/debug.log'), 'log')
    await writeFile(join(ctx, 'README'), 'readme')
    await mkdir(join(ctx, 'tarball/pkg'), { recursive: true })
    await writeFile(join(ctx, 'tarball/pkg/inside.txt'), 'inside')
    execFileSync('tar', ['-czf', join(ctx, 'pkg.tar.gz'), '-C', join(ctx, 'tarball'), 'pkg'])
    // A lower layer with a symlinked directory (like /bin → usr/bin) and a deleted file.
    await mkdir(join(lower, 'usr/bin'), { recursive: true })
    await mkdir(join(lower, 'etc'), { recursive: true })
    await symlink('usr/bin', join(lower, 'bin'))
    await writeFile(join(lower, 'etc/keep'), 'k')
  })
  after(() => rm(dir, { recursive: true, force: true }))

  async function freshUpper(name: string) {
    const upper = join(dir, name)
    await mkdir(upper)
    return { upper, view: mergedView([upper, lower], { hostBase: false }) }
  }

  it('copies files, directory contents and globs; a trailing / makes a directory', async () => {
    const { upper, view } = await freshUpper('u1')
    const from = mergedView([ctx], { hostBase: false })
    const base = { from, upper, view, owner: { uid: 0, gid: 0 } }
    await copyIntoLayer({ ...base, sources: ['README'], dest: '/app/readme.txt' })
    await copyIntoLayer({ ...base, sources: ['src'], dest: '/app/src', ignore: dockerignore('*/*.log') })
    await copyIntoLayer({ ...base, sources: ['src/*.js'], dest: '/app/flat/' })
    assert.equal(await readFile(join(upper, 'app/readme.txt'), 'utf8'), 'readme')
    assert.equal(await readFile(join(upper, 'app/src/lib/c.js'), 'utf8'), 'c')
    await assert.rejects(stat(join(upper, 'app/src/debug.log')), /ENOENT/) // .dockerignore
    assert.equal(await readFile(join(upper, 'app/flat/b.js'), 'utf8'), 'b')
    await assert.rejects(copyIntoLayer({ ...base, sources: ['README', 'src/a.js'], dest: '/app/x' }), /must be a directory and end with a \//)
    await assert.rejects(copyIntoLayer({ ...base, sources: ['nope'], dest: '/app/' }), /"\/nope": not found/)
  })

  it('resolves destination parents through symlinks below and keeps their modes', async () => {
    const { upper, view } = await freshUpper('u2')
    await copyIntoLayer({ from: mergedView([ctx], { hostBase: false }), upper, view, owner: { uid: 0, gid: 0 }, sources: ['src/a.js'], dest: '/bin/tool', chmod: 0o755 })
    assert.equal(await readFile(join(upper, 'usr/bin/tool'), 'utf8'), 'a')
    assert.equal((await stat(join(upper, 'usr/bin/tool'))).mode & 0o777, 0o755)
    await assert.rejects(lstat(join(upper, 'bin')), /ENOENT/) // the symlink below is not shadowed
    assert.equal(await ensureDir({ upper, view }, '/bin/sub'), '/usr/bin/sub')
  })

  it('ADD unpacks a local tar archive', async () => {
    const { upper, view } = await freshUpper('u3')
    await copyIntoLayer({ from: mergedView([ctx], { hostBase: false }), upper, view, owner: { uid: 0, gid: 0 }, sources: ['pkg.tar.gz'], dest: '/opt/', extractArchives: true })
    assert.equal(await readFile(join(upper, 'opt/pkg/inside.txt'), 'utf8'), 'inside')
  })

  it('sees overlay whiteouts (char 0/0) as deletes in lower layers', { skip: root ? false : 'mknod needs root' }, async () => {
    const { upper, view } = await freshUpper('u4')
    await mkdir(join(upper, 'etc'))
    execFileSync('mknod', [join(upper, 'etc/keep'), 'c', '0', '0'])
    assert.equal(await view.lookup('/etc/keep'), undefined)
    assert.deepEqual(await view.readdir('/etc'), [])
    assert.equal((await mergedView([lower], { hostBase: false }).lookup('/etc/keep'))?.stat.isFile(), true)
    // Writing over a whiteout replaces it.
    await copyIntoLayer({ from: mergedView([ctx], { hostBase: false }), upper, view, owner: { uid: 0, gid: 0 }, sources: ['README'], dest: '/etc/keep' })
    assert.equal(await readFile(join(upper, 'etc/keep'), 'utf8'), 'readme')
  })

  it('--chown sets owners as root; --from preserves them', { skip: root ? false : 'chown needs root' }, async () => {
    const { upper, view } = await freshUpper('u5')
    const from = mergedView([ctx], { hostBase: false })
    await copyIntoLayer({ from, upper, view, owner: { uid: 1000, gid: 1001 }, sources: ['README'], dest: '/home/app/' })
    const st = await stat(join(upper, 'home/app/README'))
    assert.deepEqual([st.uid, st.gid], [1000, 1001])
    await copyIntoLayer({ from: view, upper, view, owner: 'preserve', sources: ['/home/app/README'], dest: '/copy' })
    const st2 = await stat(join(upper, 'copy'))
    assert.deepEqual([st2.uid, st2.gid], [1000, 1001])
    assert.equal(await readlink(join(lower, 'bin')), 'usr/bin')
  })
})

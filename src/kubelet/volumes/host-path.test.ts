import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkHostPathType } from './host-path.js'

describe('hostPath types', () => {
  let root: string
  let server: Server
  let sock: string
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kl-hostpath-'))
    await mkdir(join(root, 'dir'))
    await writeFile(join(root, 'file'), 'x')
    sock = join(root, 'app.sock')
    server = createServer()
    await new Promise<void>((resolve) => server.listen(sock, resolve))
  })
  after(async () => {
    await new Promise((resolve) => server.close(resolve))
    await rm(root, { recursive: true, force: true })
  })
  const p = (name: string) => join(root, name)

  it('accepts what matches', async () => {
    await checkHostPathType(p('dir'), 'Directory')
    await checkHostPathType(p('file'), 'File')
    await checkHostPathType(sock, 'Socket')
    await checkHostPathType('/dev/null', 'CharDevice')
    await checkHostPathType(p('anything-missing'), '')
    await checkHostPathType(p('anything-missing'), undefined)
  })

  it('creates for DirectoryOrCreate and FileOrCreate, and checks what is already there', async () => {
    await checkHostPathType(p('made/deep'), 'DirectoryOrCreate')
    assert.ok((await stat(p('made/deep'))).isDirectory())
    assert.equal((await stat(p('made/deep'))).mode & 0o777, 0o755 & ~process.umask())
    await checkHostPathType(p('made/new.txt'), 'FileOrCreate')
    assert.ok((await stat(p('made/new.txt'))).isFile())
    await assert.rejects(checkHostPathType(p('file'), 'DirectoryOrCreate'),
      { message: `hostPath type check failed: ${p('file')} is not a directory, it's a File` })
    await assert.rejects(checkHostPathType(p('dir'), 'FileOrCreate'),
      { message: `hostPath type check failed: ${p('dir')} is not a file, it's a Directory` })
    await assert.rejects(checkHostPathType(p('no-parent/x'), 'FileOrCreate'), { code: 'ENOENT' })
  })

  it('refuses mismatches and missing paths with upstream messages', async () => {
    const cases: [string, string, string][] = [
      [p('missing'), 'Directory', `hostPath ${p('missing')} doesn't exist`],
      [p('missing'), 'File', `hostPath ${p('missing')} doesn't exist`],
      [p('file'), 'Directory', `hostPath type check failed: ${p('file')} is not a directory, it's a File`],
      [p('dir'), 'File', `hostPath type check failed: ${p('dir')} is not a file, it's a Directory`],
      [p('file'), 'Socket', `hostPath type check failed: ${p('file')} is not a socket file, it's a File`],
      [p('file'), 'CharDevice', `hostPath type check failed: ${p('file')} is not a character device, it's a File`],
      ['/dev/null', 'BlockDevice', "hostPath type check failed: /dev/null is not a block device, it's a CharDevice"],
      [p('dir'), 'Pipe', 'Pipe is an invalid volume type'],
    ]
    for (const [path, type, message] of cases) await assert.rejects(checkHostPathType(path, type), { message }, `${type} ${path}`)
  })

  it('accepts a block device when the machine has one', async (t) => {
    const dev = (await readdir('/dev').catch(() => [])).map((n) => `/dev/${n}`)
    let block: string | undefined
    for (const d of dev) if (!block && (await stat(d).catch(() => undefined))?.isBlockDevice()) block = d
    if (!block) return t.skip('no block device under /dev on this machine')
    await checkHostPathType(block, 'BlockDevice')
  })
})

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { validatePayloadPath, writeAtomically, type Payload } from './atomic-writer.js'

const text = (entries: Record<string, string>, mode = 0o644): Payload =>
  new Map(Object.entries(entries).map(([k, v]) => [k, { data: Buffer.from(v), mode }]))

describe('atomic writer', () => {
  let root: string
  let n = 0
  const freshDir = async () => {
    const dir = join(root, `vol-${n++}`)
    await mkdir(dir)
    return dir
  }
  before(async () => { root = await mkdtemp(join(tmpdir(), 'kl-atomic-')) })
  after(() => rm(root, { recursive: true, force: true }))

  it('writes upstream’s layout: a timestamped dir, ..data, and visible links through ..data', async () => {
    const dir = await freshDir()
    const changed = await writeAtomically(dir, text({ 'game.properties': 'lives=3', 'nested/ui.properties': 'color=red' }),
      { nowMs: Date.UTC(2024, 0, 2, 15, 4, 5) })
    assert.equal(changed, true)
    const ts = await readlink(join(dir, '..data'))
    assert.match(ts, /^\.\.2024_01_02_15_04_05\.\d+$/)
    assert.equal(await readlink(join(dir, 'game.properties')), '..data/game.properties')
    assert.equal(await readlink(join(dir, 'nested')), '..data/nested')
    assert.equal(await readFile(join(dir, 'nested/ui.properties'), 'utf8'), 'color=red')
    assert.deepEqual((await readdir(dir)).sort(), ['..data', ts, 'game.properties', 'nested'].sort())
    assert.equal((await stat(join(dir, ts))).mode & 0o777, 0o755)
  })

  it('leaves an unchanged payload alone and swaps on a change, keeping only the previous dir and dropping removed keys', async () => {
    const dir = await freshDir()
    await writeAtomically(dir, text({ a: '1', b: '2' }))
    const first = await readlink(join(dir, '..data'))
    assert.equal(await writeAtomically(dir, text({ a: '1', b: '2' })), false)
    assert.equal(await readlink(join(dir, '..data')), first)
    assert.equal(await writeAtomically(dir, text({ a: '1', c: '3' })), true)
    const second = await readlink(join(dir, '..data'))
    assert.notEqual(second, first)
    assert.deepEqual((await readdir(dir)).sort(), ['..data', first, second, 'a', 'c'].sort())
    assert.equal(await readFile(join(dir, 'c'), 'utf8'), '3')
    assert.equal(await writeAtomically(dir, text({ a: '2' })), true)
    const third = await readlink(join(dir, '..data'))
    assert.deepEqual((await readdir(dir)).sort(), ['..data', second, third, 'a'].sort())
  })

  it('honours modes regardless of the umask, and rewrites when only a mode changes', async () => {
    const dir = await freshDir()
    const old = process.umask(0o077)
    try {
      await writeAtomically(dir, new Map([['k', { data: Buffer.from('v'), mode: 0o640 }], ['x', { data: Buffer.from('y'), mode: 0o400 }]]))
      assert.equal((await stat(join(dir, 'k'))).mode & 0o777, 0o640)
      assert.equal((await stat(join(dir, 'x'))).mode & 0o777, 0o400)
      assert.equal(await writeAtomically(dir, new Map([['k', { data: Buffer.from('v'), mode: 0o644 }], ['x', { data: Buffer.from('y'), mode: 0o400 }]])), true)
      assert.equal((await stat(join(dir, 'k'))).mode & 0o777, 0o644)
    } finally {
      process.umask(old)
    }
  })

  it('rejects paths as upstream does', () => {
    const bad: [string, string][] = [
      ['', 'invalid path: must not be empty: ""'],
      ['/etc/passwd', 'invalid path: must be relative path: /etc/passwd'],
      ['a/../../b', "invalid path: must not contain '..': a/../../b"],
      ['..data', "invalid path: must not start with '..': ..data"],
      ['x'.repeat(256), 'invalid path: filenames must be less than or equal to 255 characters'],
    ]
    for (const [p, message] of bad) assert.throws(() => validatePayloadPath(p), { message })
    validatePayloadPath('a..b/c')
  })

  it('a reader that keeps reading through the visible path sees the old or the new file, never a mix or nothing', async () => {
    const dir = await freshDir()
    const size = 256 * 1024
    const version = (i: number) => ({ 'big.txt': String(i % 10).repeat(size), 'small.txt': `v${i}` })
    await writeAtomically(dir, text(version(0)))
    // A separate process, so reads truly run during the writer's renames.
    const reader = spawn(process.execPath, ['-e', `
      const fs = require('node:fs'); const p = process.argv[1]; let reads = 0, bad = 0, seen = new Set()
      const end = Date.now() + 1500
      while (Date.now() < end) {
        try {
          const s = fs.readFileSync(p, 'utf8'); reads++; seen.add(s[0])
          if (s.length !== ${size} || s !== s[0].repeat(${size})) bad++
        } catch (e) { bad++ }
      }
      console.log(JSON.stringify({ reads, bad, versions: seen.size }))
    `, join(dir, 'big.txt')], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    reader.stdout.on('data', (d) => { out += d })
    const done = new Promise((resolve) => reader.on('close', resolve))
    try {
      let i = 1
      const stopAt = Date.now() + 1200
      while (Date.now() < stopAt) await writeAtomically(dir, text(version(i++)))
      await done
    } finally {
      reader.kill('SIGKILL')
    }
    const result = JSON.parse(out) as { reads: number; bad: number; versions: number }
    assert.equal(result.bad, 0)
    assert.ok(result.reads > 10 && result.versions > 1, `the reader saw updates: ${out}`)
    assert.equal((await readdir(dir)).filter((f) => f.startsWith('..2')).length, 2, 'versions older than the previous one are removed')
  })
})

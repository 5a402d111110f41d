// Opening backends from storage URLs.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { openStorage } from './open.js'

it('opens memory: and sqlite: stores, creating the parent directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kl-open-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const mem = await openStorage('memory:')
  await mem.create('/registry/a', new Uint8Array([1]))
  assert.equal(await mem.count('/registry/'), 1)
  await mem.close()
  const file = join(dir, 'nested', 'dir', 'kubelite.db')
  const db = await openStorage(`sqlite:${file}`)
  t.after(() => db.close())
  await db.create('/registry/a', new Uint8Array([1]))
  assert.ok(existsSync(file))
})

it('explains unknown schemes, relative paths and the missing etcd backend', async () => {
  await assert.rejects(openStorage('etcd:http://127.0.0.1:2379'), /etcd backend is not implemented yet/)
  await assert.rejects(openStorage('sqlite:relative/file.db'), /absolute path/)
  await assert.rejects(openStorage('postgres://x'), /unknown scheme/)
  await assert.rejects(openStorage('constructor:x'), /unknown scheme/)
})

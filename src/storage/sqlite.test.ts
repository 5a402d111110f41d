// The sqlite backend: the shared conformance suite on real files, plus what only a file shows:
// state rebuilt on reopen, history older than the ring served from the log, compaction on disk.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { backendConformance } from './conformance.js'
import { openSqlite } from './sqlite.js'
import { isStorageError, type Backend, type WatchEvent } from './types.js'

const dir = mkdtempSync(join(tmpdir(), 'kl-sqlite-test-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const freshPath = () => join(dir, `db-${++n}`, 'state.db') // parent directory does not exist yet

backendConformance('sqlite', () => openSqlite(freshPath()))

const bytes = (s: string) => new TextEncoder().encode(s)
const text = (v: Uint8Array) => new TextDecoder().decode(v)

async function collect(db: Backend, prefix: string, after: number, count: number): Promise<WatchEvent[]> {
  const ac = new AbortController()
  const out: WatchEvent[] = []
  for await (const ev of db.watch(prefix, after, ac.signal)) {
    out.push(ev)
    if (out.length === count) ac.abort()
  }
  return out
}

describe('sqlite backend', () => {
  it('rebuilds values, revisions and history on reopen', async () => {
    const path = freshPath()
    let db = await openSqlite(path)
    const a = await db.create('/registry/x/a', bytes('a1'))
    const b = await db.create('/registry/x/b', bytes('b1'))
    const up = await db.update('/registry/x/a', bytes('a2'), a.modRevision)
    assert.ok(up.ok)
    await db.delete('/registry/x/b', b.modRevision)
    const rev = db.currentRevision()
    await db.close()

    db = await openSqlite(path, { historyEvents: 10 })
    try {
      assert.equal(db.currentRevision(), rev)
      const got = (await db.get('/registry/x/a')).kv!
      assert.deepEqual([text(got.value), got.createRevision, got.modRevision], ['a2', a.createRevision, up.kv.modRevision])
      assert.equal((await db.get('/registry/x/b')).kv, undefined)
      // The ring is empty after a reopen: this replay comes from the log, prev values included.
      const events = await collect(db, '/registry/x/', a.modRevision, 3)
      assert.deepEqual(events.map((ev) => ev.type === 'put' ? `put ${text(ev.kv.value)} prev=${ev.prev && text(ev.prev.value)}`
        : ev.type === 'delete' ? `delete ${ev.key} prev=${text(ev.prev.value)}@${ev.prev.modRevision}` : 'progress'),
      ['put b1 prev=undefined', 'put a2 prev=a1', `delete /registry/x/b prev=b1@${b.modRevision}`])
      const next = await db.create('/registry/x/c', bytes('c'))
      assert.equal(next.modRevision, rev + 1)
    } finally {
      await db.close()
    }
  })

  it('serves lists at revisions older than the ring from the log', async () => {
    const db = await openSqlite(freshPath(), { historyEvents: 2 })
    try {
      for (const k of ['a', 'b', 'c', 'd']) await db.create('/registry/x/' + k, bytes(k + '1'))
      const at = db.currentRevision()
      await db.delete('/registry/x/b')
      const c = (await db.get('/registry/x/c')).kv!
      await db.update('/registry/x/c', bytes('c2'), c.modRevision)
      await db.create('/registry/x/e', bytes('e1'))
      await db.create('/registry/y/a', bytes('y'))
      const first = await db.list('/registry/x/', { at, limit: 3 })
      assert.deepEqual(first.kvs.map((kv) => text(kv.value)), ['a1', 'b1', 'c1'])
      assert.deepEqual([first.more, first.remaining], [true, 1])
      const rest = await db.list('/registry/x/', { at, startKey: first.kvs[2]!.key + '\0', limit: 3 })
      assert.deepEqual(rest.kvs.map((kv) => text(kv.value)), ['d1'])
      assert.equal(rest.more, false)
    } finally {
      await db.close()
    }
  })

  it('compacts the log on disk and keeps every live key across a reopen', async () => {
    const path = freshPath()
    let db = await openSqlite(path, { historyEvents: 3 })
    const keep = await db.create('/registry/x/keep', bytes('k1'))
    let cur = keep
    for (let i = 2; i <= 5; i++) {
      const r = await db.update(cur.key, bytes('k' + i), cur.modRevision)
      assert.ok(r.ok)
      cur = r.kv
    }
    const gone = await db.create('/registry/x/gone', bytes('g'))
    await db.delete(gone.key)
    const upTo = db.currentRevision()
    const after = await db.create('/registry/x/after', bytes('a'))
    await db.compact(upTo)
    await db.close()

    db = await openSqlite(path)
    try {
      assert.equal(db.compactedRevision(), upTo)
      assert.equal(db.currentRevision(), after.modRevision)
      assert.deepEqual((await db.list('/registry/x/')).kvs.map((kv) => `${kv.key}=${text(kv.value)}`),
        ['/registry/x/after=a', '/registry/x/keep=k5'])
      const ac = new AbortController()
      await assert.rejects(db.watch('/registry/', upTo - 1, ac.signal)[Symbol.asyncIterator]().next(),
        (err) => isStorageError(err, 'Compacted'))
      const events = await collect(db, '/registry/', upTo, 1)
      assert.equal(events[0]?.type === 'put' && events[0].kv.key, '/registry/x/after')
    } finally {
      await db.close()
    }
  })

  it('keeps a second process (or handle) off an open database file', async () => {
    const path = freshPath()
    const db = await openSqlite(path)
    try {
      await db.create('/registry/x/a', bytes('a'))
      await assert.rejects(openSqlite(path), (err) => isStorageError(err, 'Internal'))
    } finally {
      await db.close()
    }
  })
})

// The memory backend: the shared conformance suite, plus what only memory shows (ring bounds).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { backendConformance } from './conformance.js'
import { openMemory } from './memory.js'
import { isStorageError } from './types.js'

backendConformance('memory', () => openMemory())

const bytes = (s: string) => new TextEncoder().encode(s)

describe('memory backend', () => {
  it('reports history that fell out of the ring as compacted', async () => {
    const db = await openMemory({ historyEvents: 5 })
    try {
      for (let i = 0; i < 8; i++) await db.create(`/registry/x/${i}`, bytes(String(i)))
      assert.equal(db.compactedRevision(), db.currentRevision() - 5)
      const ac = new AbortController()
      const iter = db.watch('/registry/', db.compactedRevision() - 1, ac.signal)[Symbol.asyncIterator]()
      await assert.rejects(iter.next(), (err) => isStorageError(err, 'Compacted'))
      await assert.rejects(db.list('/registry/', { at: db.compactedRevision() - 1 }), (err) => isStorageError(err, 'Compacted'))
      const page = await db.list('/registry/', { at: db.compactedRevision() })
      assert.equal(page.kvs.length, 3)
    } finally {
      await db.close()
    }
  })

  it('ends a watcher that falls too far behind instead of buffering without bound', async () => {
    const db = await openMemory({ watcherBuffer: 10 })
    try {
      const ac = new AbortController()
      const iter = db.watch('/registry/', db.currentRevision(), ac.signal)[Symbol.asyncIterator]()
      const first = iter.next() // subscribes, then waits
      await db.create('/registry/x/first', bytes('1'))
      assert.equal((await first).done, false)
      // Nobody reads while 20 more events arrive: the buffer bound is crossed.
      await Promise.all(Array.from({ length: 20 }, (_, i) => db.create(`/registry/x/${i}`, bytes('v'))))
      await assert.rejects(iter.next(), (err) => isStorageError(err, 'Compacted'))
      // Writers and other watchers were not affected.
      assert.equal(await db.count('/registry/x/'), 21)
    } finally {
      await db.close()
    }
  })

  it('rejects operations and ends watches after close', async () => {
    const db = await openMemory()
    const ac = new AbortController()
    const iter = db.watch('/registry/', db.currentRevision(), ac.signal)[Symbol.asyncIterator]()
    const pending = iter.next()
    await db.close()
    await assert.rejects(pending, (err) => isStorageError(err, 'Closed'))
    await assert.rejects(db.create('/registry/a', bytes('a')), (err) => isStorageError(err, 'Closed'))
    await assert.rejects(db.get('/registry/a'), (err) => isStorageError(err, 'Closed'))
  })
})

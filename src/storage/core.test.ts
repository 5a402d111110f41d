// The shared core's commit path: a batch that fails to persist takes nothing with it.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { logCore } from './core.js'
import { isStorageError } from './types.js'

it('rejects a whole batch whose commit failed and leaves no trace of it', async () => {
  let failNext = false
  const persisted: number[] = []
  const db = logCore({
    flushOn: 'immediate',
    append(changes) {
      if (failNext) { failNext = false; throw new Error('disk full') }
      for (const c of changes) persisted.push(c.type === 'put' ? c.kv.modRevision : c.revision)
    },
    close() {},
  }, { revision: 1, compacted: 0, kvs: [], historyAfter: 0 })
  const a = await db.create('/registry/a', new Uint8Array([1]))
  failNext = true
  const lost = await Promise.allSettled([db.create('/registry/b', new Uint8Array([2])),
    db.update('/registry/a', new Uint8Array([3]), a.modRevision), db.create('/registry/a', new Uint8Array([4]))])
  for (const r of lost) assert.ok(r.status === 'rejected' && isStorageError(r.reason, 'Internal'))
  assert.equal(db.currentRevision(), a.modRevision)
  assert.equal((await db.get('/registry/b')).kv, undefined)
  // The revisions the failed batch had taken are handed out again: the log stays gapless.
  const b = await db.create('/registry/b', new Uint8Array([5]))
  assert.equal(b.modRevision, a.modRevision + 1)
  assert.deepEqual(persisted, [a.modRevision, b.modRevision])
  await db.close()
})

// The periodic compactor keeps the last N revisions watchable and compacts the rest.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { startCompactor } from './compactor.js'
import { openMemory } from './memory.js'

it('compacts to currentRevision - retainRevisions on each tick', async (t) => {
  const db = await openMemory()
  t.after(() => db.close())
  for (let i = 0; i < 30; i++) await db.create(`/registry/x/${i}`, new Uint8Array([i]))
  const compactor = startCompactor(db, { intervalMs: 5, retainRevisions: 10 })
  t.after(() => compactor.stop())
  const want = db.currentRevision() - 10
  while (db.compactedRevision() < want) await new Promise((resolve) => setTimeout(resolve, 5).ref())
  assert.equal(db.compactedRevision(), want)
  compactor.stop()
  assert.equal(await db.count('/registry/x/'), 30)
})

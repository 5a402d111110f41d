// The periodic compactor compacts to the revision seen one tick earlier, as upstream's does,
// and never past the last `retainRevisions`.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { startCompactor } from './compactor.js'
import { openMemory } from './memory.js'

const tick = () => new Promise((resolve) => setTimeout(resolve, 5).ref())

it('compacts to the revision of the previous tick, keeping what came after it', async (t) => {
  const db = await openMemory()
  t.after(() => db.close())
  for (let i = 0; i < 30; i++) await db.create(`/registry/x/${i}`, new Uint8Array([i]))
  const first = db.currentRevision()
  const compactor = startCompactor(db, { intervalMs: 20 })
  t.after(() => compactor.stop())
  // Nothing older than one interval exists yet at the first tick; after it, `first` may go.
  while (db.compactedRevision() < first) await tick()
  assert.equal(db.compactedRevision(), first)
  for (let i = 30; i < 40; i++) await db.create(`/registry/x/${i}`, new Uint8Array([i]))
  const second = db.currentRevision()
  while (db.compactedRevision() < second) await tick()
  assert.equal(db.compactedRevision(), second)
  compactor.stop()
  assert.equal(await db.count('/registry/x/'), 40)
})

it('keeps at least retainRevisions', async (t) => {
  const db = await openMemory()
  t.after(() => db.close())
  for (let i = 0; i < 30; i++) await db.create(`/registry/x/${i}`, new Uint8Array([i]))
  const compactor = startCompactor(db, { intervalMs: 5, retainRevisions: 10 })
  t.after(() => compactor.stop())
  const want = db.currentRevision() - 10
  while (db.compactedRevision() < want) await tick()
  for (let i = 0; i < 5; i++) await tick()
  assert.equal(db.compactedRevision(), want)
})

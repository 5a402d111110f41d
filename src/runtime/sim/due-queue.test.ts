import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dueQueue } from './due-queue.js'

describe('due queue', () => {
  it('returns due keys earliest first; rescheduling replaces a key\'s time', () => {
    const q = dueQueue()
    q.schedule('a', 30)
    q.schedule('b', 10)
    q.schedule('c', 20)
    q.schedule('a', 5)
    q.schedule('c', 100)
    assert.equal(q.nextAtMs(), 5)
    assert.deepEqual(q.takeDue(20), ['a', 'b'])
    assert.deepEqual(q.takeDue(99), [])
    q.cancel('c')
    assert.equal(q.nextAtMs(), undefined)
    assert.equal(q.size(), 0)
  })

  it('stays small when one key is rescheduled many times', () => {
    const q = dueQueue()
    for (let i = 0; i < 10_000; i++) q.schedule('k', i)
    assert.deepEqual(q.takeDue(20_000), ['k'])
    assert.equal(q.nextAtMs(), undefined)
  })
})

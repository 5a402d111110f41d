import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { workQueue } from './work-queue.js'

describe('work queue', () => {
  it('queues a key once, and again after done if it was added while processing', async () => {
    const q = workQueue()
    q.add('a')
    q.add('a')
    q.add('b')
    assert.equal(q.len(), 2)
    const k = await q.get()
    assert.equal(k, 'a')
    q.add('a') // while processing: held back, not handed to a second worker
    assert.equal(await q.get(), 'b')
    assert.equal(q.len(), 0)
    q.done('a')
    assert.equal(q.len(), 1)
    assert.equal(await q.get(), 'a')
  })

  it('backs off exponentially per key and forgets on success', () => {
    const q = workQueue({ baseDelayMs: 5 })
    q.addRateLimited('x')
    q.addRateLimited('x')
    q.addRateLimited('x')
    assert.equal(q.failures('x'), 3)
    q.forget('x')
    assert.equal(q.failures('x'), 0)
    q.shutDown()
  })

  it('hands keys to waiting workers and ends them on shut down', async () => {
    const q = workQueue()
    const waiting = q.get()
    q.add('k')
    assert.equal(await waiting, 'k')
    const idle = q.get()
    q.shutDown()
    assert.equal(await idle, undefined)
  })
})

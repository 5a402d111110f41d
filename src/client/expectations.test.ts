import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { newExpectations } from './expectations.js'

describe('expectations', () => {
  it('are satisfied once every expected create and delete was observed', () => {
    const e = newExpectations(() => 0)
    e.setExpectations('ns/ds', 2, 1)
    e.creationObserved('ns/ds')
    e.deletionObserved('ns/ds')
    assert.equal(e.satisfied('ns/ds'), false)
    e.creationObserved('ns/ds')
    assert.equal(e.satisfied('ns/ds'), true)
  })

  it('can be lowered for writes that will not happen, and expire after 5 minutes', () => {
    let t = 0
    const e = newExpectations(() => t)
    e.expectCreations('k', 4)
    e.creationObserved('k')
    assert.equal(e.satisfied('k'), false)
    e.lowerExpectations('k', 3, 0)
    assert.equal(e.satisfied('k'), true)
    e.expectDeletions('k', 1)
    t += 5 * 60_000 + 1
    assert.equal(e.satisfied('k'), true, 'a stale record no longer blocks the key')
  })
})

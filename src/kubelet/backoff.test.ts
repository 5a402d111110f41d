import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createBackoff, goDuration } from './backoff.js'

describe('backoff', () => {
  it('doubles from 10s to 5m and asks to wait only within the delay', () => {
    let t = 0
    const b = createBackoff({ now: () => t })
    assert.equal(b.inBackoffSince('c', 0), false) // the first failure restarts at once
    const seen: number[] = []
    for (let i = 0; i < 7; i++) {
      b.next('c', t)
      seen.push(b.get('c'))
      t += 1000
      assert.equal(b.inBackoffSince('c', t - 1000), true)
      t += b.get('c')
      assert.equal(b.inBackoffSince('c', t - b.get('c') - 1000), false)
    }
    assert.deepEqual(seen, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000])
  })
  it('starts over after 10 minutes without a failure', () => {
    let t = 0
    const b = createBackoff({ now: () => t })
    b.next('c', 0)
    b.next('c', 1)
    assert.equal(b.get('c'), 20_000)
    t = 601_000
    assert.equal(b.inBackoffSince('c', t), false)
    b.next('c', t)
    assert.equal(b.get('c'), 10_000)
  })
  it('forgets a pod by prefix', () => {
    const b = createBackoff()
    b.next('uid1/a', 0)
    b.next('uid2/a', 0)
    b.resetPrefix('uid1/')
    assert.equal(b.get('uid1/a'), 0)
    assert.equal(b.get('uid2/a'), 10_000)
  })
  it('formats durations as Go does', () => {
    assert.equal(goDuration(10_000), '10s')
    assert.equal(goDuration(160_000), '2m40s')
    assert.equal(goDuration(300_000), '5m0s')
  })
})

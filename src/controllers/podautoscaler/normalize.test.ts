import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { newHistory, normalizeLegacy, normalizeWithBehavior, recordInitialRecommendation, storeScaleEvent } from './normalize.js'

const args = { minReplicas: 1, maxReplicas: 20, nowMs: 1_000_000, downscaleStabilizationMs: 300_000 }

describe('normalize', () => {
  it('legacy: keeps the highest recommendation of the window', () => {
    const h = newHistory()
    recordInitialRecommendation(h, 8, args.nowMs)
    const n = normalizeLegacy(h, { ...args, current: 8, desired: 3 })
    assert.equal(n.replicas, 8)
    assert.equal(n.ableToScale.reason, 'ScaleDownStabilized')
    assert.equal(normalizeLegacy(h, { ...args, nowMs: args.nowMs + 301_000, current: 8, desired: 3 }).replicas, 3)
  })

  it('legacy: raises to minReplicas', () => {
    const n = normalizeLegacy(newHistory(), { ...args, minReplicas: 2, current: 2, desired: 1 })
    assert.deepEqual([n.replicas, n.scalingLimited.status, n.scalingLimited.reason], [2, 'True', 'TooFewReplicas'])
  })

  it('behavior: a Percent scale-down policy limits each period', () => {
    const h = newHistory()
    const behavior = {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
    }
    const n = normalizeWithBehavior(h, { ...args, current: 10, desired: 1 }, behavior)
    assert.deepEqual([n.replicas, n.scalingLimited.reason], [5, 'ScaleDownLimit'])
    storeScaleEvent(h, behavior, 10, 5, args.nowMs)
    // Within the same minute the period started at 10, so 5 is its floor; a minute on, half of 5 (rounded down).
    assert.equal(normalizeWithBehavior(h, { ...args, nowMs: args.nowMs + 30_000, current: 5, desired: 1 }, behavior).replicas, 5)
    assert.equal(normalizeWithBehavior(h, { ...args, nowMs: args.nowMs + 61_000, current: 5, desired: 1 }, behavior).replicas, 2)
  })

  it('behavior: Disabled never scales that way', () => {
    const behavior = { scaleUp: { selectPolicy: 'Disabled', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] } }
    const n = normalizeWithBehavior(newHistory(), { ...args, current: 2, desired: 6 }, behavior)
    assert.deepEqual([n.replicas, n.scalingLimited.reason], [2, 'ScaleUpLimit'])
  })
})

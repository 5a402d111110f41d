import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { PodMetricsInfo } from './metrics-client.js'
import { groupPods, plainMetricReplicas, podRequests, resourceReplicas, type CalculatorOptions } from './replica-calculator.js'
import { pod } from './testing.js'

const NOW = Date.parse('2026-01-01T00:00:00Z')
const o: CalculatorOptions = { tolerance: 0.1, cpuInitializationPeriodMs: 300_000, delayOfInitialReadinessStatusMs: 30_000, nowMs: NOW }
const samples = (usage: Record<string, number>): PodMetricsInfo =>
  new Map(Object.entries(usage).map(([k, v]) => [k, { value: v, timestampMs: NOW, windowMs: 15_000 }]))

describe('replica calculator', () => {
  it('proposes ceil(ratio × ready pods) and keeps the utilization it saw', () => {
    const pods = [pod('a', NOW), pod('b', NOW)]
    assert.deepEqual(resourceReplicas(2, 50, 'cpu', pods, samples({ a: 100, b: 60 }), o), { replicas: 4, utilization: 80, rawUtilization: 80 })
  })

  it('treats a pending pod as idle when scaling up', () => {
    const pods = [pod('a', NOW), pod('b', NOW), pod('c', NOW, 100, { phase: 'Pending' })]
    // a and b at 60% → 1.2; with c at 0%: 40% → a change of direction, so stay at 3.
    assert.equal(resourceReplicas(3, 50, 'cpu', pods, samples({ a: 60, b: 60 }), o).replicas, 3)
  })

  it('treats a pod without a sample as using its full request when scaling down', () => {
    const pods = [pod('a', NOW), pod('b', NOW), pod('c', NOW), pod('d', NOW)]
    // Three pods at 10% propose 1; with d at 100%: 32.5% against 50% → ceil(0.64 × 4) = 3.
    assert.equal(resourceReplicas(4, 50, 'cpu', pods, samples({ a: 10, b: 10, c: 10 }), o).replicas, 3)
  })

  it('ignores CPU samples from a pod still starting that has not been ready for a whole window', () => {
    const young = pod('b', NOW)
    young.status!.startTime = new Date(NOW - 60_000).toISOString()
    young.status!.conditions![0]!.lastTransitionTime = new Date(NOW - 5_000).toISOString()
    const g = groupPods([pod('a', NOW), young], samples({ a: 50, b: 500 }), 'cpu', o)
    assert.deepEqual([g.readyPodCount, [...g.unready]], [1, ['b']])
    // The same pod counts for a metric other than CPU.
    assert.equal(groupPods([pod('a', NOW), young], samples({ a: 50, b: 500 }), 'memory', o).readyPodCount, 2)
  })

  it('names the container missing a request', () => {
    const p = pod('a', NOW)
    delete p.spec!.containers[0]!.resources
    assert.throws(() => podRequests([p], 'cpu'), /^Error: missing request for cpu in container app of Pod a$/)
  })

  it('averages plain metrics against an average value target', () => {
    const pods = [pod('a', NOW), pod('b', NOW)]
    assert.deepEqual(plainMetricReplicas(2, 500, 'packets', pods, samples({ a: 1000, b: 1000 }), o), { replicas: 4, usage: 1000 })
    assert.deepEqual(plainMetricReplicas(2, 500, 'packets', pods, samples({ a: 520, b: 500 }), o), { replicas: 2, usage: 510 })
  })
})

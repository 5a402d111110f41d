import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js'
import type { Deployment } from 'kubernetes-types/apps/v1.js'
import { rfc3339 } from '../util/index.js'
import { horizontalPodAutoscaler } from './horizontal.js'
import { autoscalerContext, deployment, hpa, NS, pod } from './testing.js'

const KEY = `${NS}/web`
const signal = AbortSignal.timeout(10_000)
const T0 = Date.parse('2026-01-01T00:00:00Z') // fakeContext's clock

/** A cluster of `replicas` pods each using `cpuMilli` of a 100m request, and the autoscaler over it. */
function setup(replicas: number, cpuMilli: number, spec: Parameters<typeof hpa>[0] = {}) {
  const names = Array.from({ length: replicas }, (_, i) => `web-${i}`)
  const usage = new Map(names.map((n) => [n, cpuMilli]))
  const f = autoscalerContext([deployment(replicas), hpa(spec), ...names.map((n) => pod(n, T0))], usage)
  const c = horizontalPodAutoscaler(f.ctx)
  const get = () => f.informers.of<HorizontalPodAutoscaler>('autoscaling/v2', 'HorizontalPodAutoscaler').get(KEY)!
  const replicasNow = () => f.informers.of<Deployment>('apps/v1', 'Deployment').get(KEY)!.spec!.replicas
  const condition = (type: string) => get().status?.conditions?.find((x) => x.type === type)
  return { ...f, c, usage, get, replicasNow, condition }
}

describe('horizontalPodAutoscaler', () => {
  it('scales up when usage is above target, and reports it', async () => {
    const s = setup(2, 80) // 80% of request against a 50% target: 2 × 1.6 → 4
    const r = await s.c.sync(KEY, signal)
    assert.deepEqual(r, { requeueAfterMs: 15_000 })
    assert.equal(s.replicasNow(), 4)
    assert.ok(s.client.verbs().includes('patch deployments/scale'))
    assert.deepEqual(s.recorder.events, ['Normal SuccessfulRescale New size: 4; reason: cpu resource utilization (percentage of request) above target'])
    const st = s.get().status!
    assert.deepEqual(st.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 80, averageValue: '80m' } } }])
    assert.equal(st.currentReplicas, 2)
    assert.equal(st.desiredReplicas, 4)
    assert.equal(st.lastScaleTime, rfc3339(T0))
    assert.deepEqual(s.condition('AbleToScale'), { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 4', lastTransitionTime: rfc3339(T0) })
    assert.equal(s.condition('ScalingActive')?.reason, 'ValidMetricFound')
    assert.equal(s.condition('ScalingActive')?.message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)')
    assert.deepEqual([s.condition('ScalingLimited')?.status, s.condition('ScalingLimited')?.reason], ['False', 'DesiredWithinRange'])
  })

  it('stays within maxReplicas and says it is limited', async () => {
    const s = setup(2, 200, { maxReplicas: 3 })
    await s.c.sync(KEY, signal)
    assert.equal(s.replicasNow(), 3)
    assert.deepEqual([s.condition('ScalingLimited')?.status, s.condition('ScalingLimited')?.reason], ['True', 'TooManyReplicas'])
  })

  it('at most doubles without a behavior (legacy scale-up limit)', async () => {
    const s = setup(3, 500, { maxReplicas: 100 }) // proposes 30
    await s.c.sync(KEY, signal)
    assert.equal(s.replicasNow(), 6)
    assert.equal(s.condition('ScalingLimited')?.reason, 'ScaleUpLimit')
  })

  it('does nothing within the 10% tolerance', async () => {
    const s = setup(2, 54) // 54% against 50%: ratio 1.08
    await s.c.sync(KEY, signal)
    assert.equal(s.replicasNow(), 2)
    assert.ok(!s.client.verbs().includes('patch deployments/scale'))
    assert.deepEqual(s.recorder.events, [])
    assert.equal(s.get().status?.desiredReplicas, 2)
    assert.equal(s.get().status?.lastScaleTime, undefined)
    assert.equal(s.condition('AbleToScale')?.reason, 'ReadyForNewScale')
  })

  it('waits out the 5-minute stabilization window before scaling down', async () => {
    const s = setup(4, 20) // proposes 2
    await s.c.sync(KEY, signal)
    assert.equal(s.replicasNow(), 4)
    assert.deepEqual([s.condition('AbleToScale')?.reason, s.get().status?.desiredReplicas], ['ScaleDownStabilized', 4])
    s.clock.ms += 200_000
    await s.c.sync(KEY, signal)
    assert.equal(s.replicasNow(), 4)
    s.clock.ms += 101_000
    await s.c.sync(KEY, signal)
    assert.equal(s.replicasNow(), 2)
    assert.deepEqual(s.recorder.events, ['Normal SuccessfulRescale New size: 2; reason: All metrics below target'])
    assert.equal(s.get().status?.lastScaleTime, rfc3339(s.clock.ms))
  })

  it('applies behavior policies with the scale events it remembers', async () => {
    const s = setup(2, 200, {
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
        scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
      },
    })
    await s.c.sync(KEY, signal)
    assert.equal(s.replicasNow(), 3)
    assert.equal(s.condition('ScalingLimited')?.reason, 'ScaleUpLimit')
    s.clock.ms += 10_000
    await s.c.sync(KEY, signal) // one pod added within the last 60 s already
    assert.equal(s.replicasNow(), 3)
    s.clock.ms += 51_000
    await s.c.sync(KEY, signal)
    assert.equal(s.replicasNow(), 4)
  })

  it('reports a metrics failure in events and conditions without scaling', async () => {
    const s = setup(2, 80)
    s.setMetricsDown(true)
    await s.c.sync(KEY, signal)
    assert.equal(s.replicasNow(), 2)
    const detail = 'failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: pods.metrics.k8s.io "" not found'
    assert.deepEqual(s.recorder.events, [
      `Warning FailedGetResourceMetric ${detail}`,
      `Warning FailedComputeMetricsReplicas invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${detail}`,
    ])
    assert.deepEqual([s.condition('ScalingActive')?.status, s.condition('ScalingActive')?.reason], ['False', 'FailedGetResourceMetric'])
    assert.equal(s.condition('ScalingActive')?.message, `the HPA was unable to compute the replica count: ${detail}`)
    assert.deepEqual(s.get().status?.currentMetrics, [{ type: '' }])
    assert.equal(s.get().status?.currentReplicas, 2)
  })

  it('counts a pod without a sample as idle on the way up', async () => {
    const s = setup(4, 70)
    // 3 × 70% would propose 5; with the fourth pod at 0% usage is 52.5%: within tolerance.
    s.usage.delete('web-3')
    await s.c.sync(KEY, signal)
    assert.equal(s.replicasNow(), 4)
    assert.equal(s.get().status?.desiredReplicas, 4)
  })

  it('reports FailedGetScale when the target is missing', async () => {
    const s = setup(2, 80, { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nope' } })
    await s.c.sync(KEY, signal)
    assert.equal(s.condition('AbleToScale')?.reason, 'FailedGetScale')
    assert.match(s.recorder.events[0]!, /^Warning FailedGetScale /)
  })

  it('does not write an unchanged status, and forgets a deleted autoscaler', async () => {
    const s = setup(2, 50)
    await s.c.sync(KEY, signal)
    const writes = s.client.verbs().filter((v) => v === 'update horizontalpodautoscalers/status').length
    s.clock.ms += 15_000
    await s.c.sync(KEY, signal)
    assert.equal(s.client.verbs().filter((v) => v === 'update horizontalpodautoscalers/status').length, writes)
    s.informers.remove(s.get() as never)
    assert.equal(await s.c.sync(KEY, signal), undefined)
  })
})

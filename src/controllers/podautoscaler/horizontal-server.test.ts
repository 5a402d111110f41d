// The autoscaler against a real API server (memory storage, in-process transport): the
// Deployment's scale subresource, the server's HPA defaults, validation and v1 view. The
// metrics API is answered by the test, so usage is fixed and an outage can be staged.
import { serviceUnavailable } from '../../api/index.js'
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Deployment } from 'kubernetes-types/apps/v1.js'
import type { HorizontalPodAutoscaler as HPAv1 } from 'kubernetes-types/autoscaling/v1.js'
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { createInformers, eventBroadcaster, startTestServer, until, type Client, type ControllerContext } from '../../client/index.js'
import { horizontalPodAutoscaler } from './horizontal.js'
import { deployment, hpa, NS, pod } from './testing.js'

const DEPLOY = { apiVersion: 'apps/v1', kind: 'Deployment' }
const HPA2 = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' }
const HPA1 = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler' }

/** The fixture without the fields the server assigns. */
function unstored<T extends { metadata?: object }>(obj: T): T {
  const m = obj.metadata as { uid?: string; resourceVersion?: string }
  delete m.uid
  delete m.resourceVersion
  return obj
}

describe('horizontal pod autoscaler on a real API server', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>
  const ac = new AbortController()
  let metricsUp = true
  let ctx: ControllerContext
  before(async () => {
    t = await startTestServer()
    const metricsPath = `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods?`
    const client: Client = {
      ...t.client,
      async getPath<T>(path: string, opts?: { signal?: AbortSignal }): Promise<T> {
        if (!path.startsWith(metricsPath)) return t.client.getPath<T>(path, opts)
        // As an aggregated metrics API does while metrics-server is down.
        if (!metricsUp) throw serviceUnavailable('the server is currently unable to handle the request (get pods.metrics.k8s.io)')
        const items = ['web-0', 'web-1'].map((name) => ({
          metadata: { name, namespace: NS }, timestamp: new Date().toISOString(), window: '15s',
          containers: [{ name: 'app', usage: { cpu: '80m' } }],
        }))
        return { items } as T
      },
    }
    const informers = createInformers(client)
    ctx = { client, informers, recorder: eventBroadcaster(client), now: Date.now }
    informers.start(ac.signal)
  })
  after(async () => {
    ac.abort()
    await t.close()
  })

  it('scales a Deployment through its scale subresource and writes a status the server keeps', async () => {
    const d = unstored(deployment(2))
    d.spec!.template.spec!.containers[0]!.image = 'nginx'
    await t.client.create(d as never)
    for (const name of ['web-0', 'web-1']) {
      const p = unstored(pod(name, Date.now()))
      p.spec!.containers[0]!.image = 'nginx'
      const created = await t.client.create<Pod>({ ...p, status: undefined } as never)
      await t.client.updateStatus({ ...created, status: p.status } as never)
    }
    const h = unstored(hpa())
    await t.client.create({ ...h, status: undefined } as never)
    const c = horizontalPodAutoscaler(ctx)
    await ctx.informers.waitForSync()
    const cached = ctx.informers.of<HorizontalPodAutoscaler>('autoscaling/v2', 'HorizontalPodAutoscaler')
    await until('the HPA and pods in the caches', () => (cached.get(`${NS}/web`) && ctx.informers.of<Pod>('v1', 'Pod').list(NS).length === 2 ? true : undefined))
    await c.sync(`${NS}/web`, ac.signal)

    assert.equal((await t.client.get<Deployment>(DEPLOY, 'web', NS)).spec?.replicas, 4)
    const v2 = await t.client.get<HorizontalPodAutoscaler>(HPA2, 'web', NS)
    assert.deepEqual(v2.status?.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 80, averageValue: '80m' } } }])
    assert.deepEqual([v2.status?.currentReplicas, v2.status?.desiredReplicas], [2, 4])
    const v1 = await t.client.get<HPAv1>(HPA1, 'web', NS)
    assert.equal(v1.status?.currentCPUUtilizationPercentage, 80)
  })

  it('keeps a failed metric in place in the stored status', async () => {
    metricsUp = false
    const c = horizontalPodAutoscaler(ctx)
    await c.sync(`${NS}/web`, ac.signal)
    const v2 = await t.client.get<HorizontalPodAutoscaler>(HPA2, 'web', NS)
    assert.deepEqual(v2.status?.currentMetrics, [{ type: '' }])
    const active = v2.status?.conditions?.find((x) => x.type === 'ScalingActive')
    assert.deepEqual([active?.status, active?.reason], ['False', 'FailedGetResourceMetric'])
    assert.match(active?.message ?? '', /^the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: /)
  })
})

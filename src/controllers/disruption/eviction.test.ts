// The disruption controller and the API server's eviction subresource together (memory
// storage, in-process transport): the budget the controller computes is what evictions
// spend, and what they record in disruptedPods the controller then accounts for.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js'
import { isStatusError } from '../../api/index.js'
import { startControllersOnTestServer, until } from '../../client/index.js'
import { disruptionController } from './disruption.js'

const POD = { apiVersion: 'v1', kind: 'Pod' }
const PDB = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' }
const NS = 'default'

describe('eviction against a PodDisruptionBudget', () => {
  let t: Awaited<ReturnType<typeof startControllersOnTestServer>>
  before(async () => {
    t = await startControllersOnTestServer((ctx) => disruptionController(ctx), { workers: 1 })
  })
  after(() => t.close())

  async function runningPod(name: string, opts: { ready?: boolean; nodeName?: string; phase?: string } = {}) {
    const pod = await t.client.create<Pod>({
      ...POD, metadata: { name, namespace: NS, labels: { app: 'db' } },
      spec: { containers: [{ name: 'db', image: 'postgres' }], ...(opts.nodeName ? { nodeName: opts.nodeName } : {}) },
    } as never)
    const ready = opts.ready ?? true
    await t.client.updateStatus({ ...pod, ...POD, status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } })
  }
  const evict = (name: string) => t.client.createSubresource(POD, name, NS, 'eviction',
    { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS } } as never)
  const budget = () => t.client.get<PodDisruptionBudget>(PDB, 'db', NS)
  const settled = (allowed: number, healthy: number, generation = 1) => until(`${allowed} allowed, ${healthy} healthy`, async () => {
    const s = (await budget()).status
    return s?.disruptionsAllowed === allowed && s.currentHealthy === healthy && s.observedGeneration === generation ? s : undefined
  })

  it('spends the budget, refuses once it is spent, and lets unscheduled pods go', async () => {
    await runningPod('db-0')
    await runningPod('db-1', { nodeName: 'n1' })
    await runningPod('db-2')
    await t.client.create<PodDisruptionBudget>({ ...PDB, metadata: { name: 'db', namespace: NS }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'db' } } } } as never)
    const first = await settled(1, 3)
    assert.deepEqual(first.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']])

    await evict('db-0')
    await assert.rejects(t.client.get(POD, 'db-0', NS), (err: unknown) => isStatusError(err) && err.status.code === 404)
    const spent = await settled(0, 2)
    assert.deepEqual(spent.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']])

    await assert.rejects(evict('db-1'), (err: unknown) => isStatusError(err) && err.status.code === 429 &&
      err.message === "Cannot evict pod as it would violate the pod's disruption budget." &&
      err.status.details?.causes?.[0]?.message === 'The disruption budget db needs 2 healthy pods and has 2 currently')

    // Pending pods disrupt nothing: no budget asked.
    await runningPod('db-pending', { phase: 'Pending', ready: false })
    await evict('db-pending')

    // A new ready pod makes room; the evicted pod on a node terminates gracefully, marked as disrupted.
    await runningPod('db-3')
    await settled(1, 3)
    await evict('db-1')
    const evicted = await t.client.get<Pod>(POD, 'db-1', NS)
    assert.ok(evicted.metadata?.deletionTimestamp)
    assert.deepEqual(evicted.status?.conditions?.find((c) => c.type === 'DisruptionTarget'),
      { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: evicted.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.lastTransitionTime })
    await settled(0, 2)
  })

  it('evicts an unready pod while the budget is healthy, or always with AlwaysAllow', async () => {
    await runningPod('db-sick', { ready: false })
    await runningPod('db-sicker', { ready: false })
    await evict('db-sicker') // 2 healthy of 2 desired: the application is not disrupted
    const p3 = await t.client.get<Pod>(POD, 'db-3', NS)
    await t.client.updateStatus({ ...p3, ...POD, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } })
    await settled(0, 1)
    await assert.rejects(evict('db-sick'), (err: unknown) => isStatusError(err) && err.status.code === 429)
    await t.client.patch(PDB, 'db', NS, { spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } }, { type: 'merge' })
    await settled(0, 1, 2)
    await evict('db-sick')
    await assert.rejects(t.client.get(POD, 'db-sick', NS), (err: unknown) => isStatusError(err) && err.status.code === 404)
    assert.equal((await budget()).status?.disruptionsAllowed, 0, 'an unhealthy pod spends no budget')
  })
})

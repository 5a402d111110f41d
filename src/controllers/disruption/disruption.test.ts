import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js'
import type { Cached } from '../../api/index.js'
import { fakeContext as fake } from '../../client/testing.js'
import { rfc3339 } from '../util/index.js'
import { disruptionController } from './disruption.js'

const NS = 'default'
// kubernetes-types interfaces lack KubeObject's index signature.
const fakeContext = (objects: object[]) => fake(objects as never)
const signal = AbortSignal.timeout(10_000)
const T0 = Date.parse('2026-01-01T00:00:00Z') // fakeContext's clock

const deployment: Deployment = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS, uid: 'd-uid' },
  spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: {} },
}
const replicaSet: ReplicaSet = {
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: 'web-abc', namespace: NS, uid: 'rs-uid', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }] },
  spec: { replicas: 4, selector: { matchLabels: { app: 'web' } } },
}
const pod = (name: string, ready: boolean, owned = true): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: NS, labels: { app: 'web' },
    ...(owned ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true }] } : {}),
  },
  spec: { containers: [{ name: 'app' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
})
const pdb = (spec: PodDisruptionBudgetSpec, status?: PodDisruptionBudget['status']): PodDisruptionBudget => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: NS, generation: 2, resourceVersion: '1' },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  status: status ?? { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 },
})

/** Three ready pods and one unready one, of a 4-replica Deployment, under `spec`. */
async function statusFor(spec: PodDisruptionBudgetSpec, extraPods: Pod[] = []) {
  const f = fakeContext([deployment, replicaSet, pod('a', true), pod('b', true), pod('c', true), pod('d', false), ...extraPods, pdb(spec)])
  await disruptionController(f.ctx).sync(`${NS}/web`, signal)
  const got = f.informers.of<PodDisruptionBudget>('policy/v1', 'PodDisruptionBudget').get(`${NS}/web`)!
  return { ...f, status: got.status! }
}
const counts = (s: Cached<PodDisruptionBudgetStatus>) => [s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed]

describe('disruptionController', () => {
  it('minAvailable as an integer counts the selected pods', async () => {
    const { status } = await statusFor({ minAvailable: 2 })
    assert.deepEqual(counts(status), [4, 2, 3, 1])
    assert.equal(status.observedGeneration, 2)
    assert.deepEqual(status.conditions, [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 2, lastTransitionTime: rfc3339(T0) }])
  })

  it('minAvailable as a percentage takes the controller scale, rounding up', async () => {
    assert.deepEqual(counts((await statusFor({ minAvailable: '50%' })).status), [4, 2, 3, 1])
    assert.deepEqual(counts((await statusFor({ minAvailable: '60%' })).status), [4, 3, 3, 0])
  })

  it('maxUnavailable as an integer or a percentage', async () => {
    const one = (await statusFor({ maxUnavailable: 1 })).status
    assert.deepEqual(counts(one), [4, 3, 3, 0])
    assert.deepEqual([one.conditions?.[0]?.status, one.conditions?.[0]?.reason], ['False', 'InsufficientPods'])
    assert.deepEqual(counts((await statusFor({ maxUnavailable: '30%' })).status), [4, 2, 3, 1])
    assert.deepEqual(counts((await statusFor({ maxUnavailable: '100%' })).status), [4, 0, 3, 3])
  })

  it('fails safe when a pod has no controller it can find', async () => {
    const orphan = pod('e', true)
    orphan.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', uid: 'x', controller: true }]
    const f = fakeContext([deployment, replicaSet, pod('a', true), orphan, pdb({ maxUnavailable: 1 }, { currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1, expectedPods: 2 })])
    await disruptionController(f.ctx).sync(`${NS}/web`, signal)
    const s = f.informers.of<PodDisruptionBudget>('policy/v1', 'PodDisruptionBudget').get(`${NS}/web`)!.status!
    assert.equal(s.disruptionsAllowed, 0)
    assert.deepEqual([s.conditions?.[0]?.reason, s.conditions?.[0]?.message], ['SyncFailed', 'found no controllers for pod "e"'])
    assert.ok(f.recorder.events.includes('Warning CalculateExpectedPodCountFailed Failed to calculate the number of expected pods: found no controllers for pod "e"'))
  })

  it('does not count a just-evicted pod, and forgets it after two minutes', async () => {
    const f = fakeContext([deployment, replicaSet, pod('a', true), pod('b', true), pod('c', true),
      pdb({ minAvailable: 1 }, { currentHealthy: 3, desiredHealthy: 1, disruptionsAllowed: 1, expectedPods: 3, disruptedPods: { a: rfc3339(T0) } })])
    const c = disruptionController(f.ctx)
    const get = () => f.informers.of<PodDisruptionBudget>('policy/v1', 'PodDisruptionBudget').get(`${NS}/web`)!.status!
    assert.deepEqual(await c.sync(`${NS}/web`, signal), { requeueAfterMs: 120_001 })
    assert.deepEqual([get().currentHealthy, get().disruptionsAllowed, get().disruptedPods], [2, 1, { a: rfc3339(T0) }])
    f.clock.ms += 120_001
    assert.equal(await c.sync(`${NS}/web`, signal), undefined)
    assert.deepEqual([get().currentHealthy, get().disruptionsAllowed, get().disruptedPods], [3, 2, undefined])
    assert.ok(f.recorder.events.includes("Warning NotDeleted Pod was expected by PDB default/web to be deleted but it wasn't"))
  })

  it('leaves an up-to-date status alone', async () => {
    const f = await statusFor({ minAvailable: 2 })
    const writes = f.client.verbs().filter((v) => v === 'update poddisruptionbudgets/status').length
    await disruptionController(f.ctx).sync(`${NS}/web`, signal)
    assert.equal(f.client.verbs().filter((v) => v === 'update poddisruptionbudgets/status').length, writes)
  })

  it('maps a pod event to the budgets selecting it', () => {
    const f = fakeContext([pdb({ minAvailable: 1 })])
    const keys: string[] = []
    for (const t of disruptionController(f.ctx).triggers) t.subscribe((k) => keys.push(k))
    keys.length = 0
    f.informers.cacheOf({ apiVersion: 'v1', kind: 'Pod' }).upsert(pod('z', true) as never)
    assert.deepEqual(keys, [`${NS}/web`])
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import { forbidden, type KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { replicaSetController } from './index.js'
import { markReady, pod, podsOf, queueOf, replicaSet } from './testing.js'

const signal = () => AbortSignal.timeout(5_000)
const rsOf = (f: ReturnType<typeof fakeContext>, name = 'web') => f.informers.of<ReplicaSet & KubeObject>('apps/v1', 'ReplicaSet').get(`default/${name}`)!

describe('replicaset controller', () => {
  it('creates the missing pods with generateName and a controller reference, then writes status', async () => {
    const f = fakeContext([replicaSet('web', { replicas: 3 })])
    const q = queueOf(replicaSetController(f.ctx))
    q.keys.clear()
    q.keys.add('default/web')
    await q.drain(1)
    assert.deepEqual(f.client.verbs(), ['create pods', 'create pods', 'create pods', 'update replicasets/status'])
    // Status counts the pods this sync started from (none); the pods' events bring the next.
    assert.deepEqual(rsOf(f).status, { replicas: 0, observedGeneration: 1 })
    await q.drain()
    const created = f.client.actions.filter((a) => a.verb === 'create').map((a) => a.body as KubeObject)
    for (const p of created) {
      assert.equal(p.metadata?.generateName, 'web-')
      assert.deepEqual(p.metadata?.labels, { app: 'web' })
      assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }])
    }
    const names = podsOf(f.informers).map((p) => p.metadata!.name!).sort()
    assert.deepEqual(f.recorder.events.sort(), names.map((n) => `Normal SuccessfulCreate Created pod: ${n}`))
    assert.deepEqual(rsOf(f).status, { replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 })
  })

  it('waits for its creations to be observed before creating again, until they expire', async () => {
    const f = fakeContext([replicaSet('web', { replicas: 2 })])
    const c = replicaSetController(f.ctx) // triggers not subscribed: no pod event is ever observed
    await c.sync('default/web', signal())
    for (const p of podsOf(f.informers)) f.informers.remove(p as KubeObject) // the cache has not caught up
    await c.sync('default/web', signal())
    assert.equal(f.client.verbs().filter((v) => v === 'create pods').length, 2)
    f.clock.ms += 5 * 60_000 + 1 // upstream's expectations TTL
    await c.sync('default/web', signal())
    assert.equal(f.client.verbs().filter((v) => v === 'create pods').length, 4)
  })

  it('converges and then stays quiet once its pod events are observed', async () => {
    const f = fakeContext([replicaSet('web', { replicas: 2 })])
    const q = queueOf(replicaSetController(f.ctx))
    q.keys.add('default/web')
    await q.drain()
    const writes = f.client.verbs().length
    q.keys.add('default/web')
    await q.drain()
    assert.equal(f.client.verbs().length, writes)
    assert.equal(podsOf(f.informers).length, 2)
    q.close()
  })

  it('deletes surplus pods, the most recently ready first, with events', async () => {
    const owned = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true }] }
    const pods = ['a', 'b', 'c', 'd'].map((n) => pod(`web-${n}`, { app: 'web' }))
    for (const p of pods) Object.assign(p.metadata!, owned)
    const f = fakeContext([replicaSet('web', { replicas: 2 }), ...pods])
    // Listed a, b, c, d: the pods that have been ready for less time must go, not the first ones.
    for (const [i, p] of pods.entries()) markReady(f.informers, p, f.clock.ms - (i % 2 ? 10_000 : 600_000))
    await replicaSetController(f.ctx).sync('default/web', signal())
    assert.deepEqual(f.client.verbs(), ['delete pods', 'delete pods', 'update replicasets/status'])
    assert.deepEqual(podsOf(f.informers).map((p) => p.metadata!.name), ['web-a', 'web-c'])
    assert.deepEqual(f.recorder.events.sort(), ['Normal SuccessfulDelete Deleted pod: web-b', 'Normal SuccessfulDelete Deleted pod: web-d'])
    await replicaSetController(f.ctx).sync('default/web', signal())
    assert.deepEqual(rsOf(f).status, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 })
  })

  it('counts a pod available only after minReadySeconds, and asks to come back then', async () => {
    const f = fakeContext([replicaSet('web', { replicas: 2, minReadySeconds: 10 })])
    const c = replicaSetController(f.ctx)
    await c.sync('default/web', signal())
    for (const p of podsOf(f.informers)) markReady(f.informers, p, f.clock.ms - 4_000)
    const r = await c.sync('default/web', signal())
    assert.deepEqual(r, { requeueAfterMs: 7_000 })
    assert.equal(rsOf(f).status?.readyReplicas, 2)
    assert.equal(rsOf(f).status?.availableReplicas, undefined)
    f.clock.ms += 6_000
    assert.equal(await c.sync('default/web', signal()), undefined)
    assert.equal(rsOf(f).status?.availableReplicas, 2)
  })

  it('adopts matching orphans and releases owned pods that stopped matching', async () => {
    const orphan = pod('stray', { app: 'web' })
    const relabelled = pod('old', { app: 'other' })
    relabelled.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'uid-web', controller: true }]
    const foreign = pod('theirs', { app: 'web' })
    foreign.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'uid-x', controller: true }]
    const f = fakeContext([replicaSet('web', { replicas: 1 }), orphan, relabelled, foreign])
    await replicaSetController(f.ctx).sync('default/web', signal())
    assert.deepEqual(f.client.verbs().sort(), ['get replicasets', 'patch pods', 'patch pods', 'update replicasets/status'])
    const pods = new Map(podsOf(f.informers).map((p) => [p.metadata!.name!, p]))
    assert.equal(pods.get('stray')!.metadata!.ownerReferences?.[0]?.uid, 'uid-web')
    assert.equal(pods.get('old')!.metadata!.ownerReferences, undefined)
    assert.equal(pods.get('theirs')!.metadata!.ownerReferences?.[0]?.uid, 'uid-x')
    assert.equal(rsOf(f).status?.replicas, 1) // the adopted pod fills the one replica: nothing created
  })

  it('creates in slow-start batches and stops at the first failure, reporting it', async () => {
    const f = fakeContext([replicaSet('web', { replicas: 5 })])
    const create = f.client.create.bind(f.client)
    let calls = 0
    f.client.create = async (obj) => {
      if (obj.kind === 'Pod' && ++calls >= 3) throw forbidden('pods "web-" is forbidden: exceeded quota: q')
      return create(obj)
    }
    await assert.rejects(replicaSetController(f.ctx).sync('default/web', signal()), /exceeded quota/)
    assert.equal(calls, 3) // batch 1 (ok), batch 2 (one fails), batch 4 never starts
    assert.equal(f.recorder.events.filter((e) => e.startsWith('Warning FailedCreate Error creating: pods "web-" is forbidden')).length, 1)
    const cond = rsOf(f).status?.conditions?.[0]
    assert.deepEqual({ ...cond, lastTransitionTime: undefined }, {
      type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-" is forbidden: exceeded quota: q', lastTransitionTime: undefined,
    })
    f.client.create = create
    await replicaSetController(f.ctx).sync('default/web', signal())
    assert.equal(rsOf(f).status?.conditions, undefined) // cleared once managing succeeds
  })

  it('creates at most 500 pods per sync', async () => {
    const f = fakeContext([replicaSet('web', { replicas: 600 })])
    await replicaSetController(f.ctx).sync('default/web', signal())
    assert.equal(podsOf(f.informers).length, 500)
  })

  it('does nothing but status for a ReplicaSet being deleted', async () => {
    const rs = replicaSet('web', { replicas: 2 })
    const f = fakeContext([{ ...rs, metadata: { ...rs.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }])
    await replicaSetController(f.ctx).sync('default/web', signal())
    assert.deepEqual(f.client.verbs(), ['update replicasets/status'])
  })
})

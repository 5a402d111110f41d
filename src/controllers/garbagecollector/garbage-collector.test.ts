import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import { copy, notFound, type KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import type { Client } from '../../client/index.js'
import { garbageCollector, garbageCollectorKey } from './garbage-collector.js'

const signal = AbortSignal.timeout(5_000)
const rs = (name: string, uid: string, extra: Partial<ReplicaSet['metadata']> = {}): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', uid, resourceVersion: '1', ...extra }, spec: { selector: {} } })
const pod = (name: string, owners: { name: string; uid: string; block?: boolean; kind?: string }[], ns = 'default'): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: ns, uid: `pod-${name}`, resourceVersion: '1',
    ownerReferences: owners.map((o) => ({ apiVersion: 'apps/v1', kind: o.kind ?? 'ReplicaSet', name: o.name, uid: o.uid, controller: true, blockOwnerDeletion: o.block ?? true })),
  },
  spec: { containers: [{ name: 'c', image: 'x' }] },
} satisfies Pod as KubeObject)

/** A client whose GET answers from `live` (the API server's truth) instead of the caches. */
function withLiveGet(client: Client, live: () => KubeObject | undefined): Client {
  return {
    ...client,
    async get(kind, name, namespace, opts) {
      const obj = live()
      if (kind.kind === 'ReplicaSet' && obj?.metadata?.name === name) return structuredClone(obj) as never
      return client.get(kind, name, namespace, opts)
    },
  }
}

describe('garbage collector', () => {
  it('deletes a dependent only after a live GET confirms its owner is gone', async () => {
    const f = fakeContext([pod('p', [{ name: 'web', uid: 'rs-1' }])])
    let serverHas: KubeObject | undefined = rs('web', 'rs-1') // the cache has not seen it yet
    const gc = garbageCollector({ ...f.ctx, client: withLiveGet(f.client, () => serverHas) })
    const key = garbageCollectorKey(pod('p', []))
    await gc.sync(key, signal)
    assert.ok(!f.client.verbs().includes('delete pods'), 'kept while the server still has the owner')

    serverHas = undefined
    await gc.sync(key, signal)
    const del = f.client.actions.find((a) => a.verb === 'delete')
    assert.equal(del?.name, 'p')
    const opts = del?.body as { propagationPolicy?: string; preconditions?: unknown }
    assert.equal(opts.propagationPolicy, 'Background')
    assert.deepEqual(opts.preconditions, { uid: 'pod-p', resourceVersion: '1' })
    assert.equal(f.informers.of('v1', 'Pod').get('default/p'), undefined)
  })

  it('leaves a dependent alone without any GET when its owner is cached', async () => {
    const f = fakeContext([rs('web', 'rs-1'), pod('p', [{ name: 'web', uid: 'rs-1' }])])
    await garbageCollector(f.ctx).sync(garbageCollectorKey(pod('p', [])), signal)
    assert.deepEqual(f.client.verbs(), [])
  })

  it('queues the dependents of a deleted owner', () => {
    const owner = rs('web', 'rs-1')
    const f = fakeContext([owner, pod('a', [{ name: 'web', uid: 'rs-1' }]), pod('b', [])])
    const gc = garbageCollector(f.ctx)
    const keys: string[] = []
    for (const t of gc.triggers) t.subscribe((k) => keys.push(k))
    keys.length = 0
    f.informers.remove(owner)
    assert.deepEqual(keys, [garbageCollectorKey(pod('a', []))])
  })

  it('foreground: deletes the dependents, waits for blocking ones, then removes the finalizer', async () => {
    const owner = rs('web', 'rs-1', { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] })
    const f = fakeContext([owner, pod('a', [{ name: 'web', uid: 'rs-1' }]), pod('b', [{ name: 'web', uid: 'rs-1' }])])
    // Pods delete gracefully: the server marks them and the kubelet removes them later.
    const client: Client = {
      ...f.client,
      async delete(kind, name, namespace, opts) {
        const p = f.informers.of<KubeObject>('v1', 'Pod').get(`${namespace}/${name}`)
        f.client.actions.push({ verb: 'delete', resource: 'pods', namespace, name, body: opts })
        if (!p) throw notFound({ group: '', resource: 'pods' }, name)
        const marked = copy(p) as KubeObject
        marked.metadata!.deletionTimestamp = '2026-01-01T00:00:30Z'
        f.informers.set(marked)
        return p as KubeObject
      },
    }
    const gc = garbageCollector({ ...f.ctx, client })
    const key = garbageCollectorKey(owner)
    await gc.sync(key, signal)
    assert.deepEqual(f.client.actions.filter((a) => a.verb === 'delete').map((a) => a.name), ['a', 'b'])
    assert.ok(!f.client.verbs().includes('update replicasets'), 'the finalizer stays while pods terminate')

    f.informers.remove(pod('a', []))
    f.informers.remove(pod('b', []))
    await gc.sync(key, signal)
    const upd = f.client.actions.find((a) => a.verb === 'update' && a.resource === 'replicasets')
    assert.deepEqual((upd?.body as KubeObject).metadata?.finalizers, [])
  })

  it('foreground: a dependent with another live owner loses the reference instead', async () => {
    const owner = rs('web', 'rs-1', { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] })
    const shared = pod('a', [{ name: 'web', uid: 'rs-1' }, { name: 'other', uid: 'rs-2' }])
    const f = fakeContext([owner, rs('other', 'rs-2'), shared])
    await garbageCollector(f.ctx).sync(garbageCollectorKey(owner), signal)
    const kept = f.informers.of<KubeObject>('v1', 'Pod').get('default/a')
    assert.deepEqual(kept?.metadata?.ownerReferences?.map((r) => r.uid), ['rs-2'])
    assert.ok(!f.client.verbs().includes('delete pods'))
    // The reference is gone, so nothing blocks the owner any more.
    assert.deepEqual(f.informers.of<KubeObject>('apps/v1', 'ReplicaSet').get('default/web')?.metadata?.finalizers, [])
  })

  it('orphan: strips the owner reference from dependents, then the finalizer', async () => {
    const owner = rs('web', 'rs-1', { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'] })
    const f = fakeContext([owner, pod('a', [{ name: 'web', uid: 'rs-1' }]), pod('elsewhere', [{ name: 'web', uid: 'rs-1' }], 'other')])
    await garbageCollector(f.ctx).sync(garbageCollectorKey(owner), signal)
    assert.equal(f.informers.of<KubeObject>('v1', 'Pod').get('default/a')?.metadata?.ownerReferences, undefined)
    assert.equal(f.informers.of<KubeObject>('v1', 'Pod').get('other/elsewhere')?.metadata?.ownerReferences?.length, 1,
      'a namespaced owner owns nothing in other namespaces')
    assert.deepEqual(f.informers.of<KubeObject>('apps/v1', 'ReplicaSet').get('default/web')?.metadata?.finalizers, [])
    assert.ok(!f.client.verbs().includes('delete pods'))
  })

  it('treats a cross-namespace owner as absent and says so', async () => {
    const f = fakeContext([rs('web', 'rs-1'), pod('p', [{ name: 'web', uid: 'rs-1' }], 'other')])
    await garbageCollector(f.ctx).sync(garbageCollectorKey(pod('p', [], 'other')), signal)
    assert.deepEqual(f.recorder.events, [
      'Warning OwnerRefInvalidNamespace ownerRef [apps/v1/ReplicaSet, namespace: other, name: web, uid: rs-1] does not exist in namespace "other"',
    ])
    assert.ok(f.client.verbs().includes('delete pods'))
  })

  it('drops a dangling reference but keeps an object that still has a live owner', async () => {
    const f = fakeContext([rs('live', 'rs-2'), pod('p', [{ name: 'gone', uid: 'rs-1' }, { name: 'live', uid: 'rs-2' }])])
    await garbageCollector(f.ctx).sync(garbageCollectorKey(pod('p', [])), signal)
    assert.deepEqual(f.informers.of<KubeObject>('v1', 'Pod').get('default/p')?.metadata?.ownerReferences?.map((r) => r.name), ['live'])
    assert.ok(!f.client.verbs().includes('delete pods'))
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Namespace, NamespaceCondition } from 'kubernetes-types/core/v1.js'
import { copy, notFound, type KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import type { Client } from '../../client/index.js'
import { discoverNamespacedResources, type DeletableResource } from './discovery.js'
import { namespaceController } from './namespace-controller.js'

const signal = AbortSignal.timeout(5_000)
const T0 = '2026-01-01T00:00:00Z'
const team = (): KubeObject => ({
  apiVersion: 'v1', kind: 'Namespace',
  metadata: { name: 'team', uid: 'ns-1', resourceVersion: '1', deletionTimestamp: T0 },
  spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
})
const pod = (name: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'team', uid: `pod-${name}` },
  spec: { nodeName: 'n1', terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running' },
})
const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team', uid: `cm-${name}` } })
const RESOURCES: DeletableResource[] = [
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', verbs: ['list', 'delete'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', verbs: ['list', 'delete'] },
]
const discover = async () => ({ resources: RESOURCES })

/** Pods delete gracefully: the server only marks them; the test plays the kubelet. */
function gracefulPods(f: ReturnType<typeof fakeContext>): Client {
  return {
    ...f.client,
    async delete(kind, name, namespace, opts) {
      if (kind.kind !== 'Pod') return f.client.delete(kind, name, namespace, opts)
      f.client.actions.push({ verb: 'delete', resource: 'pods', namespace, name, body: opts })
      const p = f.informers.of<KubeObject>('v1', 'Pod').get(`${namespace}/${name}`)
      if (!p) throw notFound({ group: '', resource: 'pods' }, name)
      const marked = copy(p) as KubeObject
      marked.metadata!.deletionTimestamp = '2026-01-01T00:00:30Z'
      f.informers.set(marked)
      return marked
    },
  }
}
const nsNow = (f: ReturnType<typeof fakeContext>) => f.informers.of<Namespace & KubeObject>('v1', 'Namespace').get('team')!
const condition = (f: ReturnType<typeof fakeContext>, type: string) =>
  nsNow(f).status?.conditions?.find((c) => c.type === type) as NamespaceCondition | undefined

describe('namespace controller', () => {
  it('drains the namespace, waits for terminating pods, then finalizes', async () => {
    const f = fakeContext([team(), pod('a'), cm('settings')])
    f.informers.set({ ...cm('keep'), metadata: { name: 'keep', namespace: 'default', uid: 'cm-keep' } })
    const nc = namespaceController({ ...f.ctx, client: gracefulPods(f) }, { discover })

    const first = await nc.sync('team', signal)
    assert.equal(nsNow(f).status?.phase, 'Terminating')
    assert.deepEqual(first, { requeueAfterMs: 16_000 }, 'half the 30 s grace period, plus one second')
    assert.equal(f.informers.of('v1', 'ConfigMap').list('team').length, 0)
    assert.ok(f.informers.of('v1', 'ConfigMap').get('default/keep'), 'other namespaces are untouched')
    assert.equal(condition(f, 'NamespaceContentRemaining')?.message, 'Some resources are remaining: pods. has 1 resource instances')
    assert.deepEqual(nsNow(f).spec?.finalizers, ['kubernetes'])

    // The kubelet finishes the pod; the grace period has passed.
    f.informers.remove(pod('a'))
    f.clock.ms += 31_000
    assert.equal(await nc.sync('team', signal), undefined)
    const fin = f.client.actions.find((a) => a.verb === 'update' && a.resource.startsWith('namespaces') && !a.resource.endsWith('/status'))
    assert.deepEqual((fin?.body as Namespace).spec?.finalizers, [])
    assert.equal(f.informers.of('v1', 'Namespace').get('team'), undefined, 'finalized: the namespace is gone')
    const lastStatus = f.client.actions.filter((a) => a.verb === 'update' && a.resource === 'namespaces/status').at(-1)
    assert.deepEqual((lastStatus?.body as Namespace).status?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`), [
      'NamespaceDeletionDiscoveryFailure=False/ResourcesDiscovered',
      'NamespaceDeletionGroupVersionParsingFailure=False/ParsedGroupVersions',
      'NamespaceDeletionContentFailure=False/ContentDeleted',
      'NamespaceContentRemaining=False/ContentRemoved',
      'NamespaceFinalizersRemaining=False/ContentRemoved',
    ])
  })

  it('reports objects held by finalizers and waits for them', async () => {
    const held = cm('held')
    held.metadata!.finalizers = ['example.com/hold']
    const f = fakeContext([team(), held])
    // A finalizer keeps the object: the server marks it instead of removing it.
    const client: Client = {
      ...f.client,
      async delete(kind, name, namespace, opts) {
        f.client.actions.push({ verb: 'delete', resource: 'configmaps', namespace, name, body: opts })
        const marked = copy(held)
        marked.metadata!.deletionTimestamp = T0
        f.informers.set(marked)
        return marked
      },
    }
    const r = await namespaceController({ ...f.ctx, client }, { discover }).sync('team', signal)
    assert.deepEqual(r, { requeueAfterMs: 8_000 })
    assert.equal(condition(f, 'NamespaceFinalizersRemaining')?.message, 'Some finalizers are remaining: example.com/hold in 1 resource instances')
    assert.equal(condition(f, 'NamespaceFinalizersRemaining')?.reason, 'SomeFinalizerRemain')
  })

  it('does not finalize when discovery failed for some groups', async () => {
    const f = fakeContext([team()])
    const nc = namespaceController(f.ctx, {
      discover: async () => ({ resources: RESOURCES, error: { message: 'unable to retrieve the complete list of server APIs: apps/v1: boom', failedGroups: 1 } }),
    })
    await assert.rejects(nc.sync('team', signal), /unable to retrieve/)
    assert.equal(condition(f, 'NamespaceDeletionDiscoveryFailure')?.message,
      'Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: apps/v1: boom')
    assert.deepEqual(nsNow(f).spec?.finalizers, ['kubernetes'])
  })

  it('ignores namespaces that are not being deleted', async () => {
    const active = team()
    delete active.metadata!.deletionTimestamp
    const f = fakeContext([active])
    await namespaceController(f.ctx, { discover }).sync('team', signal)
    assert.deepEqual(f.client.verbs(), [])
  })
})

describe('namespaced resource discovery', () => {
  it('keeps deletable namespaced collections of each preferred group version', async () => {
    const docs: Record<string, unknown> = {
      '/api/v1': { groupVersion: 'v1', resources: [
        { name: 'pods', namespaced: true, kind: 'Pod', verbs: ['list', 'delete', 'deletecollection'] },
        { name: 'pods/log', namespaced: true, kind: 'Pod', verbs: ['get'] },
        { name: 'nodes', namespaced: false, kind: 'Node', verbs: ['list', 'delete'] },
        { name: 'bindings', namespaced: true, kind: 'Binding', verbs: ['create'] },
      ] },
      '/apis': { groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
        { name: 'broken', versions: [{ groupVersion: 'broken/v1', version: 'v1' }] }] },
      '/apis/apps/v1': { groupVersion: 'apps/v1', resources: [{ name: 'deployments', namespaced: true, kind: 'Deployment', verbs: ['list', 'delete'] }] },
    }
    const f = fakeContext()
    const client: Client = { ...f.client, getPath: async (path) => {
      if (!(path in docs)) throw notFound({ group: '', resource: '' }, path)
      return docs[path] as never
    } }
    const d = await discoverNamespacedResources(client)
    assert.deepEqual(d.resources.map((r) => `${r.group}/${r.version}/${r.resource}`), ['/v1/pods', 'apps/v1/deployments'])
    assert.equal(d.error?.failedGroups, 1)
    assert.match(d.error?.message ?? '', /^unable to retrieve the complete list of server APIs: broken\/v1: /)
  })
})

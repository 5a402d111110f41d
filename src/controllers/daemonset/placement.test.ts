import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { copy, type KubeObject } from '../../api/index.js'
import { daemonSet, harness, node } from './testing.js'

describe('daemonset controller: placement', () => {
  it('creates one pod per node, bound by node affinity and carrying the daemon tolerations', async () => {
    const h = harness(daemonSet(), [node('n1'), node('n2'), node('n3')])
    await h.sync()
    assert.deepEqual(h.placement(), { n1: ['agent:1'], n2: ['agent:1'], n3: ['agent:1'] })
    const pod = h.pods().find((p) => p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms[0]?.matchFields?.[0]?.values?.[0] === 'n1')!
    assert.deepEqual(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] })
    assert.equal(pod.spec?.nodeName, undefined, 'the scheduler binds it')
    assert.deepEqual(pod.spec?.tolerations?.map((t) => `${t.key}:${t.effect}`), [
      'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
    ])
    assert.match(pod.metadata!.name!, /^ds-/)
    assert.equal(pod.metadata?.labels?.['pod-template-generation'], '1')
    assert.equal(pod.metadata?.labels?.['controller-revision-hash'], h.revisions()[0]?.metadata?.labels?.['controller-revision-hash'])
    assert.ok(h.recorder.events.includes(`Normal SuccessfulCreate Created pod: ${pod.metadata!.name}`))
    h.run()
    await h.sync()
    const s = h.ds().status!
    assert.deepEqual([s.desiredNumberScheduled, s.currentNumberScheduled, s.numberReady, s.numberAvailable, s.updatedNumberScheduled,
      s.numberUnavailable, s.numberMisscheduled, s.observedGeneration], [3, 3, 3, 3, 3, 0, 0, 1])
  })

  it('adds the network-unavailable toleration for hostNetwork pods', async () => {
    const ds = daemonSet()
    ds.spec!.template.spec!.hostNetwork = true
    const h = harness(ds, [node('n1')])
    await h.sync()
    assert.ok(h.pods()[0]!.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/network-unavailable'))
  })

  it('runs only on nodes matching nodeSelector and required node affinity', async () => {
    const ds = daemonSet()
    ds.spec!.template.spec!.nodeSelector = { disk: 'ssd' }
    ds.spec!.template.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] }] } } }
    const h = harness(ds, [node('n1', { disk: 'ssd', zone: 'a' }), node('n2', { disk: 'hdd' }), node('n3', { disk: 'ssd', zone: 'b' })])
    await h.sync()
    assert.deepEqual(Object.keys(h.placement()), ['n1'])
  })

  it('skips nodes whose NoSchedule taints the pod does not tolerate, but not cordoned ones', async () => {
    const ds = daemonSet()
    const h = harness(ds, [
      node('n1', {}, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]),
      node('n2', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]),
      node('n3', {}, [{ key: 'soft', effect: 'PreferNoSchedule' }]),
    ])
    await h.sync()
    assert.deepEqual(Object.keys(h.placement()).sort(), ['n2', 'n3'])
    const tolerant = copy(h.ds())
    tolerant.spec!.template.spec!.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }]
    h.informers.set(tolerant as KubeObject)
    await h.sync()
    assert.deepEqual(Object.keys(h.placement()).sort(), ['n1', 'n2', 'n3'])
  })

  it('follows nodes: added, relabelled out, tainted NoSchedule (kept, misscheduled) and NoExecute (evicted)', async () => {
    const ds = daemonSet()
    ds.spec!.template.spec!.nodeSelector = { role: 'edge' }
    const h = harness(ds, [node('n1', { role: 'edge' }), node('n2', { role: 'edge' })])
    await h.settle()
    h.enqueued.length = 0
    h.informers.set(node('n3', { role: 'edge' }))
    assert.deepEqual(h.enqueued, ['default/ds'], 'a new node wakes the DaemonSet')
    await h.settle()
    assert.deepEqual(Object.keys(h.placement()).sort(), ['n1', 'n2', 'n3'])
    h.informers.set(node('n1', { role: 'core' }))
    await h.settle()
    assert.deepEqual(Object.keys(h.placement()).sort(), ['n2', 'n3'])
    h.informers.set(node('n2', { role: 'edge' }, [{ key: 'maint', effect: 'NoSchedule' }]))
    await h.settle()
    assert.deepEqual(Object.keys(h.placement()).sort(), ['n2', 'n3'], 'a running pod tolerates new NoSchedule taints')
    assert.equal(h.ds().status?.numberMisscheduled, 1)
    assert.equal(h.ds().status?.desiredNumberScheduled, 1)
    h.informers.set(node('n2', { role: 'edge' }, [{ key: 'maint', effect: 'NoExecute' }]))
    await h.settle()
    assert.deepEqual(Object.keys(h.placement()), ['n3'])
  })

  it('deletes an unbound pod whose node is gone', async () => {
    const n2 = node('n2')
    const h = harness(daemonSet(), [node('n1'), n2])
    await h.sync()
    h.informers.remove(n2)
    await h.sync()
    assert.deepEqual(Object.keys(h.placement()), ['n1'])
  })

  it('replaces a failed pod with backoff, reporting FailedDaemonPod', async () => {
    const h = harness(daemonSet(), [node('n1')])
    await h.settle()
    const fail = () => {
      const p = copy(h.pods()[0]!) as Pod
      h.informers.set({ ...p, status: { phase: 'Failed' } } as KubeObject)
    }
    fail()
    await h.sync()
    assert.ok(h.recorder.events.some((e) => e.startsWith('Warning FailedDaemonPod Found failed daemon pod default/ds-')))
    await h.sync()
    assert.equal(h.pods().length, 1)
    h.run()
    fail()
    const result = await h.sync()
    assert.deepEqual(result, { requeueAfterMs: 1000 }, 'a second failure within the backoff waits')
    assert.equal(h.pods()[0]?.status?.phase, 'Failed')
    const failedName = h.pods()[0]!.metadata!.name
    h.clock.ms += 1000
    await h.sync()
    assert.ok(!h.pods().some((p) => p.metadata?.name === failedName), 'deleted once the backoff passed')
  })

  it('does not create twice while its informer has not yet shown the first pods', async () => {
    const h = harness(daemonSet(), [node('n1'), node('n2')])
    const create = h.client.create.bind(h.client)
    const hidden: KubeObject[] = []
    // A lagging watch: the server made the pod, but neither the cache nor the triggers saw it yet.
    h.client.create = async (obj, opts) => {
      if (obj.kind !== 'Pod') return create(obj, opts)
      h.client.actions.push({ verb: 'create', resource: 'pods', namespace: 'default' })
      const made = copy(obj) as KubeObject
      made.metadata = { ...made.metadata, name: `ds-lag${hidden.length}`, uid: `lag-${hidden.length}`, resourceVersion: '5' }
      hidden.push(made)
      return made as never
    }
    await h.sync()
    await h.sync()
    assert.equal(h.client.verbs().filter((v) => v === 'create pods').length, 2)
    h.client.create = create
    for (const p of hidden) h.informers.set(p)
    await h.sync()
    assert.equal(h.pods().length, 2)
  })
})

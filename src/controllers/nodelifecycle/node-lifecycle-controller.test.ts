import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { rfc3339 } from '../util/index.js'
import { nodeLifecycleController } from './node-lifecycle-controller.js'
import { desiredTaints } from './taints.js'

const signal = AbortSignal.timeout(5_000)
const T0 = Date.parse('2026-01-01T00:00:00Z')
const node = (ready: string, heartbeatMs: number, taints: Taint[] = []): KubeObject => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name: 'n1', uid: 'node-1', resourceVersion: '1', creationTimestamp: rfc3339(T0 - 3600_000) },
  spec: { taints },
  status: { conditions: [
    { type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: rfc3339(heartbeatMs), lastTransitionTime: rfc3339(T0 - 3600_000) },
    { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: rfc3339(heartbeatMs), lastTransitionTime: rfc3339(T0 - 3600_000) },
  ] },
})
const lease = (renewMs: number): KubeObject => ({
  apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' },
  spec: { holderIdentity: 'n1', renewTime: new Date(renewMs).toISOString().replace('Z', '000Z') },
})
const pod = (name: string, tolerations: Toleration[] = []): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `pod-${name}`, resourceVersion: '1' },
  spec: { nodeName: 'n1', tolerations, containers: [{ name: 'c', image: 'x' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
} satisfies Pod as KubeObject)
const unreachableFor = (seconds?: number): Toleration[] =>
  [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', ...(seconds === undefined ? {} : { tolerationSeconds: seconds }) }]

function setup(opts: Parameters<typeof nodeLifecycleController>[1] = {}) {
  const f = fakeContext([node('True', T0), lease(T0), pod('intolerant'), pod('patient', unreachableFor(300)), pod('forever', unreachableFor())])
  f.clock.ms = T0
  const c = nodeLifecycleController(f.ctx, opts)
  const n1 = () => f.informers.of<Node & KubeObject>('v1', 'Node').get('n1')!
  const podNamed = (name: string) => f.informers.of<Pod & KubeObject>('v1', 'Pod').get(`default/${name}`)
  return { f, c, n1, podNamed }
}

describe('node lifecycle controller', () => {
  it('leaves a node alone while its Lease is renewed', async () => {
    const { f, c } = setup()
    assert.deepEqual(await c.sync('n1', signal), { requeueAfterMs: 40_001 })
    f.clock.ms += 30_000
    f.informers.set(lease(f.clock.ms))
    f.clock.ms += 30_000 // 60 s since the last status, 30 s since the Lease
    await c.sync('n1', signal)
    assert.deepEqual(f.client.verbs(), [])
  })

  it('marks a silent node Unknown, taints it, marks its pods not ready and evicts by tolerations', async () => {
    const { f, c, n1, podNamed } = setup()
    await c.sync('n1', signal)
    f.clock.ms += 40_001
    const r = await c.sync('n1', signal)

    const ready = n1().status?.conditions?.find((x) => x.type === 'Ready')
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'])
    assert.equal(n1().status?.conditions?.find((x) => x.type === 'MemoryPressure')?.status, 'Unknown')
    assert.deepEqual(n1().spec?.taints?.map((t) => `${t.key}:${t.effect}`),
      ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute'])
    assert.equal(n1().spec?.taints?.[1]?.timeAdded, rfc3339(f.clock.ms))

    assert.equal(podNamed('intolerant'), undefined, 'a pod that does not tolerate the taint goes at once')
    const intolerantStatus = f.client.actions.find((a) => a.resource === 'pods/status' && a.name === 'intolerant' &&
      (a.body as Pod).status?.conditions?.some((x) => x.type === 'DisruptionTarget'))
    assert.ok(intolerantStatus, 'marked DisruptionTarget before deletion')
    assert.equal(podNamed('patient')?.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'False')
    assert.deepEqual(f.recorder.events.filter((e) => !e.includes('NodeNotReady Node is not ready')), [
      'Normal NodeNotReady Node n1 status is now: NodeNotReady',
      'Normal TaintManagerEviction Marking for deletion Pod default/intolerant',
    ])
    assert.deepEqual(r, { requeueAfterMs: 300_000 })

    f.clock.ms += 299_000
    await c.sync('n1', signal)
    assert.ok(podNamed('patient'), 'still within its tolerationSeconds')
    f.clock.ms += 1_000
    await c.sync('n1', signal)
    assert.equal(podNamed('patient'), undefined)
    assert.ok(podNamed('forever'), 'a toleration without seconds tolerates forever')
  })

  it('removes the taints and cancels evictions when the kubelet comes back', async () => {
    const { f, c, n1, podNamed } = setup()
    await c.sync('n1', signal)
    f.clock.ms += 40_001
    await c.sync('n1', signal)
    f.clock.ms += 10_000
    f.informers.set(node('True', f.clock.ms, n1().spec?.taints as never))
    await c.sync('n1', signal)
    assert.deepEqual(n1().spec?.taints, [])
    assert.ok(f.recorder.events.includes('Normal TaintManagerEviction Cancelling deletion of Pod default/patient'))
    f.clock.ms += 600_000
    f.informers.set(lease(f.clock.ms))
    await c.sync('n1', signal)
    assert.ok(podNamed('patient'))
  })

  it('podEvictionTimeoutMs caps the wait granted by lifecycle tolerations', async () => {
    const { f, c, podNamed } = setup({ podEvictionTimeoutMs: 5_000 })
    await c.sync('n1', signal)
    f.clock.ms += 40_001
    assert.deepEqual(await c.sync('n1', signal), { requeueAfterMs: 5_000 })
    f.clock.ms += 5_000
    await c.sync('n1', signal)
    assert.equal(podNamed('patient'), undefined)
    assert.ok(podNamed('forever'))
  })

  it('gives a node that never posted status the startup grace period', async () => {
    const fresh: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n', creationTimestamp: rfc3339(T0) } }
    const f = fakeContext([fresh])
    f.clock.ms = T0 + 59_000
    const c = nodeLifecycleController(f.ctx)
    await c.sync('n1', signal)
    assert.deepEqual(f.client.verbs(), [])
    f.clock.ms = T0 + 60_001
    await c.sync('n1', signal)
    const ready = f.informers.of<Node & KubeObject>('v1', 'Node').get('n1')?.status?.conditions?.find((x) => x.type === 'Ready')
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.'])
  })
})

describe('condition taints', () => {
  it('mirror the conditions and spec.unschedulable, keeping taints owned by others', () => {
    const n: Node = {
      spec: { unschedulable: true, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] },
      status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'True' }] },
    }
    assert.deepEqual(desiredTaints(n, 'now')?.map((t) => `${t.key}:${t.effect}`),
      ['dedicated:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule'])
    assert.equal(desiredTaints({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'now'), undefined)
  })

  it('swap not-ready and unreachable NoExecute as Ready changes', () => {
    const n: Node = {
      spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'then' }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    }
    assert.deepEqual(desiredTaints(n, 'now'), [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: 'now' },
    ])
  })
})

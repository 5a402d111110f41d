import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { fakeContext as fake } from '../../client/testing.js'
import { podGCController } from './gc-controller.js'

const signal = AbortSignal.timeout(10_000)
const fakeContext = (objects: object[]) => fake(objects as never)

const node = (name: string, extra: Partial<Node> = {}): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name },
  status: { conditions: [{ type: 'Ready', status: 'True' }] }, ...extra,
})
const pod = (name: string, nodeName: string | undefined, status: Pod['status'] = { phase: 'Running' }, meta: Partial<Pod['metadata']> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `${name}-uid`, ...meta },
  spec: { containers: [{ name: 'app' }], ...(nodeName ? { nodeName } : {}) }, status,
})
const podNames = (f: ReturnType<typeof fakeContext>) =>
  f.informers.of<Pod>('v1', 'Pod').list().map((p) => p.metadata?.name).sort()

describe('podGCController', () => {
  it('deletes pods of a vanished node only after the 40 s quarantine, marking them Failed', async () => {
    const f = fakeContext([node('n1'), pod('kept', 'n1'), pod('orphan', 'gone', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] })])
    const gc = podGCController(f.ctx).tick!
    await gc.run(signal)
    f.clock.ms += 39_000
    await gc.run(signal)
    assert.deepEqual(podNames(f), ['kept', 'orphan'])
    f.clock.ms += 1_000
    await gc.run(signal)
    assert.deepEqual(podNames(f), ['kept'])
    assert.deepEqual(f.client.verbs().filter((v) => v !== 'list'), ['get nodes', 'patch pods/status', 'delete pods'])
    const patch = f.client.actions.find((a) => a.resource === 'pods/status')!.body as { status: Pod['status'] }
    assert.equal(patch.status!.phase, 'Failed')
    assert.deepEqual(patch.status!.conditions!.map((c) => [c.type, c.status, c.reason, c.message]),
      [['Ready', 'True', undefined, undefined], ['DisruptionTarget', 'True', 'DeletionByPodGC', 'PodGC: node no longer exists']])
    assert.deepEqual(f.client.actions.find((a) => a.verb === 'delete')!.body, { gracePeriodSeconds: 0, signal })
  })

  it('spares the pods of a node that shows up during quarantine', async () => {
    const f = fakeContext([pod('p', 'late')])
    const gc = podGCController(f.ctx).tick!
    await gc.run(signal)
    f.informers.set(node('late') as never)
    f.clock.ms += 41_000
    await gc.run(signal)
    assert.deepEqual(podNames(f), ['p'])
  })

  it('keeps at most the threshold of finished pods, deleting evicted and oldest first', async () => {
    const at = (s: number) => ({ creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString() })
    const f = fakeContext([node('n1'),
      pod('old', 'n1', { phase: 'Succeeded' }, at(1)), pod('mid', 'n1', { phase: 'Failed' }, at(2)),
      pod('new', 'n1', { phase: 'Succeeded' }, at(3)), pod('evicted', 'n1', { phase: 'Failed', reason: 'Evicted' }, at(4)),
      pod('running', 'n1', { phase: 'Running' }, at(0))])
    await podGCController(f.ctx, { terminatedPodThreshold: 2 }).tick!.run(signal)
    assert.deepEqual(podNames(f), ['mid', 'new', 'running'].sort())
    assert.ok(!f.client.verbs().includes('patch pods/status')) // already finished: nothing to mark
  })

  it('deletes terminating pods that were never scheduled, and those on out-of-service nodes', async () => {
    const deleting = { deletionTimestamp: '2026-01-01T00:00:00Z' }
    const down = node('down', { spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] }, status: { conditions: [{ type: 'Ready', status: 'False' }] } })
    const f = fakeContext([node('n1'), down, pod('unscheduled', undefined, { phase: 'Pending' }, deleting),
      pod('stuck', 'down', { phase: 'Running' }, deleting), pod('draining', 'n1', { phase: 'Running' }, deleting), pod('fine', undefined, { phase: 'Pending' })])
    await podGCController(f.ctx).tick!.run(signal)
    assert.deepEqual(podNames(f), ['draining', 'fine'])
  })
})

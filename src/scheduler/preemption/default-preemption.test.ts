import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js'
import type { Cached } from '../../api/index.js'
import { fakeClient, fakeInformers } from '../../client/testing.js'
import { DEFAULT_SCORE_WEIGHTS, defaultPlugins } from '../default-plugins.js'
import { newPodInfo } from '../framework/pod-info.js'
import { newFramework } from '../framework/runtime.js'
import { newCycleState } from '../framework/types.js'
import { schedulePod } from '../schedule-pod.js'
import { makeNode, makePod, snapshot } from '../testing.js'
import { pickOneNodeForPreemption } from './candidates.js'
import { preempt } from './default-preemption.js'

function run(nodes: Node[], existing: Pod[], pod: Pod, pdbs: PodDisruptionBudget[] = []) {
  const { handle } = snapshot(nodes, existing)
  const informers = fakeInformers()
  const fwk = newFramework(defaultPlugins({ informers, client: fakeClient(informers), handle }), DEFAULT_SCORE_WEIGHTS)
  const state = newCycleState(newPodInfo(pod as Cached<Pod>))
  const r = schedulePod({ fwk, handle, nominatedPodsForNode: () => [], percentageOfNodesToScore: 0, nextStartNodeIndex: 0, random: () => 0 },
    state, pod as Cached<Pod>)
  assert.ok('fitError' in r, 'the pod should not fit before preemption')
  const pr = preempt({ fwk, handle, nominatedPodsForNode: () => [], pdbs: () => pdbs as Cached<PodDisruptionBudget>[], random: () => 0 },
    state, pod as Cached<Pod>, r.fitError.diagnosis.nodeToStatus)
  return { node: pr.nominatedNodeName, victims: pr.candidate?.victims.map((v) => v.pod.metadata?.name) }
}

describe('DefaultPreemption', () => {
  it('evicts the fewest, least important pods', () => {
    const nodes = [makeNode('n1', { cpu: '2' }), makeNode('n2', { cpu: '2' })]
    const existing = [
      makePod('low', { nodeName: 'n1', cpu: '1', priority: 1 }), makePod('mid', { nodeName: 'n1', cpu: '1', priority: 5 }),
      makePod('mid2', { nodeName: 'n2', cpu: '1', priority: 5 }), makePod('mid3', { nodeName: 'n2', cpu: '1', priority: 5 }),
    ]
    assert.deepEqual(run(nodes, existing, makePod('vip', { cpu: '1', priority: 10 })), { node: 'n1', victims: ['low'] })
  })
  it('never evicts pods of equal or higher priority', () => {
    const nodes = [makeNode('n1', { cpu: '1' })]
    assert.deepEqual(run(nodes, [makePod('peer', { nodeName: 'n1', cpu: '1', priority: 10 })], makePod('vip', { cpu: '1', priority: 10 })),
      { node: '', victims: undefined })
  })
  it('prefers a node where no PodDisruptionBudget is violated', () => {
    const nodes = [makeNode('n1', { cpu: '1' }), makeNode('n2', { cpu: '1' })]
    const existing = [makePod('guarded', { nodeName: 'n1', cpu: '1', priority: 1, labels: { app: 'db' } }),
      makePod('free', { nodeName: 'n2', cpu: '1', priority: 1, labels: { app: 'web' } })]
    const pdb: PodDisruptionBudget = { metadata: { name: 'db', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'db' } } },
      status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } }
    assert.deepEqual(run(nodes, existing, makePod('vip', { cpu: '1', priority: 10 }), [pdb]), { node: 'n2', victims: ['free'] })
  })
  it('ranks candidates by upstream criteria in order', () => {
    const pi = (name: string, priority: number, start: string) =>
      newPodInfo({ metadata: { name, uid: name }, spec: { containers: [], priority }, status: { startTime: start } } as Cached<Pod>)
    const a = { nodeName: 'a', numPDBViolations: 0, victims: [pi('a1', 5, '2026-01-01T00:00:00Z')] }
    const b = { nodeName: 'b', numPDBViolations: 0, victims: [pi('b1', 5, '2026-01-02T00:00:00Z')] }
    const c = { nodeName: 'c', numPDBViolations: 0, victims: [pi('c1', 3, '2026-01-01T00:00:00Z'), pi('c2', 3, '2026-01-01T00:00:00Z')] }
    assert.equal(pickOneNodeForPreemption([a, b, c])?.nodeName, 'c', 'lowest highest-priority victim wins')
    assert.equal(pickOneNodeForPreemption([a, b])?.nodeName, 'b', 'then the victims that started last')
    assert.equal(pickOneNodeForPreemption([{ ...c, numPDBViolations: 1 }, a])?.nodeName, 'a', 'PDB violations count first')
  })
})

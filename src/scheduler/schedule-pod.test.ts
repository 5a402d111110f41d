import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../api/index.js'
import { fakeClient, fakeInformers } from '../client/testing.js'
import { DEFAULT_SCORE_WEIGHTS, defaultPlugins } from './default-plugins.js'
import { fitErrorMessage } from './framework/fit-error.js'
import { newPodInfo } from './framework/pod-info.js'
import { newFramework } from './framework/runtime.js'
import { newCycleState } from './framework/types.js'
import { preempt } from './preemption/default-preemption.js'
import { numFeasibleNodesToFind, schedulePod, selectHost, type SchedulingContext } from './schedule-pod.js'
import { makeNode, makePod, snapshot } from './testing.js'

/** Runs one cycle with the default plugins and, on failure, preemption: the host or the message. */
function attempt(nodes: Node[], existing: Pod[], pod: Pod): string {
  const { handle } = snapshot(nodes, existing)
  const informers = fakeInformers()
  const fwk = newFramework(defaultPlugins({ informers, client: fakeClient(informers), handle }), DEFAULT_SCORE_WEIGHTS)
  const sc: SchedulingContext = { fwk, handle, nominatedPodsForNode: () => [], percentageOfNodesToScore: 0, nextStartNodeIndex: 0, random: () => 0 }
  const state = newCycleState(newPodInfo(pod as Cached<Pod>))
  const r = schedulePod(sc, state, pod as Cached<Pod>)
  if (!('fitError' in r)) return r.suggestedHost
  const pr = preempt({ fwk, handle, nominatedPodsForNode: () => [], pdbs: () => [], random: () => 0 }, state, pod as Cached<Pod>,
    r.fitError.diagnosis.nodeToStatus)
  r.fitError.diagnosis.postFilterMsg = 'reasons' in pr.status ? `preemption: ${pr.status.reasons.join(', ')}` : ''
  return fitErrorMessage(r.fitError)
}

describe('FailedScheduling message', () => {
  const nodes = () => [makeNode('n1', { cpu: '1', labels: { pool: 'a' } }), makeNode('n2', { labels: { pool: 'b' } }), makeNode('n3', { labels: { pool: 'b' } })]
  it('counts and sorts reasons as upstream, with the preemption verdict', () => {
    const pod = makePod('p', { cpu: '2', nodeSelector: { pool: 'a' } })
    assert.equal(attempt(nodes(), [], pod),
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. " +
      'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..')
  })
  it('says when preemption found no victims on the nodes it could help with', () => {
    const pod = makePod('p', { cpu: '1', nodeSelector: { pool: 'a' } })
    const busy = makePod('busy', { cpu: '500m', nodeName: 'n1', priority: 10 })
    assert.equal(attempt(nodes(), [busy], pod),
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. " +
      'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling..')
  })
  it('honours preemptionPolicy Never', () => {
    const pod = makePod('p', { cpu: '1', priority: 100, preemptionPolicy: 'Never', nodeSelector: { pool: 'a' } })
    const busy = makePod('busy', { cpu: '500m', nodeName: 'n1' })
    assert.equal(attempt(nodes(), [busy], pod),
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. " +
      'preemption: not eligible due to preemptionPolicy=Never..')
  })
  it('reports a PreFilter rejection once for all nodes', () => {
    const pod = makePod('p', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'missing' } }] })
    assert.equal(attempt(nodes(), [], pod),
      '0/3 nodes are available: persistentvolumeclaim "missing" not found. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..')
  })
})

describe('schedulePod', () => {
  it('picks the node the scores favour', () => {
    const nodes = [makeNode('a'), makeNode('b'), makeNode('c')]
    const existing = [makePod('x', { nodeName: 'a', cpu: '2' }), makePod('y', { nodeName: 'c', cpu: '1' })]
    assert.equal(attempt(nodes, existing, makePod('p', { cpu: '1' })), 'b')
  })
  it('scores only enough nodes in big clusters, starting where the last cycle stopped', () => {
    assert.equal(numFeasibleNodesToFind(0, 50), 50)
    assert.equal(numFeasibleNodesToFind(0, 1000), 420) // 50 - 8 = 42%
    assert.equal(numFeasibleNodesToFind(0, 5000), 500) // 10%
    assert.equal(numFeasibleNodesToFind(0, 10_000), 500) // floor of 5%
    const { handle } = snapshot(Array.from({ length: 300 }, (_, i) => makeNode(`n${i}`)))
    const informers = fakeInformers()
    const fwk = newFramework(defaultPlugins({ informers, client: fakeClient(informers), handle }), DEFAULT_SCORE_WEIGHTS)
    const sc: SchedulingContext = { fwk, handle, nominatedPodsForNode: () => [], percentageOfNodesToScore: 0, nextStartNodeIndex: 0, random: () => 0 }
    const pod = makePod('p') as Cached<Pod>
    const first = schedulePod(sc, newCycleState(newPodInfo(pod)), pod)
    assert.ok(!('fitError' in first) && first.evaluatedNodes === 144, JSON.stringify(first)) // 48% of 300
    assert.equal(sc.nextStartNodeIndex, 144)
  })
  it('breaks ties uniformly (reservoir sampling)', () => {
    const { cache } = snapshot([makeNode('a'), makeNode('b'), makeNode('c')])
    const nodes = cache.nodes()
    let r = [0.9, 0.9] // keep the first, then keep it again
    assert.equal(selectHost(nodes, [5, 5, 5], () => r.shift()!), 'a')
    r = [0.9, 0.1] // the third replaces the first with probability 1/3
    assert.equal(selectHost(nodes, [5, 5, 5], () => r.shift()!), 'c')
    assert.equal(selectHost(nodes, [1, 7, 5], () => 0), 'b')
  })
})

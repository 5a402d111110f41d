import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import type { NodeInfo } from '../framework/node-info.js'
import { newPodInfo } from '../framework/pod-info.js'
import { newCycleState, type AnyPlugin, type Status } from '../framework/types.js'
import { makeNode, makePod, snapshot } from '../testing.js'
import { balancedAllocation } from './balanced-allocation.js'
import { nodeAffinity } from './node-affinity.js'
import { nodeName } from './node-name.js'
import { nodePorts } from './node-ports.js'
import { nodeResourcesFit } from './node-resources-fit.js'
import { nodeUnschedulable } from './node-unschedulable.js'
import { taintToleration } from './taint-toleration.js'

const P = (p: Pod) => p as Cached<Pod>

/** Runs preFilter (if any) then filter: the verdict, or 'Skip' when preFilter opted out. */
function runFilter(plugin: AnyPlugin, pod: Pod, node: NodeInfo, nodes: NodeInfo[] = [node]): Status {
  const state = newCycleState(newPodInfo(P(pod)))
  const pre = plugin.preFilter?.(state, P(pod), nodes)
  if (pre?.code === 'Skip') return pre
  if (pre && pre.code !== 'Success') return pre
  return plugin.filter!(state, P(pod), node)
}
function runScores(plugin: AnyPlugin, pod: Pod, nodes: NodeInfo[]): number[] | 'Skip' {
  const state = newCycleState(newPodInfo(P(pod)))
  if (plugin.preScore?.(state, P(pod), nodes).code === 'Skip') return 'Skip'
  const scores = nodes.map((n) => plugin.score!(state, P(pod), n))
  plugin.normalizeScore?.(state, P(pod), scores, nodes)
  return scores
}
const only = (nodes: Parameters<typeof snapshot>[0], pods: Pod[] = []) => {
  const { cache } = snapshot(nodes, pods)
  return cache.nodes() as NodeInfo[]
}

describe('NodeName', () => {
  it('fits only the named node', () => {
    const [a, b] = only([makeNode('a'), makeNode('b')])
    const pod = makePod('p')
    pod.spec!.nodeName = 'a'
    assert.equal(runFilter(nodeName, pod, a!).code, 'Success')
    assert.deepEqual(runFilter(nodeName, pod, b!), { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match the requested node name"] })
  })
})

describe('NodeUnschedulable', () => {
  it('rejects a cordoned node unless the pod tolerates it', () => {
    const [n] = only([makeNode('a', { unschedulable: true })])
    assert.deepEqual(runFilter(nodeUnschedulable, makePod('p'), n!), { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'] })
    const tolerant = makePod('q', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] })
    assert.equal(runFilter(nodeUnschedulable, tolerant, n!).code, 'Success')
  })
})

describe('NodeResourcesFit', () => {
  it('reports each missing resource in upstream words', () => {
    const [n] = only([makeNode('a', { cpu: '2', memory: '1Gi', pods: 1 })], [makePod('x', { nodeName: 'a', cpu: '1500m' })])
    assert.deepEqual(runFilter(nodeResourcesFit, makePod('p', { cpu: '1', memory: '2Gi' }), n!),
      { code: 'UnschedulableAndUnresolvable', reasons: ['Too many pods', 'Insufficient cpu', 'Insufficient memory'] })
    const [m] = only([makeNode('b', { cpu: '2' })], [makePod('x', { nodeName: 'b', cpu: '1500m' })])
    assert.deepEqual(runFilter(nodeResourcesFit, makePod('p', { cpu: '1' }), m!), { code: 'Unschedulable', reasons: ['Insufficient cpu'] })
    assert.equal(runFilter(nodeResourcesFit, makePod('p', { cpu: '500m' }), m!).code, 'Success')
  })
  it('counts init containers as a maximum and adds overhead', () => {
    const pod = makePod('p', { cpu: '100m' })
    pod.spec!.initContainers = [{ name: 'i', image: 'x', resources: { requests: { cpu: '1' } } }]
    pod.spec!.overhead = { cpu: '250m' }
    assert.equal(newPodInfo(P(pod)).requests.milliCPU, 1250)
  })
  it('LeastAllocated prefers the emptier node', () => {
    const nodes = only([makeNode('a'), makeNode('b')], [makePod('x', { nodeName: 'a', cpu: '2', memory: '4Gi' })])
    const scores = runScores(nodeResourcesFit, makePod('p', { cpu: '1', memory: '1Gi' }), nodes) as number[]
    const byName = Object.fromEntries(nodes.map((n, i) => [n.name, scores[i]]))
    assert.deepEqual(byName, { a: 31, b: 81 }) // (4-3)/4=25 & (8-5)/8=37 → 31; (4-1)/4=75 & 7/8=87 → 81
  })
})

describe('NodeResourcesBalancedAllocation', () => {
  it('prefers a node where cpu and memory end up equally used, and skips best-effort pods', () => {
    const nodes = only([makeNode('a'), makeNode('b')], [makePod('x', { nodeName: 'a', cpu: '2' })])
    const pod = makePod('p', { cpu: '1', memory: '2Gi' })
    const scores = runScores(balancedAllocation, pod, nodes) as number[]
    const byName = Object.fromEntries(nodes.map((n, i) => [n.name, scores[i]]))
    assert.deepEqual(byName, { a: 75, b: 100 }) // a: cpu 3/4, mem 2/8 → std .25
    assert.equal(runScores(balancedAllocation, makePod('be'), nodes), 'Skip')
  })
})

describe('NodeAffinity', () => {
  const nodes = () => only([makeNode('a', { labels: { disk: 'ssd', gen: '5' } }), makeNode('b', { labels: { disk: 'hdd' } })])
  it('matches nodeSelector and required terms', () => {
    const [a, b] = nodes()
    const pod = makePod('p', { nodeSelector: { disk: 'ssd' } })
    assert.equal(runFilter(nodeAffinity, pod, a!).code, 'Success')
    assert.deepEqual(runFilter(nodeAffinity, pod, b!), { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match Pod's node affinity/selector"] })
    const gt = makePod('q', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }] } } } })
    assert.equal(runFilter(nodeAffinity, gt, a!).code, 'Success')
    assert.equal(runFilter(nodeAffinity, gt, b!).code, 'UnschedulableAndUnresolvable')
    assert.equal(runFilter(nodeAffinity, makePod('free'), b!).code, 'Skip')
  })
  it('scores preferred terms by weight, scaled to 100', () => {
    const pod = makePod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] } },
      { weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
    ] } } })
    assert.deepEqual(runScores(nodeAffinity, pod, nodes()), [33, 100])
  })
})

describe('TaintToleration', () => {
  it('names the first untolerated NoSchedule taint', () => {
    const [n] = only([makeNode('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })])
    assert.deepEqual(runFilter(taintToleration, makePod('p'), n!),
      { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {dedicated: gpu}'] })
    const ok = makePod('q', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] })
    assert.equal(runFilter(taintToleration, ok, n!).code, 'Success')
  })
  it('scores fewer untolerated PreferNoSchedule taints higher', () => {
    const nodes = only([makeNode('a', { taints: [{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }] }), makeNode('b')])
    assert.deepEqual(runScores(taintToleration, makePod('p'), nodes), [0, 100])
  })
})

describe('NodePorts', () => {
  it('rejects a node whose host port is taken', () => {
    const [n] = only([makeNode('a')], [makePod('x', { nodeName: 'a', hostPort: 8080 })])
    assert.deepEqual(runFilter(nodePorts, makePod('p', { hostPort: 8080 }), n!),
      { code: 'Unschedulable', reasons: ["node(s) didn't have free ports for the requested pod ports"] })
    assert.equal(runFilter(nodePorts, makePod('q', { hostPort: 8081 }), n!).code, 'Success')
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { newPodInfo } from '../framework/pod-info.js'
import { newCycleState, type AnyPlugin, type Handle } from '../framework/types.js'
import { makeNode, makePod, snapshot } from '../testing.js'
import { interPodAffinity } from './inter-pod-affinity/plugin.js'
import { podTopologySpread } from './pod-topology-spread/plugin.js'

const P = (p: Pod) => p as Cached<Pod>
const zoned = (name: string, zone: string) => makeNode(name, { labels: { 'topology.kubernetes.io/zone': zone } })

/** Filter verdict per node name ('Success' or the first reason). */
function verdicts(make: (h: Handle) => AnyPlugin, nodes: Node[], existing: Pod[], pod: Pod) {
  const { handle } = snapshot(nodes, existing)
  const plugin = make(handle)
  const state = newCycleState(newPodInfo(P(pod)))
  const pre = plugin.preFilter!(state, P(pod), handle.nodes())
  if (pre.code === 'Skip') return 'Skip'
  return Object.fromEntries(handle.nodes().map((n) => {
    const s = plugin.filter!(state, P(pod), n)
    return [n.name, 'reasons' in s ? s.reasons[0] : s.code]
  }))
}
function scores(make: (h: Handle) => AnyPlugin, nodes: Node[], existing: Pod[], pod: Pod) {
  const { handle } = snapshot(nodes, existing)
  const plugin = make(handle)
  const state = newCycleState(newPodInfo(P(pod)))
  const all = handle.nodes()
  if (plugin.preScore!(state, P(pod), all).code === 'Skip') return 'Skip'
  const s = all.map((n) => plugin.score!(state, P(pod), n))
  plugin.normalizeScore?.(state, P(pod), s, all)
  return Object.fromEntries(all.map((n, i) => [n.name, s[i]]))
}

const term = (labels: Record<string, string>, topologyKey: string) => ({ labelSelector: { matchLabels: labels }, topologyKey })

describe('InterPodAffinity', () => {
  const nodes = [zoned('a', 'z1'), zoned('b', 'z1'), zoned('c', 'z2')]
  const web = makePod('web', { nodeName: 'a', labels: { app: 'web' } })
  it('required affinity needs a matching pod in the same domain', () => {
    const pod = makePod('p', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'topology.kubernetes.io/zone')] } } })
    assert.deepEqual(verdicts(interPodAffinity, nodes, [web], pod), { a: 'Success', b: 'Success', c: "node(s) didn't match pod affinity rules" })
  })
  it('lets the first pod of a self-affine group in', () => {
    const pod = makePod('p', { labels: { app: 'db' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'kubernetes.io/hostname')] } } })
    assert.deepEqual(verdicts(interPodAffinity, nodes, [web], pod), { a: 'Success', b: 'Success', c: 'Success' })
  })
  it('required anti-affinity keeps the pod out of the domain', () => {
    const pod = makePod('p', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'topology.kubernetes.io/zone')] } } })
    assert.deepEqual(verdicts(interPodAffinity, nodes, [web], pod),
      { a: "node(s) didn't match pod anti-affinity rules", b: "node(s) didn't match pod anti-affinity rules", c: 'Success' })
  })
  it("honours existing pods' anti-affinity against the incoming pod", () => {
    const guard = makePod('guard', { nodeName: 'c', affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'noisy' }, 'kubernetes.io/hostname')] } } })
    assert.deepEqual(verdicts(interPodAffinity, nodes, [guard], makePod('p', { labels: { app: 'noisy' } })),
      { a: 'Success', b: 'Success', c: "node(s) didn't satisfy existing pods anti-affinity rules" })
    assert.equal(verdicts(interPodAffinity, nodes, [web], makePod('q')), 'Skip')
  })
  it('scores preferred affinity between min and max', () => {
    const pod = makePod('p', { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 10, podAffinityTerm: term({ app: 'web' }, 'kubernetes.io/hostname') }] } } })
    assert.deepEqual(scores(interPodAffinity, nodes, [web], pod), { a: 100, b: 0, c: 0 })
  })
})

describe('PodTopologySpread', () => {
  const nodes = [zoned('a', 'z1'), zoned('b', 'z2'), zoned('c', 'z3')]
  const spread = (maxSkew: number, extra: object = {}) => makePod('p', { labels: { app: 'w' }, topologySpreadConstraints: [{
    maxSkew, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } }, ...extra }] })
  const w = (name: string, node: string) => makePod(name, { nodeName: node, labels: { app: 'w' } })
  it('rejects domains that would exceed maxSkew', () => {
    assert.deepEqual(verdicts(podTopologySpread, nodes, [w('1', 'a'), w('2', 'b')], spread(1)),
      { a: "node(s) didn't match pod topology spread constraints", b: "node(s) didn't match pod topology spread constraints", c: 'Success' })
  })
  it('treats missing domains as empty under minDomains, and a node without the key as unresolvable', () => {
    const two = [zoned('a', 'z1'), zoned('b', 'z2'), makeNode('bare')]
    assert.deepEqual(verdicts(podTopologySpread, two, [w('1', 'a'), w('2', 'b')], spread(1, { minDomains: 3 })), {
      a: "node(s) didn't match pod topology spread constraints", b: "node(s) didn't match pod topology spread constraints",
      bare: "node(s) didn't match pod topology spread constraints (missing required label)" })
  })
  it('ScheduleAnyway scores the emptier domain higher', () => {
    const pod = makePod('p', { labels: { app: 'w' }, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'w' } } }] })
    const s = scores(podTopologySpread, nodes, [w('1', 'a'), w('2', 'a'), w('3', 'b')], pod) as Record<string, number>
    assert.ok(s.c! > s.b! && s.b! > s.a!, JSON.stringify(s))
    assert.equal(s.c, 100)
  })
})

describe('PodTopologySpread running counts', () => {
  it('follow pods assumed and removed after the first cycle', () => {
    const nodes = [zoned('a', 'z1'), zoned('b', 'z2')]
    const w = (name: string, node: string) => makePod(name, { nodeName: node, labels: { app: 'w' } })
    const { cache, handle } = snapshot(nodes, [w('1', 'a')])
    const plugin = podTopologySpread(handle)
    const pod = makePod('p', { labels: { app: 'w' }, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'w' } } }] })
    const scoreOf = () => {
      const state = newCycleState(newPodInfo(P(pod)))
      plugin.preScore(state, P(pod), handle.nodes())
      const s = handle.nodes().map((n) => plugin.score(state, P(pod), n))
      plugin.normalizeScore(state, P(pod), s, handle.nodes())
      return Object.fromEntries(handle.nodes().map((n, i) => [n.name, s[i]]))
    }
    assert.deepEqual(scoreOf(), { a: 0, b: 100 })
    const two = newPodInfo(P(w('2', 'b')))
    const three = newPodInfo(P(w('3', 'b')))
    cache.assumePod(two, 'b')
    cache.assumePod(three, 'b')
    assert.deepEqual(scoreOf(), { a: 100, b: 33 }) // raw 1 vs 3 (counts 1 and 2, weight ln 4)
    cache.forgetPod(two.uid)
    cache.forgetPod(three.uid)
    assert.deepEqual(scoreOf(), { a: 0, b: 100 })
  })
})

/**
 * @module
 * PodTopologySpread's filter (DoNotSchedule): counts matching pods per topology domain over
 * the eligible nodes, then lets a node through only if placing the pod there keeps the
 * skew against the least-loaded domain within maxSkew.
 */
// Upstream: pkg/scheduler/framework/plugins/podtopologyspread/filtering.go. The two-entry
// critical path is replaced by a cached minimum recomputed after preemption's updates.
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../../api/index.js'
import type { NodeInfo } from '../../framework/node-info.js'
import type { PodInfo } from '../../framework/pod-info.js'
import { skip, success, unresolvable, unschedulable, type CycleState, type Status } from '../../framework/types.js'
import { requiredNodeAffinity } from '../helpers.js'
import {
  countPodsMatchSelector, countsOverAllNodes, matchNodeInclusionPolicies, NAME, nodeHasAllKeys, podConstraints, type Constraint,
} from './common.js'
import type { TopologyCounts } from './topology-counts.js'

export const ERR_CONSTRAINTS = "node(s) didn't match pod topology spread constraints"
const notMatch: Status = unschedulable(ERR_CONSTRAINTS)
const missingLabel: Status = unresolvable(`${ERR_CONSTRAINTS} (missing required label)`)

type FilterState = {
  clone?: () => FilterState
  constraints: Constraint[]
  /** Per constraint: topology value → matching pods. */
  counts: Map<string, number>[]
  /** Per constraint: the smallest count over its domains, or undefined when stale. */
  minimum: (number | undefined)[]
  nodeAffinity: (n: NodeInfo) => boolean
}

function cloneState(s: FilterState): FilterState {
  const c: FilterState = { ...s, counts: s.counts.map((m) => new Map(m)), minimum: [...s.minimum] }
  c.clone = () => cloneState(c)
  return c
}

export function preFilter(memo: TopologyCounts, state: CycleState, pod: Cached<Pod>, nodes: readonly NodeInfo[]): Status {
  const constraints = podConstraints(pod, 'DoNotSchedule')
  if (!constraints.length) return skip
  const ns = pod.metadata?.namespace ?? ''
  const nodeAffinity = requiredNodeAffinity(pod)
  let counts: Map<string, number>[]
  if (constraints.length === 1 && countsOverAllNodes(constraints[0]!, pod)) {
    // Shared, not copied: only clones (preemption, nominated pods) are ever changed.
    const c = constraints[0]!
    counts = [memo.get(ns, c.selector, c.topologyKey) as Map<string, number>]
  } else {
    counts = constraints.map(() => new Map<string, number>())
    for (const node of nodes) {
      if (!nodeHasAllKeys(node, constraints)) continue
      constraints.forEach((c, i) => {
        if (!matchNodeInclusionPolicies(c, pod, node, nodeAffinity)) return
        const v = node.labels[c.topologyKey]!
        counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + countPodsMatchSelector(node.pods, c.selector, ns))
      })
    }
  }
  const s: FilterState = { constraints, counts, minimum: constraints.map(() => undefined), nodeAffinity }
  s.clone = () => cloneState(s)
  state.data.set(NAME, s)
  return success
}

function update(state: CycleState, pod: Cached<Pod>, other: PodInfo, node: NodeInfo, delta: number) {
  const s = state.data.get(NAME) as FilterState | undefined
  if (!s || other.pod.metadata?.namespace !== pod.metadata?.namespace || !nodeHasAllKeys(node, s.constraints)) return
  s.constraints.forEach((c, i) => {
    if (!c.selector.matches(other.pod.metadata?.labels)) return
    if (!matchNodeInclusionPolicies(c, pod, node, s.nodeAffinity)) return
    const v = node.labels[c.topologyKey]!
    s.counts[i]!.set(v, (s.counts[i]!.get(v) ?? 0) + delta)
    s.minimum[i] = undefined
  })
}
export const addPod = (state: CycleState, pod: Cached<Pod>, added: PodInfo, node: NodeInfo) => update(state, pod, added, node, 1)
export const removePod = (state: CycleState, pod: Cached<Pod>, removed: PodInfo, node: NodeInfo) => update(state, pod, removed, node, -1)

function minMatchNum(s: FilterState, i: number): number {
  const counts = s.counts[i]!
  // Fewer domains than minDomains: the missing ones count as empty.
  if (counts.size < s.constraints[i]!.minDomains) return 0
  let min = s.minimum[i]
  if (min === undefined) {
    min = Number.MAX_SAFE_INTEGER
    for (const n of counts.values()) if (n < min) min = n
    s.minimum[i] = min
  }
  return min
}

export function filter(state: CycleState, pod: Cached<Pod>, node: NodeInfo): Status {
  const s = state.data.get(NAME) as FilterState | undefined
  if (!s) return success
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!
    const v = node.labels[c.topologyKey]
    if (v === undefined) return missingLabel
    const self = c.selector.matches(pod.metadata?.labels) ? 1 : 0
    const skew = (s.counts[i]!.get(v) ?? 0) + self - minMatchNum(s, i)
    if (skew > c.maxSkew) return notMatch
  }
  return success
}

/**
 * @module
 * PodTopologySpread's score (ScheduleAnyway, or the system defaults for pods owned by a
 * Service or workload): fewer matching pods in a node's domains scores higher, each
 * constraint weighted by the log of its number of domains.
 */
// Upstream: pkg/scheduler/framework/plugins/podtopologyspread/scoring.go.
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached, LabelSelector } from '../../../api/index.js'
import type { NodeInfo } from '../../framework/node-info.js'
import { MAX_NODE_SCORE, skip, success, type CycleState, type Handle, type Status } from '../../framework/types.js'
import { requiredNodeAffinity } from '../helpers.js'
import {
  countPodsMatchSelector, countsOverAllNodes, LABEL_HOSTNAME, matchNodeInclusionPolicies, NAME, nodeHasAllKeys, podConstraints,
  SYSTEM_DEFAULT_CONSTRAINTS, type Constraint,
} from './common.js'
import type { TopologyCounts } from './topology-counts.js'

const KEY = `${NAME}/score`
type ScoreState = {
  constraints: Constraint[]
  ignoredNodes: Set<string>
  /** Per constraint: topology value → matching pods (not used for the hostname key). */
  counts: Map<string, number>[]
  weights: number[]
}

/** The selector the system default constraints spread by (Services and owners), or undefined. */
export type DefaultSelector = (pod: Cached<Pod>) => LabelSelector | undefined

function defaultConstraints(pod: Cached<Pod>, defaultSelector: DefaultSelector): Constraint[] {
  const selector = defaultSelector(pod)
  if (!selector || selector.empty || selector.matchesNothing) return []
  return SYSTEM_DEFAULT_CONSTRAINTS.map((c) => ({
    maxSkew: c.maxSkew, topologyKey: c.topologyKey, selector, minDomains: 1, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore',
  }))
}

export function preScore(handle: Handle, defaultSelector: DefaultSelector, memo: TopologyCounts, state: CycleState,
  pod: Cached<Pod>, filtered: readonly NodeInfo[]): Status {
  const own = (pod.spec?.topologySpreadConstraints ?? []).length > 0
  const constraints = own ? podConstraints(pod, 'ScheduleAnyway') : defaultConstraints(pod, defaultSelector)
  if (!constraints.length || !filtered.length) return skip
  const requireAll = own // system defaults tolerate nodes without a zone label
  const ignoredNodes = new Set<string>()
  const counts = constraints.map(() => new Map<string, number>())
  for (const node of filtered) {
    if (requireAll && !nodeHasAllKeys(node, constraints)) {
      ignoredNodes.add(node.name)
      continue
    }
    constraints.forEach((c, i) => {
      const v = node.labels[c.topologyKey]
      if (c.topologyKey !== LABEL_HOSTNAME && v !== undefined && !counts[i]!.has(v)) counts[i]!.set(v, 0)
    })
  }
  const weights = constraints.map((c, i) =>
    Math.log((c.topologyKey === LABEL_HOSTNAME ? filtered.length - ignoredNodes.size : counts[i]!.size) + 2))
  // Only domains holding a candidate node need counting (never the hostname: Score counts
  // that per node), so skip the walk over every node when there are none.
  const walk = constraints.map((_, i) => i).filter((i) => counts[i]!.size > 0)
  // Where every node counts (no inclusion policy narrows them), the running counts answer.
  const ns = pod.metadata?.namespace ?? ''
  const memoizable = (c: Constraint) => (!requireAll || constraints.length === 1) && countsOverAllNodes(c, pod)
  for (const i of walk.filter((i) => memoizable(constraints[i]!))) {
    const c = constraints[i]!
    const all = memo.get(ns, c.selector, c.topologyKey)
    for (const v of counts[i]!.keys()) counts[i]!.set(v, all.get(v) ?? 0)
  }
  walk.splice(0, walk.length, ...walk.filter((i) => !memoizable(constraints[i]!)))
  if (walk.length) {
    const nodeAffinity = requiredNodeAffinity(pod)
    for (const node of handle.nodes()) {
      if (node.pods.length === 0 || (requireAll && !nodeHasAllKeys(node, constraints))) continue
      for (const i of walk) {
        const c = constraints[i]!
        const v = node.labels[c.topologyKey]
        const m = counts[i]!
        const n = v === undefined ? undefined : m.get(v)
        if (n === undefined || !matchNodeInclusionPolicies(c, pod, node, nodeAffinity)) continue
        m.set(v!, n + countPodsMatchSelector(node.pods, c.selector, ns))
      }
    }
  }
  state.data.set(KEY, { constraints, ignoredNodes, counts, weights } satisfies ScoreState)
  return success
}

export function score(state: CycleState, pod: Cached<Pod>, node: NodeInfo): number {
  const s = state.data.get(KEY) as ScoreState
  if (s.ignoredNodes.size && s.ignoredNodes.has(node.name)) return 0
  let sum = 0
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!
    const v = node.labels[c.topologyKey]
    if (v === undefined) continue
    const cnt = c.topologyKey === LABEL_HOSTNAME
      ? countPodsMatchSelector(node.pods, c.selector, pod.metadata?.namespace ?? '')
      : s.counts[i]!.get(v) ?? 0
    sum += cnt * s.weights[i]! + (c.maxSkew - 1)
  }
  return Math.round(sum)
}

export function normalizeScore(state: CycleState, scores: number[], nodes: readonly NodeInfo[]) {
  const s = state.data.get(KEY) as ScoreState | undefined
  if (!s) return
  let min = Number.MAX_SAFE_INTEGER
  let max = 0
  for (let i = 0; i < scores.length; i++) {
    if (s.ignoredNodes.has(nodes[i]!.name)) continue
    if (scores[i]! < min) min = scores[i]!
    if (scores[i]! > max) max = scores[i]!
  }
  for (let i = 0; i < scores.length; i++) {
    if (s.ignoredNodes.has(nodes[i]!.name)) scores[i] = 0
    else if (max === 0) scores[i] = MAX_NODE_SCORE
    else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i]!)) / max)
  }
}

/**
 * @module
 * InterPodAffinity's score: each topology domain collects the weights of preferred terms
 * (the incoming pod's and the existing pods', plus existing pods' required affinity at
 * weight 1) that match; a node scores its domains' sums, scaled between min and max.
 */
// Upstream: pkg/scheduler/framework/plugins/interpodaffinity/scoring.go (processExistingPod,
// NormalizeScore); HardPodAffinityWeight is the default 1.
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached, Labels } from '../../../api/index.js'
import type { NodeInfo } from '../../framework/node-info.js'
import { termMatches, type AffinityTerm, type PodInfo } from '../../framework/pod-info.js'
import { MAX_NODE_SCORE, skip, success, type CycleState, type Handle, type Status } from '../../framework/types.js'
import { NAME } from './filtering.js'

const KEY = `${NAME}/score`
const HARD_POD_AFFINITY_WEIGHT = 1
/** topologyKey → value → summed weight. */
type TopologyScore = Map<string, Map<string, number>>
type ScoreState = { topologyScore: TopologyScore }

function add(ts: TopologyScore, key: string, value: string, by: number) {
  let m = ts.get(key)
  if (!m) ts.set(key, (m = new Map()))
  m.set(value, (m.get(value) ?? 0) + by)
}

function processTerms(ts: TopologyScore, terms: readonly (AffinityTerm & { weight?: number })[], pod: Cached<Pod>,
  nsLabels: Labels | undefined, node: NodeInfo, sign: number, weight?: number) {
  for (const t of terms) {
    const w = weight ?? t.weight ?? 0
    if (!w) continue
    const v = node.labels[t.topologyKey]
    if (v !== undefined && termMatches(t, pod, nsLabels)) add(ts, t.topologyKey, v, w * sign)
  }
}

function processExistingPod(ts: TopologyScore, incoming: PodInfo, incomingNs: Labels | undefined, existing: PodInfo,
  node: NodeInfo, handle: Handle) {
  if (Object.keys(node.labels).length === 0) return
  const existingNs = handle.namespaceLabels(existing.pod.metadata?.namespace ?? '')
  processTerms(ts, incoming.preferredAffinityTerms, existing.pod, existingNs, node, 1)
  processTerms(ts, incoming.preferredAntiAffinityTerms, existing.pod, existingNs, node, -1)
  processTerms(ts, existing.requiredAffinityTerms, incoming.pod, incomingNs, node, 1, HARD_POD_AFFINITY_WEIGHT)
  processTerms(ts, existing.preferredAffinityTerms, incoming.pod, incomingNs, node, 1)
  processTerms(ts, existing.preferredAntiAffinityTerms, incoming.pod, incomingNs, node, -1)
}

export function preScore(handle: Handle, state: CycleState, pod: Cached<Pod>): Status {
  const pi = state.podInfo
  const hasConstraints = pi.preferredAffinityTerms.length + pi.preferredAntiAffinityTerms.length > 0
  // Without preferred terms of its own, only pods carrying affinity terms can matter.
  const nodes = hasConstraints ? handle.nodes() : handle.nodesWithAffinityPods()
  const incomingNs = handle.namespaceLabels(pod.metadata?.namespace ?? '')
  const ts: TopologyScore = new Map()
  for (const node of nodes) {
    for (const existing of hasConstraints ? node.pods : node.podsWithAffinity) {
      processExistingPod(ts, pi, incomingNs, existing, node, handle)
    }
  }
  if (ts.size === 0) return skip
  state.data.set(KEY, { topologyScore: ts } satisfies ScoreState)
  return success
}

export function score(state: CycleState, node: NodeInfo): number {
  const { topologyScore } = state.data.get(KEY) as ScoreState
  let sum = 0
  for (const [key, values] of topologyScore) {
    const v = node.labels[key]
    if (v !== undefined) sum += values.get(v) ?? 0
  }
  return sum
}

export function normalizeScore(scores: number[]) {
  let min = Infinity
  let max = -Infinity
  for (const s of scores) {
    if (s > max) max = s
    if (s < min) min = s
  }
  const diff = max - min
  for (let i = 0; i < scores.length; i++) {
    scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0
  }
}

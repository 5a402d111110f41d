/**
 * @module
 * InterPodAffinity's filter: counts, per topology domain, the pods the incoming pod's
 * required (anti-)affinity terms match and the existing pods whose anti-affinity the
 * incoming pod would violate; a node passes when every count allows it.
 */
// Upstream: pkg/scheduler/framework/plugins/interpodaffinity/filtering.go.
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached, Labels } from '../../../api/index.js'
import type { NodeInfo } from '../../framework/node-info.js'
import { termMatches, type AffinityTerm, type PodInfo } from '../../framework/pod-info.js'
import {
  skip, success, unresolvable, unschedulable, type CycleState, type Handle, type Status,
} from '../../framework/types.js'

export const NAME = 'InterPodAffinity'
export const ERR_AFFINITY = "node(s) didn't match pod affinity rules"
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
const affinityMismatch: Status = unresolvable(ERR_AFFINITY)
const antiAffinityMismatch: Status = unschedulable(ERR_ANTI_AFFINITY)
const existingMismatch: Status = unschedulable(ERR_EXISTING_ANTI_AFFINITY)

/** "key\0value" → number of matching pods in that topology domain. */
type Counts = Map<string, number>
const pair = (key: string, value: string) => `${key}\0${value}`

function bump(counts: Counts, key: string, value: string, by: number) {
  const k = pair(key, value)
  const n = (counts.get(k) ?? 0) + by
  if (n === 0) counts.delete(k) // an empty map means "no pod matches anywhere" (self-affinity rule)
  else counts.set(k, n)
}

type FilterState = {
  clone?: () => FilterState
  existingAntiAffinityCounts: Counts
  affinityCounts: Counts
  antiAffinityCounts: Counts
  nsLabels: Labels | undefined
}

const matchesAll = (terms: readonly AffinityTerm[], pod: Cached<Pod>, nsLabels: Labels | undefined) =>
  terms.length > 0 && terms.every((t) => termMatches(t, pod, nsLabels))

function withPod(s: FilterState, incoming: PodInfo, other: PodInfo, node: NodeInfo, by: number, handle: Handle) {
  const otherNs = handle.namespaceLabels(other.pod.metadata?.namespace ?? '')
  for (const t of other.requiredAntiAffinityTerms) {
    const v = node.labels[t.topologyKey]
    if (v !== undefined && termMatches(t, incoming.pod, s.nsLabels)) bump(s.existingAntiAffinityCounts, t.topologyKey, v, by)
  }
  if (matchesAll(incoming.requiredAffinityTerms, other.pod, otherNs)) {
    for (const t of incoming.requiredAffinityTerms) {
      const v = node.labels[t.topologyKey]
      if (v !== undefined) bump(s.affinityCounts, t.topologyKey, v, by)
    }
  }
  for (const t of incoming.requiredAntiAffinityTerms) {
    const v = node.labels[t.topologyKey]
    if (v !== undefined && termMatches(t, other.pod, otherNs)) bump(s.antiAffinityCounts, t.topologyKey, v, by)
  }
}

function cloneState(s: FilterState): FilterState {
  return {
    existingAntiAffinityCounts: new Map(s.existingAntiAffinityCounts), affinityCounts: new Map(s.affinityCounts),
    antiAffinityCounts: new Map(s.antiAffinityCounts), nsLabels: s.nsLabels, clone: () => cloneState(s),
  }
}
function newState(nsLabels: Labels | undefined): FilterState {
  const s: FilterState = { existingAntiAffinityCounts: new Map(), affinityCounts: new Map(), antiAffinityCounts: new Map(), nsLabels }
  s.clone = () => cloneState(s)
  return s
}

export function preFilter(handle: Handle, state: CycleState, pod: Cached<Pod>, nodes: readonly NodeInfo[]): Status {
  const pi = state.podInfo
  const s = newState(handle.namespaceLabels(pod.metadata?.namespace ?? ''))
  for (const node of handle.nodesWithRequiredAntiAffinityPods()) {
    for (const existing of node.podsWithRequiredAntiAffinity) {
      for (const t of existing.requiredAntiAffinityTerms) {
        const v = node.labels[t.topologyKey]
        if (v !== undefined && termMatches(t, pod, s.nsLabels)) bump(s.existingAntiAffinityCounts, t.topologyKey, v, 1)
      }
    }
  }
  const hasTerms = pi.requiredAffinityTerms.length + pi.requiredAntiAffinityTerms.length > 0
  if (!hasTerms && s.existingAntiAffinityCounts.size === 0) return skip
  if (hasTerms) {
    for (const node of nodes) {
      for (const existing of node.pods) {
        const ns = handle.namespaceLabels(existing.pod.metadata?.namespace ?? '')
        if (matchesAll(pi.requiredAffinityTerms, existing.pod, ns)) {
          for (const t of pi.requiredAffinityTerms) {
            const v = node.labels[t.topologyKey]
            if (v !== undefined) bump(s.affinityCounts, t.topologyKey, v, 1)
          }
        }
        for (const t of pi.requiredAntiAffinityTerms) {
          const v = node.labels[t.topologyKey]
          if (v !== undefined && termMatches(t, existing.pod, ns)) bump(s.antiAffinityCounts, t.topologyKey, v, 1)
        }
      }
    }
  }
  state.data.set(NAME, s)
  return success
}

export const addPod = (handle: Handle, state: CycleState, added: PodInfo, node: NodeInfo) => {
  const s = state.data.get(NAME) as FilterState | undefined
  if (s) withPod(s, state.podInfo, added, node, 1, handle)
}
export const removePod = (handle: Handle, state: CycleState, removed: PodInfo, node: NodeInfo) => {
  const s = state.data.get(NAME) as FilterState | undefined
  if (s) withPod(s, state.podInfo, removed, node, -1, handle)
}

function satisfiesAffinity(s: FilterState, pi: PodInfo, node: NodeInfo, podNsLabels: Labels | undefined): boolean {
  let podsExist = true
  for (const t of pi.requiredAffinityTerms) {
    const v = node.labels[t.topologyKey]
    if (v === undefined) return false // every topology label must exist on the node
    if ((s.affinityCounts.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false
  }
  if (podsExist) return true
  // The first pod of a group with affinity to itself: let it in when no pod anywhere matches
  // and it matches its own terms, or such groups would stay pending forever.
  return s.affinityCounts.size === 0 && matchesAll(pi.requiredAffinityTerms, pi.pod, podNsLabels)
}

export function filter(state: CycleState, node: NodeInfo): Status {
  const s = state.data.get(NAME) as FilterState | undefined
  if (!s) return success
  const pi = state.podInfo
  if (pi.requiredAffinityTerms.length && !satisfiesAffinity(s, pi, node, s.nsLabels)) return affinityMismatch
  for (const t of pi.requiredAntiAffinityTerms) {
    const v = node.labels[t.topologyKey]
    if (v !== undefined && (s.antiAffinityCounts.get(pair(t.topologyKey, v)) ?? 0) > 0) return antiAffinityMismatch
  }
  if (s.existingAntiAffinityCounts.size) {
    for (const key in node.labels) {
      if ((s.existingAntiAffinityCounts.get(pair(key, node.labels[key]!)) ?? 0) > 0) return existingMismatch
    }
  }
  return success
}

/**
 * @module
 * PodInfo: a pod with everything the plugins would otherwise recompute per node — its
 * requests, host ports and parsed (anti-)affinity terms. Built once when the pod enters
 * the queue or the cache.
 */
// Upstream: pkg/scheduler/framework/types.go (PodInfo, AffinityTerm, getAffinityTerms).
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js'
import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js'
import {
  labelRequirement, labelSelectorFromMeta, labelSelectorOf, selectNothing,
  type Cached, type LabelRequirement, type LabelSelector, type Labels,
} from '../../api/index.js'
import { computePodResourceRequest, type Resource } from './resources.js'

/** A parsed pod (anti-)affinity term: which pods, in which namespaces, per which topology. */
export type AffinityTerm = {
  namespaces: ReadonlySet<string>
  /** `undefined` when the term has no namespaceSelector (matches no namespace by labels). */
  namespaceSelector: LabelSelector | undefined
  selector: LabelSelector
  topologyKey: string
}
export type WeightedAffinityTerm = AffinityTerm & { weight: number }

/** A host port a container binds: upstream keys them by ip, then protocol/port. */
export type HostPort = { ip: string; protocol: string; port: number }

export type PodInfo = {
  pod: Cached<Pod>
  key: string
  uid: string
  priority: number
  requests: Resource
  /** Requests with the scoring defaults for containers that name none. */
  nonZeroMilliCPU: number
  nonZeroMemory: number
  hostPorts: HostPort[]
  requiredAffinityTerms: AffinityTerm[]
  requiredAntiAffinityTerms: AffinityTerm[]
  preferredAffinityTerms: WeightedAffinityTerm[]
  preferredAntiAffinityTerms: WeightedAffinityTerm[]
}

function selectorOf(sel: Cached<MetaLabelSelector> | undefined): LabelSelector {
  try {
    return labelSelectorFromMeta(sel as MetaLabelSelector | undefined)
  } catch {
    return selectNothing // validation rejects bad selectors; an old object must not crash a cycle
  }
}

// matchLabelKeys / mismatchLabelKeys take their values from the pod's own labels.
function withLabelKeys(base: LabelSelector, pod: Cached<Pod>, t: Cached<PodAffinityTerm>): LabelSelector {
  const match = (t as { matchLabelKeys?: readonly string[] }).matchLabelKeys ?? []
  const mismatch = (t as { mismatchLabelKeys?: readonly string[] }).mismatchLabelKeys ?? []
  if ((!match.length && !mismatch.length) || base.matchesNothing) return base
  const extra: LabelRequirement[] = []
  const labels = pod.metadata?.labels ?? {}
  try {
    for (const k of match) if (labels[k] !== undefined) extra.push(labelRequirement(k, 'in', [labels[k]!]))
    for (const k of mismatch) if (labels[k] !== undefined) extra.push(labelRequirement(k, 'notin', [labels[k]!]))
  } catch {
    return base
  }
  return labelSelectorOf([...base.requirements, ...extra])
}

function affinityTerm(pod: Cached<Pod>, t: Cached<PodAffinityTerm>): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? [])
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(pod.metadata?.namespace ?? '')
  return {
    namespaces,
    namespaceSelector: t.namespaceSelector ? selectorOf(t.namespaceSelector) : undefined,
    selector: withLabelKeys(selectorOf(t.labelSelector), pod, t),
    topologyKey: t.topologyKey,
  }
}
const weighted = (pod: Cached<Pod>, ts: readonly Cached<WeightedPodAffinityTerm>[] | undefined) =>
  (ts ?? []).map((w) => ({ ...affinityTerm(pod, w.podAffinityTerm), weight: w.weight }))

/** Does `pod` (whose namespace carries `nsLabels`) fall under `term`? */
export function termMatches(term: AffinityTerm, pod: Cached<Pod>, nsLabels: Labels | undefined): boolean {
  const ns = pod.metadata?.namespace ?? ''
  if (term.namespaces.has(ns) || (term.namespaceSelector !== undefined && term.namespaceSelector.matches(nsLabels))) {
    return term.selector.matches(pod.metadata?.labels)
  }
  return false
}

/** Builds the PodInfo of `pod`. */
export function newPodInfo(pod: Cached<Pod>): PodInfo {
  const requests = computePodResourceRequest(pod)
  const nonZero = computePodResourceRequest(pod, true)
  const hostPorts: HostPort[] = []
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')]
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort })
    }
  }
  const aff = pod.spec?.affinity
  return {
    pod,
    key: `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`,
    uid: pod.metadata?.uid ?? '',
    priority: pod.spec?.priority ?? 0,
    requests,
    nonZeroMilliCPU: nonZero.milliCPU,
    nonZeroMemory: nonZero.memory,
    hostPorts,
    requiredAffinityTerms: (aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    requiredAntiAffinityTerms: (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    preferredAffinityTerms: weighted(pod, aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinityTerms: weighted(pod, aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
  }
}

export const hasAffinity = (p: PodInfo) =>
  p.requiredAffinityTerms.length + p.requiredAntiAffinityTerms.length + p.preferredAffinityTerms.length +
  p.preferredAntiAffinityTerms.length > 0

/** Priority order for preemption: higher priority first, then the pod that started earlier. */
// Upstream: pkg/scheduler/util/utils.go (MoreImportantPod).
export function moreImportantPod(a: PodInfo, b: PodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority
  return startTime(a) < startTime(b)
}
export const startTime = (p: PodInfo) => {
  const t = p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp
  return t ? Date.parse(t) : Number.MAX_SAFE_INTEGER
}

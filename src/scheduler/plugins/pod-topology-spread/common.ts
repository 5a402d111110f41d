/**
 * @module
 * PodTopologySpread's shared pieces: constraints as the scheduler uses them (selector with
 * matchLabelKeys merged, minDomains and the node inclusion policies defaulted), and the
 * counting of matching pods on a node.
 */
// Upstream: pkg/scheduler/framework/plugins/podtopologyspread/common.go.
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js'
import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js'
import {
  labelRequirement, labelSelectorFromMeta, labelSelectorOf, selectNothing, type Cached, type LabelSelector,
} from '../../../api/index.js'
import type { NodeInfo } from '../../framework/node-info.js'
import type { PodInfo } from '../../framework/pod-info.js'
import { findUntoleratedTaint, noScheduleOrExecute } from '../helpers.js'

export const NAME = 'PodTopologySpread'
export const LABEL_HOSTNAME = 'kubernetes.io/hostname'
export const LABEL_ZONE = 'topology.kubernetes.io/zone'

export type Constraint = {
  maxSkew: number
  topologyKey: string
  selector: LabelSelector
  minDomains: number
  nodeAffinityPolicy: 'Honor' | 'Ignore'
  nodeTaintsPolicy: 'Honor' | 'Ignore'
}

/** What the cluster applies to pods that declare no constraints (upstream's system defaults). */
export const SYSTEM_DEFAULT_CONSTRAINTS = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
] as const

function selectorOf(c: Cached<TopologySpreadConstraint>, podLabels: Readonly<Record<string, string>>): LabelSelector {
  try {
    const base = labelSelectorFromMeta(c.labelSelector as MetaLabelSelector | undefined)
    const keys = (c.matchLabelKeys ?? []).filter((k) => podLabels[k] !== undefined)
    if (!keys.length || base.matchesNothing) return base
    return labelSelectorOf([...base.requirements, ...keys.map((k) => labelRequirement(k, 'in', [podLabels[k]!]))])
  } catch {
    return selectNothing
  }
}

/** The pod's constraints with `whenUnsatisfiable === action`. */
export function podConstraints(pod: Cached<Pod>, action: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const labels = pod.metadata?.labels ?? {}
  return (pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === action).map((c) => ({
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector: selectorOf(c, labels),
    minDomains: c.minDomains ?? 1,
    nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
    nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
  }))
}

/** Does the node count for this constraint, given the pod's node affinity and tolerations? */
export function matchNodeInclusionPolicies(c: Constraint, pod: Cached<Pod>, node: NodeInfo,
  nodeAffinity: (n: NodeInfo) => boolean): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !nodeAffinity(node)) return false
  if (c.nodeTaintsPolicy === 'Honor' && findUntoleratedTaint(node.taints, pod.spec?.tolerations, noScheduleOrExecute)) return false
  return true
}

export const nodeHasAllKeys = (node: NodeInfo, cs: readonly Constraint[]) => cs.every((c) => node.labels[c.topologyKey] !== undefined)

/** Pods on the node in `namespace` that `selector` matches; terminating pods do not count. */
export function countPodsMatchSelector(pods: readonly PodInfo[], selector: LabelSelector, namespace: string): number {
  if (selector.empty || selector.matchesNothing) return 0
  let n = 0
  for (const p of pods) {
    if (p.pod.metadata?.deletionTimestamp || p.pod.metadata?.namespace !== namespace) continue
    if (selector.matches(p.pod.metadata?.labels)) n++
  }
  return n
}

/**
 * True when every node with the constraint's key counts for it, so running counts kept over
 * all nodes can stand in for a walk: no inclusion policy narrows the nodes.
 */
export function countsOverAllNodes(c: Constraint, pod: Cached<Pod>): boolean {
  const noNodeAffinity = !pod.spec?.nodeSelector && !pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
  return c.nodeTaintsPolicy === 'Ignore' && (c.nodeAffinityPolicy === 'Ignore' || noNodeAffinity) &&
    !c.selector.empty && !c.selector.matchesNothing
}

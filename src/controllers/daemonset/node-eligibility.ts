/**
 * @module
 * Which nodes a DaemonSet's pod belongs on: the node must match the template's nodeSelector and
 * required node affinity, and the pod (with the tolerations every daemon pod gets) must
 * tolerate the node's NoSchedule and NoExecute taints. A running pod may stay on a node whose
 * new taints are only NoSchedule.
 */
// Upstream: pkg/controller/daemon/daemon_controller.go (NodeShouldRunDaemonPod, predicates,
// NewPod); pkg/controller/daemon/util/daemonset_util.go (AddOrUpdateDaemonPodTolerations,
// ReplaceDaemonSetPodNodeNameNodeAffinity, GetTargetNodeName);
// component-helpers/scheduling/corev1 (FindMatchingUntoleratedTaint, nodeaffinity.Match).
import type { DaemonSet } from 'kubernetes-types/apps/v1.js'
import type { Affinity, Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Taint, Toleration } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'

type Ds = Cached<DaemonSet>
type Spec = Cached<PodSpec>

/** The tolerations every daemon pod carries, so node problems never evict it (hostNetwork pods also survive a missing network). */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect })
  return [
    t('node.kubernetes.io/not-ready', 'NoExecute'),
    t('node.kubernetes.io/unreachable', 'NoExecute'),
    t('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    t('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    t('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    t('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [t('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ]
}

const sameToleration = (a: Cached<Toleration>, b: Toleration) =>
  (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '')

/** The spec's tolerations with the daemon ones added (replacing any with the same key, operator and effect). */
export function withDaemonTolerations(spec: Spec | undefined): Toleration[] {
  const out = [...(spec?.tolerations ?? [])] as Toleration[]
  for (const t of daemonPodTolerations(!!spec?.hostNetwork)) {
    const i = out.findIndex((x) => sameToleration(x, t))
    if (i >= 0) out[i] = t
    else out.push(t)
  }
  return out
}

/** Upstream's Toleration.ToleratesTaint. */
export function toleratesTaint(t: Cached<Toleration>, taint: Cached<Taint>): boolean {
  if (t.effect && t.effect !== taint.effect) return false
  if (t.key && t.key !== taint.key) return false
  switch (t.operator ?? 'Equal') {
    case 'Exists': return true
    case 'Equal': return (t.value ?? '') === (taint.value ?? '')
    default: return false
  }
}

const untolerated = (taints: readonly Cached<Taint>[], tolerations: readonly Cached<Toleration>[], effects: string[]) =>
  taints.some((taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)))

function requirementMatches(r: Cached<NodeSelectorRequirement>, value: string | undefined): boolean {
  const values = r.values ?? []
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value)
    case 'NotIn': return value === undefined || !values.includes(value)
    case 'Exists': return value !== undefined
    case 'DoesNotExist': return value === undefined
    case 'Gt': case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0]!)) return false
      return r.operator === 'Gt' ? BigInt(value) > BigInt(values[0]!) : BigInt(value) < BigInt(values[0]!)
    }
    default: return false
  }
}

/** A term with no requirements matches nothing; fields other than metadata.name never match. */
function termMatches(term: Cached<NodeSelectorTerm>, node: Cached<Node>): boolean {
  const exprs = term.matchExpressions ?? []
  const fields = term.matchFields ?? []
  if (!exprs.length && !fields.length) return false
  const labels = node.metadata?.labels ?? {}
  return exprs.every((r) => requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata?.name))
}

/** nodeSelector and required node affinity (terms ORed), as the scheduler's NodeAffinity filter. */
export function matchesNodeSelectorAndAffinity(spec: Spec | undefined, node: Cached<Node>): boolean {
  const labels = node.metadata?.labels ?? {}
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
  return !required || (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node))
}

/**
 * `shouldRun`: a daemon pod should be created on the node; `shouldContinueRunning`: one already
 * there may stay (it tolerates the node's NoExecute taints even if not its NoSchedule ones).
 */
export function nodeShouldRunDaemonPod(node: Cached<Node>, ds: Ds): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec?.template?.spec
  const nodeName = node.metadata?.name
  if (spec?.nodeName && spec.nodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false }
  if (!matchesNodeSelectorAndAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false }
  const taints = node.spec?.taints ?? []
  const tolerations = withDaemonTolerations(spec)
  if (untolerated(taints, tolerations, ['NoSchedule', 'NoExecute'])) {
    return { shouldRun: false, shouldContinueRunning: !untolerated(taints, tolerations, ['NoExecute']) }
  }
  return { shouldRun: true, shouldContinueRunning: true }
}

/** The affinity with its required node affinity replaced by `metadata.name In [node]`, so the scheduler binds the pod there. */
export function nodeNameAffinity(affinity: Cached<Affinity> | undefined, node: string): Affinity {
  const term: NodeSelectorTerm = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }
  const a = structuredClone(affinity ?? {}) as Affinity
  a.nodeAffinity = { ...a.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } }
  return a
}

/** The node a daemon pod is for: its nodeName once bound, else the one its affinity names. */
export function targetNodeName(pod: Cached<Pod>): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In') return f.values?.length === 1 ? f.values[0] : undefined
    }
  }
  return undefined
}

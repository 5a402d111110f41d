/**
 * @module
 * Matching shared by several plugins: node selector terms (NodeAffinity, PodTopologySpread,
 * VolumeBinding) and tolerations against taints (TaintToleration, NodeUnschedulable,
 * PodTopologySpread). Selectors compile to closures once per pod, since they run per node.
 */
// Upstream: component-helpers/scheduling/corev1/nodeaffinity (NodeSelector, RequiredNodeAffinity),
// pkg/apis/core/v1/helper (TolerationsTolerateTaint, ToleratesTaint).
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import type { NodeInfo } from '../framework/node-info.js'

type NodeMatcher = (node: NodeInfo) => boolean
const matchNone: NodeMatcher = () => false
export const matchAll: NodeMatcher = () => true

const INT = /^[+-]?\d+$/
function requirement(r: Cached<NodeSelectorRequirement>, read: (n: NodeInfo) => string | undefined): NodeMatcher {
  const values = r.values ?? []
  switch (r.operator) {
    case 'In': return (n) => { const v = read(n); return v !== undefined && values.includes(v) }
    case 'NotIn': return (n) => { const v = read(n); return v === undefined || !values.includes(v) }
    case 'Exists': return (n) => read(n) !== undefined
    case 'DoesNotExist': return (n) => read(n) === undefined
    case 'Gt': case 'Lt': {
      if (values.length !== 1 || !INT.test(values[0]!)) return matchNone
      const bound = Number(values[0])
      return (n) => {
        const v = read(n)
        if (v === undefined || !INT.test(v)) return false
        return r.operator === 'Gt' ? Number(v) > bound : Number(v) < bound
      }
    }
    default: return matchNone
  }
}

const label = (key: string) => (n: NodeInfo) => {
  const v = n.labels[key]
  return typeof v === 'string' ? v : undefined
}

function term(t: Cached<NodeSelectorTerm>): NodeMatcher {
  const exprs = t.matchExpressions ?? []
  const fields = t.matchFields ?? []
  if (exprs.length + fields.length === 0) return matchNone // an empty term selects no node
  const ms: NodeMatcher[] = exprs.map((e) => requirement(e, label(e.key)))
  for (const f of fields) {
    ms.push(f.key === 'metadata.name' ? requirement(f, (n) => n.name) : matchNone)
  }
  return ms.length === 1 ? ms[0]! : (n) => ms.every((m) => m(n))
}

/** Terms are ORed; no terms selects no node. */
export function compileNodeSelectorTerms(terms: readonly Cached<NodeSelectorTerm>[] | undefined): NodeMatcher {
  const ms = (terms ?? []).map(term)
  if (ms.length === 0) return matchNone
  return ms.length === 1 ? ms[0]! : (n) => ms.some((m) => m(n))
}

/** The pod's nodeSelector and required node affinity, as one predicate. */
export function requiredNodeAffinity(pod: Cached<Pod>): NodeMatcher {
  const sel = Object.entries(pod.spec?.nodeSelector ?? {})
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
  const terms = required ? compileNodeSelectorTerms(required.nodeSelectorTerms) : undefined
  if (!sel.length && !terms) return matchAll
  return (n) => {
    for (const [k, v] of sel) if (n.labels[k] !== v) return false
    return !terms || terms(n)
  }
}

/** Upstream's Toleration.ToleratesTaint. */
export function toleratesTaint(t: Cached<Toleration>, taint: Cached<Taint>): boolean {
  if (t.effect && t.effect !== taint.effect) return false
  if (t.key && t.key !== taint.key) return false
  switch (t.operator ?? 'Equal') {
    case 'Equal': case '': return (t.value ?? '') === (taint.value ?? '')
    case 'Exists': return true
    default: return false
  }
}

export const tolerationsTolerateTaint = (tols: readonly Cached<Toleration>[] | undefined, taint: Cached<Taint>) =>
  !!tols?.some((t) => toleratesTaint(t, taint))

/** The first taint passing `filter` that no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly Cached<Taint>[], tols: readonly Cached<Toleration>[] | undefined,
  filter: (t: Cached<Taint>) => boolean): Cached<Taint> | undefined {
  for (const taint of taints) if (filter(taint) && !tolerationsTolerateTaint(tols, taint)) return taint
  return undefined
}

export const noScheduleOrExecute = (t: Cached<Taint>) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'

/**
 * @module
 * The taints the node lifecycle controller owns, computed from a node's conditions, and
 * the toleration matching that decides whether a pod may stay on a NoExecute-tainted node.
 */
// Upstream: pkg/controller/nodelifecycle/node_lifecycle_controller.go
// (nodeConditionToTaintKeyStatusMap, doNoScheduleTaintingPass, processTaintBaseEviction),
// pkg/apis/core/v1/helper (GetMatchingTolerations), api core/v1 toleration.go (ToleratesTaint).
import type { Node, Taint, Toleration } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready'
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable'
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable'

/** Condition type → status → the NoSchedule taint it implies. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
}
const NO_SCHEDULE_KEYS = new Set([...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)), TAINT_UNSCHEDULABLE])
const NO_EXECUTE_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE])

type Want = { key: string; effect: 'NoSchedule' | 'NoExecute' }
const same = (a: Cached<Taint>, b: Want) => a.key === b.key && a.effect === b.effect

/**
 * The node's taints after both passes: NoSchedule taints mirror the conditions and
 * spec.unschedulable; the Ready condition picks the NoExecute taint (none when Ready is True,
 * untouched while the node has never reported Ready). Other parties' taints are kept in
 * place, and a taint that stays keeps its timeAdded. Undefined when nothing changes.
 */
export function desiredTaints(node: Cached<Node>, nowIso: string): Taint[] | undefined {
  const want: Want[] = []
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status]
    if (key) want.push({ key, effect: 'NoSchedule' })
  }
  if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' })
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status
  const noExecute = ready === 'False' ? [TAINT_NOT_READY] : ready === 'Unknown' ? [TAINT_UNREACHABLE] : ready === 'True' ? [] : undefined
  for (const key of noExecute ?? []) want.push({ key, effect: 'NoExecute' })

  const managed = (t: Cached<Taint>) =>
    (t.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key)) || (!!noExecute && t.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(t.key))
  const current = node.spec?.taints ?? []
  const next = current.filter((t) => !managed(t) || want.some((w) => same(t, w))) as Taint[]
  for (const w of want) {
    if (next.some((t) => same(t, w))) continue
    // NoExecute taints carry the time they were added, which eviction timing reads.
    next.push(w.effect === 'NoExecute' ? { ...w, timeAdded: nowIso } : { ...w })
  }
  const changed = next.length !== current.length || next.some((t, i) => t !== current[i])
  return changed ? next : undefined
}

/** Whether `t` tolerates `taint` (empty effect or key match all; Exists ignores the value). */
export function tolerates(t: Cached<Toleration>, taint: Cached<Taint>): boolean {
  if (t.effect && t.effect !== taint.effect) return false
  if (t.key && t.key !== taint.key) return false
  if (t.operator === 'Exists') return true
  return (!t.operator || t.operator === 'Equal') && (t.value ?? '') === (taint.value ?? '')
}

/** Every taint paired with the first toleration that tolerates it, or undefined if one is not tolerated. */
export function matchingTolerations(taints: readonly Cached<Taint>[], tolerations: readonly Cached<Toleration>[]):
  { taint: Cached<Taint>; toleration: Cached<Toleration> }[] | undefined {
  const out: { taint: Cached<Taint>; toleration: Cached<Toleration> }[] = []
  for (const taint of taints) {
    const toleration = tolerations.find((t) => tolerates(t, taint))
    if (!toleration) return undefined
    out.push({ taint, toleration })
  }
  return out
}

/**
 * How long a pod may stay given the tolerations it uses: the shortest tolerationSeconds, 0
 * for a non-positive one, -1 when none is bounded (it tolerates forever). `capMs` shortens
 * the wait for the lifecycle taints (not-ready, unreachable) only.
 */
// Upstream: pkg/controller/tainteviction/taint_eviction.go (getMinTolerationTime).
export function minTolerationMs(used: readonly { taint: Cached<Taint>; toleration: Cached<Toleration> }[], capMs?: number): number {
  let min = -1
  for (const { taint, toleration } of used) {
    const seconds = toleration.tolerationSeconds
    if (seconds === undefined || seconds === null) continue
    let ms = seconds <= 0 ? 0 : seconds * 1000
    if (capMs !== undefined && NO_EXECUTE_KEYS.has(taint.key)) ms = Math.min(ms, capMs)
    if (min < 0 || ms < min) min = ms
  }
  return min
}

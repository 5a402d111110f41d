/**
 * @module
 * Pod predicates every workload controller shares: active, ready, available, and the order
 * in which surplus pods are deleted.
 */
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'

type P = Cached<Pod>

/** Not finished and not being deleted (upstream's IsPodActive). */
export const isPodActive = (p: P) =>
  p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata?.deletionTimestamp

export const isPodTerminating = (p: P) => !!p.metadata?.deletionTimestamp

export const podCondition = (p: P, type: string): Cached<PodCondition> | undefined =>
  p.status?.conditions?.find((c) => c.type === type)

export const isPodReady = (p: P) => podCondition(p, 'Ready')?.status === 'True'

/** Ready for at least `minReadySeconds` at `nowMs` (upstream's IsPodAvailable). */
export function isPodAvailable(p: P, minReadySeconds: number, nowMs: number): boolean {
  const c = podCondition(p, 'Ready')
  if (c?.status !== 'True') return false
  if (!minReadySeconds) return true
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= nowMs
}

const restarts = (p: P) => (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0)
const phaseRank = (p: P) => (p.status?.phase === 'Pending' ? 1 : p.status?.phase === 'Unknown' ? 0 : 2)
const time = (s?: string) => (s ? Date.parse(s) : 0)

/**
 * Orders pods so that the ones to delete first come first: unscheduled before scheduled,
 * pending before running, not ready before ready, ready for less time, more restarts, newer.
 */
// Upstream: pkg/controller/controller_utils.go (ActivePods Less). Ranking by co-located
// pods (ActivePodsWithRanks) is left out.
export function deletionOrder(a: P, b: P): number {
  if (!!a.spec?.nodeName !== !!b.spec?.nodeName) return a.spec?.nodeName ? 1 : -1
  if (phaseRank(a) !== phaseRank(b)) return phaseRank(a) - phaseRank(b)
  if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1
  if (isPodReady(a) && isPodReady(b)) {
    const ra = time(podCondition(a, 'Ready')?.lastTransitionTime)
    const rb = time(podCondition(b, 'Ready')?.lastTransitionTime)
    if (ra !== rb) return rb - ra
  }
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a)
  const ca = time(a.metadata?.creationTimestamp)
  const cb = time(b.metadata?.creationTimestamp)
  return cb - ca
}

/** RFC 3339 with seconds, as the API writes timestamps. */
export const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')

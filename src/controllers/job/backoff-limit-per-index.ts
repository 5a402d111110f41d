/**
 * @module
 * backoffLimitPerIndex for Indexed Jobs: every index counts its own failures, which each pod
 * hands on to its replacement in annotations. An index that fails more often than the limit
 * (or whose pod matched a FailIndex rule) fails for good and is not retried. Each index also
 * waits out its own backoff: a failing index does not hold back the others.
 */
// Upstream: pkg/controller/job/indexed_job_utils.go (hasBackoffLimitPerIndex,
// calculateFailedIndexes, isIndexFailed, getPodsWithDelayedDeletionPerIndex,
// addIndexFailureCountAnnotation, getNewIndexFailureCounts, getIndexAbsoluteFailureCount,
// parseInt32), backoff_utils.go (getRemainingTimePerIndex) and job_controller.go
// (getPodCreationInfoForIndependentIndexes).
import type { Job } from 'kubernetes-types/batch/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { finishedTimeMs, remainingBackoffMs } from './backoff.js'
import { completionIndex, hasIndex, indexesOf, parseIntervals, withIndexes, type Intervals } from './indexes.js'
import { hasTrackingFinalizer } from './pod-control.js'
import { isPodFailed, matchPodFailurePolicy } from './policies.js'

/** Failures of the pod's index that counted against backoffLimitPerIndex before this pod. */
export const INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count'
/** Failures of the pod's index that a podFailurePolicy Ignore rule left uncounted. */
export const INDEX_IGNORED_FAILURE_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count'

const MAX_INT32 = 2147483647

/** Whether the Job limits failures per index (only Indexed Jobs can). */
export const hasBackoffLimitPerIndex = (job: Cached<Job>) =>
  job.spec?.completionMode === 'Indexed' && job.spec.backoffLimitPerIndex !== undefined && job.spec.backoffLimitPerIndex !== null

/** A count annotation's value; 0 when missing, unparsable or out of int32 range (a user may have edited it). */
function countAnnotation(pod: Cached<Pod>, key: string): number {
  const v = pod.metadata?.annotations?.[key]
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0
  const n = Number(v)
  return n < 0 || n > MAX_INT32 ? 0 : n
}

/** Every earlier failure of the index, ignored ones included: what its backoff grows with. */
const absoluteFailureCount = (pod: Cached<Pod>) => countAnnotation(pod, INDEX_FAILURE_COUNT) + countAnnotation(pod, INDEX_IGNORED_FAILURE_COUNT)

/** Whether this pod's failure fails its index for good: a FailIndex rule matched, or a counted failure beyond the limit. */
export function isIndexFailed(job: Cached<Job>, pod: Cached<Pod>): boolean {
  if (!isPodFailed(pod, job)) return false
  const match = matchPodFailurePolicy(job.spec?.podFailurePolicy, pod)
  if (match.action === 'FailIndex') return true
  return match.countFailed && countAnnotation(pod, INDEX_FAILURE_COUNT) >= (job.spec?.backoffLimitPerIndex ?? 0)
}

/** `status.failedIndexes` plus the indexes failed by pods not yet counted (still holding the tracking finalizer). */
export function calculateFailedIndexes(job: Cached<Job>, pods: readonly Cached<Pod>[]): Intervals {
  const completions = job.spec?.completions ?? 0
  const prev = parseIntervals(job.status?.failedIndexes ?? undefined, completions)
  const fresh = pods.filter((p) => hasTrackingFinalizer(p) && isIndexFailed(job, p)).map(completionIndex)
    .filter((ix) => ix >= 0 && ix < completions)
  return withIndexes(prev, [...new Set(fresh)].sort((a, b) => a - b))
}

export type DelayedDeletionInput = {
  job: Cached<Job>
  pods: readonly Cached<Pod>[]
  activePods: readonly Cached<Pod>[]
  succeededIndexes: Intervals
  failedIndexes?: Intervals
  expectedRmFinalizers: ReadonlySet<string>
}

/**
 * Per index still to be retried, the failed pod that keeps its tracking finalizer (and so
 * exists) until the replacement is created: the replacement reads its failure count from it.
 * The latest failure with the highest count wins.
 */
export function podsWithDelayedDeletionPerIndex(s: DelayedDeletionInput): Map<number, Cached<Pod>> {
  const completions = s.job.spec?.completions ?? 0
  // An index with a running pod already carries its count forward: its failed pods may go.
  const active = new Set(indexesOf(s.activePods))
  const out = new Map<number, Cached<Pod>>()
  for (const p of s.pods) {
    if (!hasTrackingFinalizer(p) || s.expectedRmFinalizers.has(p.metadata!.uid!) || !isPodFailed(p, s.job)) continue
    const ix = completionIndex(p)
    if (ix < 0 || ix >= completions) continue
    if (hasIndex(s.succeededIndexes, ix) || hasIndex(s.failedIndexes ?? [], ix) || active.has(ix)) continue
    const last = out.get(ix)
    if (!last || (absoluteFailureCount(last) <= absoluteFailureCount(p) && finishedTimeMs(p) >= finishedTimeMs(last))) out.set(ix, p)
  }
  return out
}

/** The failure-count annotations of the pod that replaces `replaced` (none replaced: a fresh index). */
export function indexFailureAnnotations(job: Cached<Job>, replaced: Cached<Pod> | undefined): Record<string, string> {
  let failures = 0
  let ignored = 0
  if (replaced) {
    failures = countAnnotation(replaced, INDEX_FAILURE_COUNT)
    ignored = countAnnotation(replaced, INDEX_IGNORED_FAILURE_COUNT)
    if (matchPodFailurePolicy(job.spec?.podFailurePolicy, replaced).countFailed) failures++
    else ignored++
  }
  return { [INDEX_FAILURE_COUNT]: String(failures), ...(ignored > 0 ? { [INDEX_IGNORED_FAILURE_COUNT]: String(ignored) } : {}) }
}

/**
 * Of the `pending` indexes, those whose own backoff has passed at `nowMs`, and how long the
 * soonest of the others still waits (0 when none waits).
 */
export function indexesReadyForCreation(pending: readonly number[], delayed: ReadonlyMap<number, Cached<Pod>>,
  nowMs: number, baseMs: number, maxMs: number): { ready: number[]; waitMs: number } {
  const ready: number[] = []
  let waitMs = 0
  for (const ix of pending) {
    const last = delayed.get(ix)
    const left = last ? remainingBackoffMs(
      { key: '', failuresAfterLastSuccess: absoluteFailureCount(last) + 1, lastFailureMs: finishedTimeMs(last) }, nowMs, baseMs, maxMs) : 0
    if (left <= 0) ready.push(ix)
    else waitMs = waitMs === 0 ? left : Math.min(waitMs, left)
  }
  return { ready, waitMs }
}

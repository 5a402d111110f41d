/**
 * @module
 * One Job sync: count what its pods did, decide whether it is finished (and why), otherwise
 * manage its pods and its Suspended condition, then record all of it in the status.
 */
// Upstream: pkg/controller/job/job_controller.go (syncJob, getNewFinishedPods,
// pastBackoffLimitOnFailure, pastActiveDeadline, newFailureCondition, newSuccessCondition,
// the MaxFailedIndexesExceeded and FailedIndexes checks).
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { copy, type Cached } from '../../api/index.js'
import type { SyncResult } from '../../client/types.js'
import { isPodActive, isPodReady, rfc3339 } from '../util/index.js'
import { ensureCondition, findCondition, isJobFinished, managedElsewhere, newCondition, reasons } from './conditions.js'
import { calculateFailedIndexes, hasBackoffLimitPerIndex, podsWithDelayedDeletionPerIndex } from './backoff-limit-per-index.js'
import { completionIndex, parseIntervals, totalIndexes, withIndexes, type Intervals } from './indexes.js'
import { manageJob, terminatingPods } from './manage.js'
import { hasTrackingFinalizer, deleteActivePods } from './pod-control.js'
import { isPodFailed, matchPodFailurePolicy, matchSuccessPolicy } from './policies.js'
import { trackStatusAndRemoveFinalizers } from './tracking.js'
import type { JobDeps, JobSync } from './types.js'

/** Finished pods not yet in the status nor in its uncounted lists (for Indexed Jobs, with a valid index). */
function newFinishedPods(s: JobSync, job: Cached<Job>) {
  const valid = (p: Cached<Pod>, uncounted: ReadonlySet<string>) => {
    const uid = p.metadata!.uid!
    if (!hasTrackingFinalizer(p) || uncounted.has(uid) || s.expectedRmFinalizers.has(uid)) return false
    if (job.spec?.completionMode !== 'Indexed') return true
    const ix = completionIndex(p)
    return ix >= 0 && ix < (job.spec.completions ?? 0)
  }
  return {
    succeeded: s.pods.filter((p) => valid(p, s.uncounted.succeeded) && p.status?.phase === 'Succeeded'),
    failed: s.pods.filter((p) => valid(p, s.uncounted.failed) && isPodFailed(p, job)),
  }
}

/** With restartPolicy OnFailure failures are container restarts: their sum against the backoff limit. */
function pastBackoffLimitOnFailure(job: Cached<Job>, pods: readonly Cached<Pod>[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false
  let restarts = 0
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue
    for (const c of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) restarts += c.restartCount ?? 0
  }
  const limit = job.spec.backoffLimit ?? 6
  return limit === 0 ? restarts > 0 : restarts >= limit
}

/** Milliseconds left before the active deadline, when there is one and the Job runs. */
function deadlineLeftMs(job: Cached<Job>, nowMs: number): number | undefined {
  const ads = job.spec?.activeDeadlineSeconds
  if (ads === undefined || ads === null || !job.status?.startTime || job.spec?.suspend) return undefined
  return ads * 1000 - (nowMs - Date.parse(job.status.startTime))
}

/** FailureTarget once more indexes failed than maxFailedIndexes allows, or once every index is either failed or succeeded. */
function failedIndexesCondition(job: Cached<Job>, failed: Intervals, succeeded: Intervals, nowMs: number): JobCondition | undefined {
  const nFailed = totalIndexes(failed)
  const max = job.spec?.maxFailedIndexes
  const r = max !== undefined && max !== null && nFailed > max ? reasons.maxFailedIndexesExceeded
    : nFailed > 0 && nFailed + totalIndexes(succeeded) >= (job.spec?.completions ?? 0) ? reasons.failedIndexes : undefined
  return r && newCondition('FailureTarget', 'True', r.reason, r.message, nowMs)
}

export async function syncJob(d: JobDeps, key: string, shared: Cached<Job>, pods: Cached<Pod>[],
  satisfied: boolean, signal: AbortSignal): Promise<SyncResult> {
  if (managedElsewhere(shared)) return
  if (isJobFinished(shared)) {
    d.backoff.remove(key)
    return
  }
  const mode = shared.spec?.completionMode
  if (mode && mode !== 'NonIndexed' && mode !== 'Indexed') {
    d.recorder.event(shared, 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown')
    return
  }
  const job = copy(shared) as Job
  const status = (job.status ??= {})
  status.uncountedTerminatedPods ??= {}
  const now = d.now()
  const activePods = pods.filter(isPodActive)
  const s: JobSync = {
    key, job, pods, activePods,
    ready: activePods.filter(isPodReady).length,
    terminating: terminatingPods(pods).length,
    uncounted: { succeeded: new Set(status.uncountedTerminatedPods.succeeded), failed: new Set(status.uncountedTerminatedPods.failed) },
    expectedRmFinalizers: d.finalizerExpectations.expected(key),
    succeeded: 0, failed: 0, prevSucceededIndexes: [], succeededIndexes: [], podsWithDelayedDeletionPerIndex: new Map(),
    newBackoff: { key, failuresAfterLastSuccess: 0 },
  }
  let active = activePods.length
  const fresh = newFinishedPods(s, job)
  s.succeeded = (status.succeeded ?? 0) + fresh.succeeded.length + s.uncounted.succeeded.size
  const counted = fresh.failed.filter((p) => matchPodFailurePolicy(job.spec?.podFailurePolicy, p).countFailed)
  s.failed = (status.failed ?? 0) + counted.length + s.uncounted.failed.size
  // The first sync of a running Job starts its clock (a suspended one starts on resume).
  if (!status.startTime && !job.spec?.suspend) status.startTime = rfc3339(now)
  s.newBackoff = d.backoff.next(key, fresh.succeeded, fresh.failed)

  let requeueAfterMs: number | undefined
  const sooner = (ms: number | undefined) => {
    if (ms !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? ms, ms)
  }
  const met = findCondition(status.conditions, 'SuccessCriteriaMet')
  if (met?.status === 'True') s.finished = met
  if (!s.finished) {
    const target = findCondition(status.conditions, 'FailureTarget')
    if (target?.status === 'True') s.finished = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now)
    else {
      const failJob = pods.filter((p) => isPodFailed(p, job)).map((p) => matchPodFailurePolicy(job.spec?.podFailurePolicy, p).failJobMessage).find(Boolean)
      if (failJob) s.finished = newCondition('FailureTarget', 'True', reasons.podFailurePolicy, failJob, now)
    }
  }
  if (!s.finished) {
    const left = deadlineLeftMs(job, now)
    if (s.failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) {
      s.finished = newCondition('FailureTarget', 'True', reasons.backoffLimitExceeded.reason, reasons.backoffLimitExceeded.message, now)
    } else if (left !== undefined && left <= 0) {
      s.finished = newCondition('FailureTarget', 'True', reasons.deadlineExceeded.reason, reasons.deadlineExceeded.message, now)
    } else sooner(left)
  }
  if (job.spec?.completionMode === 'Indexed') {
    const completions = job.spec.completions ?? 0
    s.prevSucceededIndexes = parseIntervals(status.completedIndexes, completions)
    const fresh = pods.filter((p) => p.status?.phase === 'Succeeded' && hasTrackingFinalizer(p))
      .map(completionIndex).filter((ix) => ix >= 0 && ix < completions)
    s.succeededIndexes = withIndexes(s.prevSucceededIndexes, [...new Set(fresh)].sort((a, b) => a - b))
    s.succeeded = s.succeededIndexes.reduce((n, iv) => n + iv.last - iv.first + 1, 0)
    if (hasBackoffLimitPerIndex(job)) {
      s.failedIndexes = calculateFailedIndexes(job, pods)
      if (!s.finished) s.finished = failedIndexesCondition(job, s.failedIndexes, s.succeededIndexes, now)
      s.podsWithDelayedDeletionPerIndex = podsWithDelayedDeletionPerIndex(s)
    }
    const msg = s.finished ? undefined : matchSuccessPolicy(job.spec.successPolicy, completions, s.succeededIndexes)
    if (msg) s.finished = newCondition('SuccessCriteriaMet', 'True', reasons.successPolicy, msg, now)
  }

  let suspendChanged = false
  let error: unknown
  if (s.finished) {
    const r = await deleteActivePods(d, job, activePods, signal)
    // Pods still to delete, or not yet seen in the cache: not finished yet.
    if (r.deleted !== active || !satisfied) s.finished = undefined
    active -= r.deleted
    s.terminating += r.deleted
    s.ready -= r.deletedReady
    error = r.error
  } else {
    let managed = false
    if (satisfied && !job.metadata?.deletionTimestamp) {
      const r = await manageJob(d, s, signal)
      active = r.active
      error = r.error
      sooner(r.requeueAfterMs)
      managed = true
    }
    const completions = job.spec?.completions
    // A work queue (no completions) is done when any pod succeeded and none still runs.
    const complete = completions === undefined || completions === null ? s.succeeded > 0 && active === 0 : s.succeeded >= completions && active === 0
    if (complete) {
      const { reason, message } = reasons.completionsReached
      s.finished = newCondition('SuccessCriteriaMet', 'True', reason, message, now)
    } else if (managed) {
      // Only a sync that managed the pods may say whether the Job is suspended.
      if (job.spec?.suspend) {
        if (ensureCondition(job, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
          suspendChanged = true
          d.recorder.event(shared, 'Normal', 'Suspended', 'Job suspended')
        }
      } else if (ensureCondition(job, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
        suspendChanged = true
        d.recorder.event(shared, 'Normal', 'Resumed', 'Job resumed')
        // activeDeadlineSeconds counts continuous activity: the clock restarts on resume.
        status.startTime = rfc3339(now)
      }
    }
  }

  const needsStatusUpdate = suspendChanged || active !== (status.active ?? 0) || s.ready !== status.ready || s.terminating !== status.terminating
  status.active = active
  status.ready = s.ready
  status.terminating = s.terminating
  await trackStatusAndRemoveFinalizers(d, s, needsStatusUpdate, signal)
  if (error !== undefined) throw error
  return requeueAfterMs === undefined ? undefined : { requeueAfterMs: Math.max(0, requeueAfterMs) }
}

/**
 * @module
 * Counting finished pods exactly once. Every Job pod carries a tracking finalizer; a finished
 * pod's UID is first written to `status.uncountedTerminatedPods`, then its finalizer is
 * removed, then it moves into `succeeded`/`failed`. A crash between any two steps loses
 * nothing and counts nothing twice, and the pod cannot disappear before it is counted.
 */
// Upstream: pkg/controller/job/job_controller.go (trackJobStatusAndRemoveFinalizers,
// canRemoveFinalizer, flushUncountedAndRemoveFinalizers, cleanUncountedPodsWithoutFinalizers,
// removeTrackingFinalizerFromPods, enactJobFinished, recordJobFinished). The terminal
// condition waits for terminating pods, as with upstream's JobManagedBy/JobPodReplacementPolicy
// gates on (1.31+).
import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { copy, type Cached } from '../../api/index.js'
import { ensureCondition, newCondition, type ConditionType } from './conditions.js'
import { completionIndex, formatIntervals, hasIndex, totalIndexes, withIndexes } from './indexes.js'
import { hasTrackingFinalizer, removeTrackingFinalizer } from './pod-control.js'
import { isPodFailed, matchPodFailurePolicy } from './policies.js'
import type { JobDeps, JobSync } from './types.js'

/** Upstream's MaxUncountedPods: keeps the UID lists (and so the status) around 20 KB. */
const MAX_UNCOUNTED_PODS = 500

/** Writes the status as upstream serializes it (zero counters omitted); returns the stored Job. */
export async function writeStatus(d: JobDeps, job: Job, signal: AbortSignal): Promise<Job> {
  const body = copy(job)
  const s = (body.status ??= {})
  for (const f of ['active', 'succeeded', 'failed'] as const) if (!s[f]) delete s[f]
  if (!s.completedIndexes) delete s.completedIndexes
  if (!s.conditions?.length) delete s.conditions
  const u = (s.uncountedTerminatedPods ??= {})
  if (!u.succeeded?.length) delete u.succeeded
  if (!u.failed?.length) delete u.failed
  return d.client.updateStatus(body, { signal })
}

/** Moves UIDs whose finalizer is gone out of the uncounted lists and into the counters. */
function cleanUncounted(status: JobStatus, withFinalizer: ReadonlySet<string>): boolean {
  const u = (status.uncountedTerminatedPods ??= {})
  let changed = false
  const keep = (uids: string[] | undefined, add: (n: number) => void) => {
    const kept = (uids ?? []).filter((uid) => withFinalizer.has(uid))
    if (kept.length !== (uids ?? []).length) {
      changed = true
      add((uids ?? []).length - kept.length)
    }
    return kept
  }
  u.succeeded = keep(u.succeeded, (n) => (status.succeeded = (status.succeeded ?? 0) + n))
  u.failed = keep(u.failed, (n) => (status.failed = (status.failed ?? 0) + n))
  return changed
}

function canRemoveFinalizer(s: JobSync, pod: Cached<Pod>, consideredFailed: boolean): boolean {
  if (s.job.metadata?.deletionTimestamp || s.finished !== undefined || pod.status?.phase === 'Succeeded') return true
  if (!consideredFailed) return false
  // Its index's replacement copies the failure count from this pod: it must stay until then.
  return s.podsWithDelayedDeletionPerIndex.get(completionIndex(pod))?.metadata?.uid !== pod.metadata?.uid
}

const isSuccessCriteriaMet = (s: JobSync) => s.finished?.type === 'SuccessCriteriaMet' && s.finished.status === 'True'

/**
 * Records finished pods in the status, removes their finalizers, updates the counters, and
 * when the Job is done (and nothing is left uncounted or terminating) adds its terminal
 * condition. Writes the status when anything changed or `needsFlush`.
 */
export async function trackStatusAndRemoveFinalizers(d: JobDeps, s: JobSync, needsFlush: boolean, signal: AbortSignal): Promise<void> {
  const job = s.job
  const indexed = job.spec?.completionMode === 'Indexed'
  const completions = job.spec?.completions ?? 0
  const pods = indexed ? [...s.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : s.pods
  const withFinalizer = new Set(pods.filter((p) => hasTrackingFinalizer(p) && !s.expectedRmFinalizers.has(p.metadata!.uid!)).map((p) => p.metadata!.uid!))
  if (cleanUncounted(job.status!, withFinalizer)) needsFlush = true
  const uncounted = job.status!.uncountedTerminatedPods!
  const toRemove: Cached<Pod>[] = []
  const newSucceededIndexes: number[] = []
  let reachedMax = false
  for (const pod of pods) {
    const uid = pod.metadata!.uid!
    if (!hasTrackingFinalizer(pod) || s.expectedRmFinalizers.has(uid)) continue // handled by an earlier sync
    const failed = isPodFailed(pod, job)
    if (!canRemoveFinalizer(s, pod, failed)) continue
    toRemove.push(pod)
    const ix = completionIndex(pod)
    if (pod.status?.phase === 'Succeeded' && !s.uncounted.failed.has(uid)) {
      if (indexed) {
        // The index itself says whether it was counted; no UID needs remembering.
        if (ix >= 0 && ix < completions && !hasIndex(s.prevSucceededIndexes, ix)) {
          newSucceededIndexes.push(ix)
          needsFlush = true
        }
      } else if (!s.uncounted.succeeded.has(uid)) {
        needsFlush = true
        ;(uncounted.succeeded ??= []).push(uid)
      }
    } else if (failed || (s.finished && !isSuccessCriteriaMet(s))) {
      // Once the Job is failing, every pod that did not succeed counts as failed.
      if (!s.uncounted.failed.has(uid) && (!indexed || (ix >= 0 && ix < completions)) &&
        matchPodFailurePolicy(job.spec?.podFailurePolicy, pod).countFailed) {
        needsFlush = true
        ;(uncounted.failed ??= []).push(uid)
      }
    }
    if (newSucceededIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) >= MAX_UNCOUNTED_PODS) {
      // The rest waits for the next sync, which this status write triggers.
      reachedMax = true
      break
    }
  }
  if (indexed) {
    s.succeededIndexes = withIndexes(s.succeededIndexes, [...new Set(newSucceededIndexes)].sort((a, b) => a - b))
    const text = formatIntervals(s.succeededIndexes)
    if (text !== (job.status!.completedIndexes ?? '')) needsFlush = true
    job.status!.succeeded = totalIndexes(s.succeededIndexes)
    job.status!.completedIndexes = text
    // Set (possibly empty) exactly when the Job has backoffLimitPerIndex, as upstream does.
    const failedText = s.failedIndexes ? formatIntervals(s.failedIndexes) : undefined
    if (failedText !== (job.status!.failedIndexes ?? undefined)) {
      needsFlush = true
      if (failedText === undefined) delete job.status!.failedIndexes
      else job.status!.failedIndexes = failedText
    }
  }
  const now = d.now()
  if (s.finished?.type === 'FailureTarget') {
    // The interim condition records why before the finalizers (and so the evidence) go.
    job.status!.conditions = [...(job.status!.conditions ?? []), s.finished]
    needsFlush = true
    s.finished = newCondition('Failed', 'True', s.finished.reason ?? '', s.finished.message ?? '', now)
  }
  if (isSuccessCriteriaMet(s)) {
    if (!job.status!.conditions?.some((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True')) {
      job.status!.conditions = [...(job.status!.conditions ?? []), s.finished!]
      needsFlush = true
    }
    s.finished = newCondition('Complete', 'True', s.finished!.reason ?? '', s.finished!.message ?? '', now)
  }
  needsFlush = await flushAndRemoveFinalizers(d, s, toRemove, withFinalizer, needsFlush, signal)
  const finished = !reachedMax && enactJobFinished(d, s)
  if (finished) needsFlush = true
  if (needsFlush) {
    s.job = await writeStatus(d, s.job, signal)
    if (finished) recordJobFinished(d, s)
  }
}

/** Writes pending status, removes finalizers, and folds the removed pods into the counters. Returns whether status is still unwritten. */
async function flushAndRemoveFinalizers(d: JobDeps, s: JobSync, toRemove: readonly Cached<Pod>[],
  withFinalizer: Set<string>, needsFlush: boolean, signal: AbortSignal): Promise<boolean> {
  if (needsFlush) {
    s.job = await writeStatus(d, s.job, signal)
    d.backoff.update(s.newBackoff)
    needsFlush = false
  }
  let error: unknown
  if (toRemove.length > 0) {
    d.finalizerExpectations.expectRemoved(s.key, toRemove.map((p) => p.metadata!.uid!))
    await Promise.all(toRemove.map(async (pod) => {
      try {
        await removeTrackingFinalizer(d, pod, signal)
        withFinalizer.delete(pod.metadata!.uid!)
      } catch (err) {
        // No update will show this removal; stop waiting for it.
        d.finalizerExpectations.observed(s.key, pod.metadata!.uid!)
        error ??= err
      }
    }))
  }
  s.job.status ??= {}
  if (cleanUncounted(s.job.status, withFinalizer)) needsFlush = true
  if (error !== undefined) {
    // Keep the partial progress before retrying.
    if (needsFlush) s.job = await writeStatus(d, s.job, signal)
    throw error
  }
  return needsFlush
}

/** Adds the Complete or Failed condition once nothing is left to count or to terminate. */
function enactJobFinished(d: JobDeps, s: JobSync): boolean {
  const cond = s.finished
  if (!cond) return false
  const u = s.job.status?.uncountedTerminatedPods
  if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false
  if (s.terminating > 0) return false
  ensureCondition(s.job, cond.type as ConditionType, cond.status as 'True', cond.reason ?? '', cond.message ?? '', d.now())
  if (cond.type === 'Complete') s.job.status!.completionTime = cond.lastTransitionTime
  return true
}

function recordJobFinished(d: JobDeps, s: JobSync): void {
  const job = s.job as Cached<Job>
  const cond = s.finished!
  if (cond.type === 'Complete') {
    const completions = job.spec?.completions
    if (completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions) {
      d.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached')
    }
    d.recorder.event(job, 'Normal', 'Completed', 'Job completed')
  } else {
    d.recorder.event(job, 'Warning', cond.reason ?? '', cond.message ?? '')
  }
}

/**
 * @module
 * Bringing a Job's running pods to what it asks for: none while suspended, otherwise as many
 * as parallelism allows while completions remain, created only once the failure backoff has
 * passed (per index, with backoffLimitPerIndex), never for an index that failed for good.
 */
// Upstream: pkg/controller/job/job_controller.go (manageJob, activePodsForRemoval,
// MaxPodCreateDeletePerSync, getPodCreationInfoForIndependentIndexes). Deliberate difference: while the backoff holds creation back,
// `active` keeps counting the running pods (upstream reports 0 for that sync).
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { deletionOrder } from '../util/index.js'
import { remainingBackoffMs } from './backoff.js'
import { hasBackoffLimitPerIndex, indexesReadyForCreation, indexFailureAnnotations } from './backoff-limit-per-index.js'
import { duplicateIndexPods, firstPendingIndexes } from './indexes.js'
import { createPods, deleteJobPods, podTemplateFor } from './pod-control.js'
import { onlyReplaceFailedPods } from './policies.js'
import type { JobDeps, JobSync } from './types.js'

const MAX_POD_CREATE_DELETE_PER_SYNC = 500

/** Below a second, a requeue would only repeat the sync that just ran. */
const MIN_REQUEUE_MS = 1000

export type ManageResult = { active: number; requeueAfterMs?: number; error?: unknown }

const isTerminating = (p: Cached<Pod>) =>
  !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'

/** Pods that are terminating but not finished: they still hold their slot (and, for Indexed Jobs, their index). */
export const terminatingPods = (pods: readonly Cached<Pod>[]) => pods.filter(isTerminating)

/** Pods to delete when `rmAtLeast` must go: duplicated or out-of-range indexes first, then the lowest-ranked. */
function activePodsForRemoval(s: JobSync, rmAtLeast: number): Cached<Pod>[] {
  let rm: Cached<Pod>[] = []
  let left: Cached<Pod>[] = [...s.activePods]
  if (s.job.spec?.completionMode === 'Indexed') ({ rm, left } = duplicateIndexPods(s.activePods, s.job.spec.completions ?? 0))
  if (rm.length < rmAtLeast) rm = [...rm, ...left.sort(deletionOrder).slice(0, rmAtLeast - rm.length)]
  return rm
}

export async function manageJob(d: JobDeps, s: JobSync, signal: AbortSignal): Promise<ManageResult> {
  const job = s.job
  const active = s.activePods.length
  const parallelism = job.spec?.parallelism ?? 1
  const completions = job.spec?.completions
  const onDeleteFailed = () => d.expectations.deletionObserved(s.key)

  if (job.spec?.suspend) {
    const doomed = activePodsForRemoval(s, active)
    d.expectations.expectDeletions(s.key, doomed.length)
    const r = await deleteJobPods(d, job, doomed, onDeleteFailed, signal)
    s.terminating += r.deleted
    s.ready -= r.deletedReady
    return { active: active - r.deleted, error: r.error }
  }

  let wantActive: number
  if (completions === undefined || completions === null) {
    // A work queue: once any pod succeeded, no new ones start and the others may finish.
    wantActive = s.succeeded > 0 ? active : parallelism
  } else {
    wantActive = Math.max(0, Math.min(completions - s.succeeded, parallelism))
  }

  const doomed = activePodsForRemoval(s, Math.max(0, active - wantActive)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC)
  if (doomed.length > 0) {
    // Deleting and creating in one sync would fight over the same slots; deletion goes first.
    d.expectations.expectDeletions(s.key, doomed.length)
    const r = await deleteJobPods(d, job, doomed, onDeleteFailed, signal)
    s.terminating += r.deleted
    s.ready -= r.deletedReady
    return { active: active - r.deleted, error: r.error }
  }

  const terminating = onlyReplaceFailedPods(job) ? s.terminating : 0
  let diff = wantActive - terminating - active
  if (diff <= 0) return { active }
  // With backoffLimitPerIndex each index waits out its own backoff instead (below).
  const perIndex = hasBackoffLimitPerIndex(job)
  const waitMs = perIndex ? 0 : remainingBackoffMs(s.newBackoff, d.now(), d.backoffBaseMs, d.backoffMaxMs)
  if (waitMs > 0) return { active, requeueAfterMs: Math.max(waitMs, MIN_REQUEUE_MS) }
  diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC)
  const indexed = job.spec?.completionMode === 'Indexed'
  let indexes: number[] | undefined
  let requeueAfterMs: number | undefined
  if (indexed) {
    const busy = onlyReplaceFailedPods(job) ? [...s.activePods, ...terminatingPods(s.pods)] : s.activePods
    indexes = firstPendingIndexes(s.succeededIndexes, busy, diff, completions ?? 0, s.failedIndexes)
    if (perIndex) {
      const r = indexesReadyForCreation(indexes, s.podsWithDelayedDeletionPerIndex, d.now(), d.backoffBaseMs, d.backoffMaxMs)
      indexes = r.ready
      // Upstream waits for the next pod event when some indexes were created; a timer is surer.
      if (r.waitMs > 0) requeueAfterMs = Math.max(r.waitMs, MIN_REQUEUE_MS)
    }
    diff = indexes.length
  }
  if (diff === 0) return { active, requeueAfterMs }
  d.expectations.expectCreations(s.key, diff)
  const template = podTemplateFor(job, indexed)
  // Each replacement carries its index's failure counts on, from the failed pod it replaces.
  const templateFor = perIndex ? (ix: number) => withAnnotations(template, indexFailureAnnotations(job, s.podsWithDelayedDeletionPerIndex.get(ix))) : template
  const r = await createPods(d, job, templateFor, diff, indexes, () => d.expectations.creationObserved(s.key), signal)
  return { active: active + r.created, requeueAfterMs, error: r.error }
}

const withAnnotations = (t: PodTemplateSpec, annotations: Record<string, string>): PodTemplateSpec =>
  ({ ...t, metadata: { ...t.metadata, annotations: { ...t.metadata?.annotations, ...annotations } } })

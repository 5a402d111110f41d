/**
 * @module
 * The Job controller's writes to pods: creating them from the template (in slow-start batches,
 * with the tracking finalizer and, for Indexed Jobs, the completion index), deleting them, and
 * removing the tracking finalizer. Events go on the Job, worded as upstream's PodControl.
 */
// Upstream: pkg/controller/job/job_controller.go (manageJob's creation loop, deleteJobPods,
// deleteActivePods, removeTrackingFinalizerFromPods, removeTrackingFinalizerPatch),
// pkg/controller/job/indexed_job_utils.go (addCompletionIndexEnvVariables,
// podGenerateNameWithIndex), pkg/controller/controller_utils.go (RealPodControl, SlowStartInitialBatchSize).
import type { Job } from 'kubernetes-types/batch/v1.js'
import type { Container, Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { copy, isNotFound, type Cached } from '../../api/index.js'
import type { Client, EventRecorder } from '../../client/types.js'
import { isPodReady, podFromTemplate } from '../util/index.js'
import { JOB_TRACKING_FINALIZER } from './conditions.js'
import { COMPLETION_INDEX } from './indexes.js'

const POD = { apiVersion: 'v1', kind: 'Pod' }
const SLOW_START_INITIAL_BATCH = 1
const MAX_GENERATED_NAME_LENGTH = 58 // 63 minus the 5 random characters the server appends

export type PodWriter = { client: Client; recorder: EventRecorder }

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err))

export const hasTrackingFinalizer = (p: Cached<Pod>) => p.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false

/** The template every new pod starts from: the index variable (Indexed Jobs) and the tracking finalizer added. */
export function podTemplateFor(job: Cached<Job>, indexed: boolean): PodTemplateSpec {
  const t = copy(job.spec?.template ?? {}) as PodTemplateSpec
  if (indexed && t.spec) {
    // The kubelet resolves the index from the pod's own label through the downward API.
    const add = (c: Container) => {
      if ((c.env ?? []).some((e) => e.name === 'JOB_COMPLETION_INDEX')) return
      c.env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX}']` } } }]
    }
    t.spec.initContainers?.forEach(add)
    t.spec.containers?.forEach(add)
  }
  t.metadata = { ...t.metadata }
  if (!t.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) t.metadata.finalizers = [...(t.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER]
  return t
}

function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`
  const prefix = jobName + suffix
  return prefix.length > MAX_GENERATED_NAME_LENGTH ? prefix.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix : prefix
}

function newPod(job: Cached<Job>, template: PodTemplateSpec, index: number): Pod {
  const name = job.metadata!.name!
  if (index < 0) {
    const prefix = `${name}-`
    return podFromTemplate(template, job as never, prefix.length > MAX_GENERATED_NAME_LENGTH ? prefix.slice(0, MAX_GENERATED_NAME_LENGTH) : prefix)
  }
  const pod = podFromTemplate(template, job as never, generateNameWithIndex(name, index))
  pod.metadata!.annotations = { ...pod.metadata!.annotations, [COMPLETION_INDEX]: String(index) }
  pod.metadata!.labels = { ...pod.metadata!.labels, [COMPLETION_INDEX]: String(index) }
  pod.spec = { ...pod.spec!, hostname: `${name}-${index}` }
  return pod
}

/**
 * Creates `count` pods (one per entry of `indexes` when given, from `template` or the template
 * for that index) in batches of 1, 2, 4, ... so a Job whose pods all fail to create (quota,
 * admission) makes one failing request, not hundreds.
 * `onSkipped(n)` is told how many were never attempted; returns how many were created and the
 * first error.
 */
export async function createPods(w: PodWriter, job: Cached<Job>, template: PodTemplateSpec | ((index: number) => PodTemplateSpec), count: number,
  indexes: readonly number[] | undefined, onFailed: () => void, signal: AbortSignal): Promise<{ created: number; error?: unknown }> {
  let created = 0
  let error: unknown
  let remaining = count
  let next = 0
  for (let batch = Math.min(remaining, SLOW_START_INITIAL_BATCH); remaining > 0; batch = Math.min(2 * batch, remaining)) {
    const errorsBefore = error === undefined ? 0 : 1
    const attempts = Array.from({ length: batch }, () => {
      const ix = indexes ? indexes[next++]! : -1
      return newPod(job, typeof template === 'function' ? template(ix) : template, ix)
    })
    await Promise.all(attempts.map(async (pod) => {
      try {
        const made = await w.client.create(pod, { signal })
        created++
        w.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${made.metadata?.name}`)
      } catch (err) {
        error ??= err
        onFailed()
        w.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${messageOf(err)}`)
      }
    }))
    remaining -= batch
    if (error !== undefined && errorsBefore === 0 && remaining > 0) {
      for (let i = 0; i < remaining; i++) onFailed()
      break
    }
  }
  return { created, error }
}

/** The strategic merge patch that drops only our finalizer (other finalizers and concurrent edits survive). */
export const removeFinalizerPatch = { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } }

/** Removes the tracking finalizer from `pod`; a pod already gone counts as done. */
export async function removeTrackingFinalizer(w: PodWriter, pod: Cached<Pod>, signal: AbortSignal): Promise<void> {
  if (!hasTrackingFinalizer(pod)) return
  try {
    await w.client.patch(POD, pod.metadata!.name!, pod.metadata!.namespace, removeFinalizerPatch, { type: 'strategic', signal })
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}

async function deletePod(w: PodWriter, job: Cached<Job>, pod: Cached<Pod>, signal: AbortSignal): Promise<void> {
  try {
    await w.client.delete(POD, pod.metadata!.name!, pod.metadata!.namespace, { signal })
    w.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata!.name}`)
  } catch (err) {
    if (!isNotFound(err)) w.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(err)}`)
    throw err
  }
}

export type DeleteResult = { deleted: number; deletedReady: number; error?: unknown }

/**
 * Deletes pods the Job no longer wants (suspension, too many running). The finalizer goes first:
 * these pods are not counted as failures, so nothing needs to hold them. `onFailed` is told of
 * each pod whose deletion will not be observed.
 */
export async function deleteJobPods(w: PodWriter, job: Cached<Job>, pods: readonly Cached<Pod>[],
  onFailed: () => void, signal: AbortSignal): Promise<DeleteResult> {
  const r: DeleteResult = { deleted: pods.length, deletedReady: 0 }
  await Promise.all(pods.map(async (pod) => {
    try {
      await removeTrackingFinalizer(w, pod, signal)
      await deletePod(w, job, pod, signal)
    } catch (err) {
      onFailed()
      if (!isNotFound(err)) {
        r.deleted--
        r.error ??= err
      }
    }
    if (isPodReady(pod)) r.deletedReady++
  }))
  return r
}

/** Deletes the active pods of a Job that is finishing, keeping their finalizers so they are counted. */
export async function deleteActivePods(w: PodWriter, job: Cached<Job>, pods: readonly Cached<Pod>[], signal: AbortSignal): Promise<DeleteResult> {
  const r: DeleteResult = { deleted: pods.length, deletedReady: 0 }
  await Promise.all(pods.map(async (pod) => {
    try {
      await deletePod(w, job, pod, signal)
    } catch (err) {
      if (!isNotFound(err)) {
        r.deleted--
        r.error ??= err
      }
    }
    if (isPodReady(pod)) r.deletedReady++
  }))
  return r
}

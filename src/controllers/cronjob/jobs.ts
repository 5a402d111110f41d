/**
 * @module
 * The Jobs a CronJob makes and keeps: each named after its scheduled minute (so a restart never
 * starts the same run twice), referenced from `status.active` while it runs, and pruned to the
 * history limits once finished.
 */
// Upstream: pkg/controller/cronjob/utils.go (getJobFromTemplate2, getTimeHashInMinutes,
// inActiveList, inActiveListByName, deleteFromActiveList, byJobStartTime) and
// cronjob_controllerv2.go (getJobName, getRef, deleteJob, cleanupFinishedJobs, removeOldestJobs).
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js'
import type { ObjectReference } from 'kubernetes-types/core/v1.js'
import { copy, type Cached } from '../../api/index.js'
import type { Client, EventRecorder } from '../../client/types.js'
import { controllerRef } from '../util/index.js'
import { finishedCondition } from '../job/index.js'
import { rfc3339InZone } from './schedule.js'

export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp'
export const JOB = { apiVersion: 'batch/v1', kind: 'Job' }

/** `<cronjob>-<minutes since the epoch>`: deterministic per scheduled time. */
export const jobName = (cj: Cached<CronJob>, scheduledMs: number) => `${cj.metadata!.name}-${Math.floor(scheduledMs / 60_000)}`

/** The Job to create for the run scheduled at `scheduledMs`. */
export function jobFromTemplate(cj: Cached<CronJob>, scheduledMs: number): Job {
  const t = cj.spec!.jobTemplate
  const labels = { ...t.metadata?.labels }
  const annotations = { ...t.metadata?.annotations, [SCHEDULED_TIMESTAMP]: rfc3339InZone(scheduledMs, cj.spec!.timeZone ?? '') }
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: jobName(cj, scheduledMs), namespace: cj.metadata!.namespace,
      ...(Object.keys(labels).length ? { labels } : {}), annotations,
      ownerReferences: [controllerRef(cj as never)],
    },
    spec: copy(t.spec ?? { template: {} }) as Job['spec'],
  }
}

/** What `status.active` holds for a Job (upstream's reference.GetReference). */
export const jobRef = (job: Cached<Job>): ObjectReference => ({
  kind: 'Job', namespace: job.metadata?.namespace, name: job.metadata?.name, uid: job.metadata?.uid,
  apiVersion: 'batch/v1', resourceVersion: job.metadata?.resourceVersion,
})

export const inActiveList = (cj: Cached<CronJob>, uid: string | undefined) => (cj.status?.active ?? []).some((r) => r.uid === uid)

export const inActiveListByName = (cj: Cached<CronJob>, name: string) =>
  (cj.status?.active ?? []).some((r) => r.name === name && r.namespace === cj.metadata?.namespace)

export function deleteFromActiveList(cj: CronJob, uid: string | undefined): void {
  cj.status = { ...cj.status, active: (cj.status?.active ?? []).filter((r) => r.uid !== uid) }
}

export type JobWriter = { client: Client; recorder: EventRecorder }

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Records an Event on the CronJob. */
export const recordEvent = (w: JobWriter, cj: CronJob, type: 'Normal' | 'Warning', reason: string, message: string) =>
  w.recorder.event(cj as Cached<CronJob>, type, reason, message)

/** Deletes a Job (its pods follow in the background) and drops it from the active list. */
export async function deleteJob(w: JobWriter, cj: CronJob, job: Cached<Job>, signal: AbortSignal): Promise<boolean> {
  try {
    await w.client.delete(JOB, job.metadata!.name!, job.metadata!.namespace, { propagationPolicy: 'Background', signal })
  } catch (err) {
    recordEvent(w, cj, 'Warning', 'FailedDelete', `Deleted job: ${messageOf(err)}`)
    return false
  }
  deleteFromActiveList(cj, job.metadata?.uid)
  recordEvent(w, cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata!.name}`)
  return true
}

/** Oldest first: by start time (unstarted last), then by name. */
function byStartTime(a: Cached<Job>, b: Cached<Job>): number {
  const sa = a.status?.startTime
  const sb = b.status?.startTime
  if (!sa && sb) return 1
  if (sa && !sb) return -1
  if ((sa ?? '') === (sb ?? '') || Date.parse(sa!) === Date.parse(sb!)) return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1
  return Date.parse(sa!) - Date.parse(sb!)
}

/** Deletes the oldest finished Jobs beyond `successfulJobsHistoryLimit` and `failedJobsHistoryLimit`. Returns whether the status changed. */
export async function cleanupFinishedJobs(w: JobWriter, cj: CronJob, jobs: readonly Cached<Job>[], signal: AbortSignal): Promise<boolean> {
  const limits = { Complete: cj.spec?.successfulJobsHistoryLimit, Failed: cj.spec?.failedJobsHistoryLimit }
  let changed = false
  for (const type of ['Complete', 'Failed'] as const) {
    const limit = limits[type]
    if (limit === undefined || limit === null) continue
    const finished = jobs.filter((j) => finishedCondition(j)?.type === type).sort(byStartTime)
    for (const j of finished.slice(0, Math.max(0, finished.length - limit))) {
      if (await deleteJob(w, cj, j, signal)) changed = true
    }
  }
  return changed
}

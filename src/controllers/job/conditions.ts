/**
 * @module
 * Job conditions and the words upstream writes into them. `kubectl get jobs` derives its
 * STATUS column from these, and CronJobs and the TTL controller read "finished" from them.
 */
// Upstream: pkg/controller/job/job_controller.go (newCondition, ensureJobConditionStatus,
// findConditionByType), pkg/controller/job/util/utils.go (IsJobFinished, FinishedCondition),
// staging/src/k8s.io/api/batch/v1/types.go (JobReason* constants).
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js'
import type { Cached } from '../../api/index.js'
import { rfc3339 } from '../util/index.js'

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking'
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller'

export const reasons = {
  backoffLimitExceeded: { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
  deadlineExceeded: { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' },
  completionsReached: { reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
  failedIndexes: { reason: 'FailedIndexes', message: 'Job has failed indexes' },
  maxFailedIndexesExceeded: { reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' },
  podFailurePolicy: 'PodFailurePolicy',
  successPolicy: 'SuccessPolicy',
} as const

export type ConditionType = 'Complete' | 'Failed' | 'Suspended' | 'FailureTarget' | 'SuccessCriteriaMet'

export function newCondition(type: ConditionType, status: 'True' | 'False', reason: string, message: string, nowMs: number): JobCondition {
  const t = rfc3339(nowMs)
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message }
}

export const findCondition = <C extends Cached<JobCondition>>(list: readonly C[] | undefined, type: string): C | undefined =>
  list?.find((c) => c.type === type)

const isTrue = (job: Cached<Job>, type: string) => findCondition(job.status?.conditions, type)?.status === 'True'

/**
 * Sets the condition of `type` to the given status, reason and message (a fresh transition
 * time when any of them changes). A False condition is never added, only updated to. Returns
 * whether the list changed.
 */
export function ensureCondition(job: Job, type: ConditionType, status: 'True' | 'False', reason: string, message: string, nowMs: number): boolean {
  const list = job.status!.conditions ?? []
  const i = list.findIndex((c) => c.type === type)
  if (i >= 0) {
    const c = list[i]!
    if (c.status === status && (c.reason ?? '') === reason && (c.message ?? '') === message) return false
    list[i] = newCondition(type, status, reason, message, nowMs)
    return true
  }
  if (status === 'False') return false
  job.status!.conditions = [...list, newCondition(type, status, reason, message, nowMs)]
  return true
}

/** The Complete or Failed condition that is True, if any. */
export const finishedCondition = (job: Cached<Job>) =>
  job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')

export const isJobFinished = (job: Cached<Job>) => finishedCondition(job) !== undefined
export const isJobSucceeded = (job: Cached<Job>) => isTrue(job, 'Complete')
export const isJobFailed = (job: Cached<Job>) => isTrue(job, 'Failed')

/** The name of the foreign controller that manages this Job, when it is not us. */
export function managedElsewhere(job: Cached<Job>): string | undefined {
  const by = (job.spec as { managedBy?: string } | undefined)?.managedBy
  return by && by !== JOB_CONTROLLER_NAME ? by : undefined
}

/**
 * @module
 * The state one Job sync carries between its steps, and the controller's collaborators.
 */
// Upstream: pkg/controller/job/job_controller.go (syncJobCtx).
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import type { BackoffRecord, BackoffStore } from './backoff.js'
import type { Expectations } from '../../client/index.js'
import type { FinalizerExpectations } from './expectations.js'
import type { Intervals } from './indexes.js'
import type { PodWriter } from './pod-control.js'

export type JobSync = {
  key: string
  /** Our editable copy; status changes accumulate here until written. */
  job: Job
  pods: Cached<Pod>[]
  activePods: Cached<Pod>[]
  /** The condition the Job is heading for (FailureTarget, SuccessCriteriaMet, then Failed or Complete). */
  finished?: JobCondition
  succeeded: number
  failed: number
  prevSucceededIndexes: Intervals
  succeededIndexes: Intervals
  /** With backoffLimitPerIndex only: indexes failed for good, recorded ones and new. */
  failedIndexes?: Intervals
  /** With backoffLimitPerIndex only: per index, the failed pod kept until its replacement exists. */
  podsWithDelayedDeletionPerIndex: ReadonlyMap<number, Cached<Pod>>
  newBackoff: BackoffRecord
  expectedRmFinalizers: ReadonlySet<string>
  uncounted: { succeeded: ReadonlySet<string>; failed: ReadonlySet<string> }
  terminating: number
  ready: number
}

export type JobDeps = PodWriter & {
  now: () => number
  expectations: Expectations
  finalizerExpectations: FinalizerExpectations
  backoff: BackoffStore
  backoffBaseMs: number
  backoffMaxMs: number
}

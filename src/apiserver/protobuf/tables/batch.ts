/**
 * @module
 * Protobuf field tables for batch/v1 Job and CronJob.
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/batch/v1/types.go (struct tags `json` and `protobuf`).
export const batchMessages: Messages = {
  Job: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec,omitempty', 'JobSpec'],
    [3, 'status,omitempty', 'JobStatus'],
  ],
  CronJob: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec,omitempty', 'CronJobSpec'],
    [3, 'status,omitempty', 'CronJobStatus'],
  ],
  JobSpec: [
    [1, 'parallelism,omitempty', '*int32'], [2, 'completions,omitempty', '*int32'],
    [3, 'activeDeadlineSeconds,omitempty', '*int64'],
    [11, 'podFailurePolicy,omitempty', '*PodFailurePolicy'],
    [16, 'successPolicy,omitempty', '*SuccessPolicy'], [7, 'backoffLimit,omitempty', '*int32'],
    [12, 'backoffLimitPerIndex,omitempty', '*int32'], [13, 'maxFailedIndexes,omitempty', '*int32'],
    [4, 'selector,omitempty', '*meta.LabelSelector'], [5, 'manualSelector,omitempty', '*bool'],
    [6, 'template', 'core.PodTemplateSpec'], [8, 'ttlSecondsAfterFinished,omitempty', '*int32'],
    [9, 'completionMode,omitempty', '*string'], [10, 'suspend,omitempty', '*bool'],
    [14, 'podReplacementPolicy,omitempty', '*string'], [15, 'managedBy,omitempty', '*string'],
  ],
  JobStatus: [
    [1, 'conditions,omitempty', '[]JobCondition'], [2, 'startTime,omitempty', '*meta.Time'],
    [3, 'completionTime,omitempty', '*meta.Time'], [4, 'active,omitempty', 'int32'],
    [5, 'succeeded,omitempty', 'int32'], [6, 'failed,omitempty', 'int32'],
    [11, 'terminating,omitempty', '*int32'], [7, 'completedIndexes,omitempty', 'string'],
    [10, 'failedIndexes,omitempty', '*string'],
    [8, 'uncountedTerminatedPods,omitempty', '*UncountedTerminatedPods'], [9, 'ready,omitempty', '*int32'],
  ],
  CronJobSpec: [
    [1, 'schedule', 'string'], [8, 'timeZone,omitempty', '*string'],
    [2, 'startingDeadlineSeconds,omitempty', '*int64'], [3, 'concurrencyPolicy,omitempty', 'string'],
    [4, 'suspend,omitempty', '*bool'], [5, 'jobTemplate', 'JobTemplateSpec'],
    [6, 'successfulJobsHistoryLimit,omitempty', '*int32'],
    [7, 'failedJobsHistoryLimit,omitempty', '*int32'],
  ],
  CronJobStatus: [
    [1, 'active,omitempty', '[]core.ObjectReference'], [4, 'lastScheduleTime,omitempty', '*meta.Time'],
    [5, 'lastSuccessfulTime,omitempty', '*meta.Time'],
  ],
  PodFailurePolicy: [[1, 'rules', '[]PodFailurePolicyRule']],
  SuccessPolicy: [[1, 'rules', '[]SuccessPolicyRule']],
  JobCondition: [
    [1, 'type', 'string'], [2, 'status', 'string'], [3, 'lastProbeTime,omitempty', 'meta.Time'],
    [4, 'lastTransitionTime,omitempty', 'meta.Time'], [5, 'reason,omitempty', 'string'],
    [6, 'message,omitempty', 'string'],
  ],
  UncountedTerminatedPods: [[1, 'succeeded,omitempty', '[]string'], [2, 'failed,omitempty', '[]string']],
  JobTemplateSpec: [[1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec,omitempty', 'JobSpec']],
  PodFailurePolicyRule: [
    [1, 'action', 'string'], [2, 'onExitCodes,omitempty', '*PodFailurePolicyOnExitCodesRequirement'],
    [3, 'onPodConditions,omitempty', '[]PodFailurePolicyOnPodConditionsPattern'],
  ],
  SuccessPolicyRule: [
    [1, 'succeededIndexes,omitempty', '*string'], [2, 'succeededCount,omitempty', '*int32'],
  ],
  PodFailurePolicyOnExitCodesRequirement: [
    [1, 'containerName,omitempty', '*string'], [2, 'operator', 'string'], [3, 'values', '[]int32'],
  ],
  PodFailurePolicyOnPodConditionsPattern: [[1, 'type', 'string'], [2, 'status', 'string']],
}

/**
 * @module
 * What a write to a Job's `/status` may say, so that clients can trust it whichever controller
 * wrote it (`spec.managedBy`): counters that never go back, terminal conditions that stay,
 * Complete only after SuccessCriteriaMet and Failed only after FailureTarget, a finished Job
 * with no active, terminating or uncounted pods, well-formed completed and failed indexes.
 * Most rules apply only when the fields they read change, so an update that fixes one field is
 * not refused for another one that was already wrong (or that a spec change made wrong).
 */
// Upstream: pkg/apis/batch/validation/validation.go (validateJobStatus, ValidateJobStatusUpdate),
// pkg/registry/batch/job/strategy.go (getStatusValidationOptions), as in 1.32 with JobManagedBy
// on by default, including the 1.32 patch fixes for resumed Jobs (#134769) and suspended Jobs
// with zero completions (#132614).
import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js'
import { duplicate, invalidValue, path, required, type FieldError } from '../../api/field-errors.js'
import { semanticEqual } from '../../api/meta.js'
import { invalidRendered, nonNegative } from '../apps/index.js'
import { goTime, goUncountedTerminatedPods, invalidOmitted } from './go-values.js'
import { failedIndexesOverlapCompleted, validateIndexesFormat } from './index-intervals.js'

const isSet = <T>(v: T | undefined | null): v is T => v !== undefined && v !== null
const hasCondition = (s: JobStatus | undefined, type: string, status = 'True') =>
  (s?.conditions ?? []).some((c) => c.type === type && c.status === status)
const isFinished = (s: JobStatus | undefined) => hasCondition(s, 'Complete') || hasCondition(s, 'Failed')
/** Times compare by instant (the stored text may differ in form). */
const sameTime = (a: string | undefined | null, b: string | undefined | null) =>
  !isSet(a) || !isSet(b) ? isSet(a) === isSet(b) : Date.parse(a) === Date.parse(b) || a === b

/** Which rules apply: upstream's JobStatusValidationOptions, from what the update changes. */
function statusRules(job: Job, old: Job) {
  const s = job.status
  const o = old.status
  const changed = (f: (st: JobStatus | undefined) => unknown) => !semanticEqual(f(s) ?? null, f(o) ?? null)
  const finishedChanged = isFinished(s) !== isFinished(o)
  const completeChanged = hasCondition(s, 'Complete') !== hasCondition(o, 'Complete')
  const failedChanged = hasCondition(s, 'Failed') !== hasCondition(o, 'Failed')
  const failureTargetChanged = hasCondition(s, 'FailureTarget') !== hasCondition(o, 'FailureTarget')
  const completedIndexesChanged = (s?.completedIndexes ?? '') !== (o?.completedIndexes ?? '')
  const failedIndexesChanged = changed((st) => st?.failedIndexes)
  const activeChanged = (s?.active ?? 0) !== (o?.active ?? 0)
  const startTimeChanged = !sameTime(s?.startTime, o?.startTime)
  const completionTimeChanged = !sameTime(s?.completionTime, o?.completionTime)
  const spec = job.spec
  // A suspended Job with nothing to do completes without ever starting.
  const suspendedWithZeroCompletions = spec?.suspend === true && spec.completions === 0
  // The controller restarts the clock when a Job resumes (the active deadline counts from there).
  const resuming = hasCondition(o, 'Suspended') && hasCondition(s, 'Suspended', 'False')
  return {
    // Elastic Indexed Jobs (completions == parallelism) may scale down their succeeded count.
    decreasingSucceeded: spec?.completionMode !== 'Indexed' || !semanticEqual(spec.completions ?? null, spec.parallelism ?? null),
    invalidCompletedIndexes: completedIndexesChanged,
    invalidFailedIndexes: failedIndexesChanged,
    overlappingIndexes: failedIndexesChanged || completedIndexesChanged,
    failedWithoutFailureTarget: failedChanged || failedIndexesChanged,
    completeWithoutSuccessCriteriaMet: completeChanged,
    finishedWithActive: finishedChanged || activeChanged,
    finishedWithoutStartTime: (finishedChanged || startTimeChanged) && !suspendedWithZeroCompletions,
    finishedWithUncounted: finishedChanged || changed((st) => st?.uncountedTerminatedPods),
    startTimeUpdate: startTimeChanged && !resuming,
    completionBeforeStart: startTimeChanged || completionTimeChanged,
    completionTimeWithoutComplete: completeChanged || completionTimeChanged,
    completeWithFailed: completeChanged || failedChanged,
    completeWithFailureTarget: completeChanged || failureTargetChanged,
    moreReadyThanActive: changed((st) => st?.ready) || activeChanged,
    finishedWithTerminating: finishedChanged || changed((st) => st?.terminating),
  }
}

function validateUncounted(s: JobStatus): FieldError[] {
  const errs: FieldError[] = []
  const seen = new Set<string>()
  for (const list of ['succeeded', 'failed'] as const) {
    ;(s.uncountedTerminatedPods?.[list] ?? []).forEach((uid, i) => {
      const at = path('status', 'uncountedTerminatedPods', list, i)
      if (uid === '') errs.push(invalidValue(at, uid, 'must not be empty'))
      else if (seen.has(uid)) errs.push(duplicate(at, uid))
      else seen.add(uid)
    })
  }
  return errs
}

/** Upstream's validateJobStatus with the rules `statusRules` switched on. */
function validateJobStatus(job: Job, rules: ReturnType<typeof statusRules>): FieldError[] {
  const s = job.status ?? {}
  const spec = job.spec
  const errs = [
    ...nonNegative(s.active, 'status.active'), ...nonNegative(s.succeeded, 'status.succeeded'),
    ...nonNegative(s.failed, 'status.failed'), ...nonNegative(s.ready, 'status.ready'),
    ...nonNegative(s.terminating, 'status.terminating'), ...validateUncounted(s),
  ]
  const complete = hasCondition(s, 'Complete')
  const failed = hasCondition(s, 'Failed')
  const failureTarget = hasCondition(s, 'FailureTarget')
  const successCriteriaMet = hasCondition(s, 'SuccessCriteriaMet')
  const finished = complete || failed
  const conditions = (detail: string) => errs.push(invalidOmitted('status.conditions', detail))
  if (rules.completeWithFailed && complete && failed) conditions('cannot set Complete=True and Failed=true conditions')
  if (rules.completeWithFailureTarget && complete && failureTarget) conditions('cannot set Complete=True and FailureTarget=true conditions')
  if (rules.completionTimeWithoutComplete && isSet(s.completionTime) && !complete) {
    errs.push(invalidRendered('status.completionTime', goTime(s.completionTime), 'cannot set completionTime when there is no Complete=True condition'))
  }
  if (rules.completionTimeWithoutComplete && !isSet(s.completionTime) && complete) errs.push(required('status.completionTime', 'completionTime is required for Complete jobs'))
  if (rules.completionBeforeStart && isSet(s.startTime) && isSet(s.completionTime) && Date.parse(s.completionTime) < Date.parse(s.startTime)) {
    errs.push(invalidRendered('status.completionTime', goTime(s.completionTime), 'completionTime cannot be set before startTime'))
  }
  if (rules.failedWithoutFailureTarget && failed && !failureTarget) conditions('cannot set Failed=True condition without the FailureTarget=true condition')
  if (rules.completeWithoutSuccessCriteriaMet && complete && !successCriteriaMet) conditions('cannot set Complete=True condition without the SuccessCriteriaMet=true condition')
  if (rules.finishedWithActive && (s.active ?? 0) > 0 && finished) errs.push(invalidValue('status.active', s.active, 'active>0 is invalid for finished job'))
  if (rules.finishedWithoutStartTime && !isSet(s.startTime) && finished) errs.push(required('status.startTime', 'startTime is required for finished job'))
  const uncounted = s.uncountedTerminatedPods
  if (rules.finishedWithUncounted && finished && isSet(uncounted) && (uncounted.failed ?? []).length + (uncounted.succeeded ?? []).length > 0) {
    errs.push(invalidRendered('status.uncountedTerminatedPods', goUncountedTerminatedPods(uncounted), 'uncountedTerminatedPods needs to be empty for finished job'))
  }
  const completions = spec?.completions
  const failedIndexes = s.failedIndexes
  if (rules.invalidCompletedIndexes && isSet(completions)) {
    const r = validateIndexesFormat(s.completedIndexes ?? '', completions)
    if (r.error !== undefined) errs.push(invalidValue('status.completedIndexes', s.completedIndexes ?? '', `error parsing completedIndexes: ${r.error}`))
  }
  if (rules.invalidFailedIndexes && isSet(completions) && isSet(spec?.backoffLimitPerIndex) && isSet(failedIndexes)) {
    const r = validateIndexesFormat(failedIndexes, completions)
    if (r.error !== undefined) errs.push(invalidValue('status.failedIndexes', failedIndexes, `error parsing failedIndexes: ${r.error}`))
  }
  if (rules.invalidCompletedIndexes && (s.completedIndexes ?? '') !== '' && spec?.completionMode !== 'Indexed') {
    errs.push(invalidValue('status.completedIndexes', s.completedIndexes, 'cannot set non-empty completedIndexes when non-indexed completion mode'))
  }
  // Regular Jobs have no backoffLimitPerIndex, so this also keeps failedIndexes off them.
  if (rules.invalidFailedIndexes && !isSet(spec?.backoffLimitPerIndex) && isSet(failedIndexes)) {
    errs.push(invalidValue('status.failedIndexes', failedIndexes, 'cannot set non-null failedIndexes when backoffLimitPerIndex is null'))
  }
  if (rules.overlappingIndexes && isSet(completions) && isSet(failedIndexes)) {
    const overlap = failedIndexesOverlapCompleted(s.completedIndexes ?? '', failedIndexes, completions)
    if (overlap) errs.push(invalidValue('status.failedIndexes', failedIndexes, overlap))
  }
  if (rules.finishedWithTerminating && (s.terminating ?? 0) > 0 && finished) errs.push(invalidValue('status.terminating', s.terminating, 'terminating>0 is invalid for finished job'))
  if (rules.moreReadyThanActive && isSet(s.ready) && s.ready > (s.active ?? 0)) errs.push(invalidValue('status.ready', s.ready, 'cannot set more ready pods than active'))
  if (successCriteriaMet && failed) conditions('cannot set SuccessCriteriaMet=True and Failed=true conditions')
  if (successCriteriaMet && failureTarget) conditions('cannot set SuccessCriteriaMet=True and FailureTarget=true conditions')
  if (isSet(spec?.successPolicy) && !successCriteriaMet && complete) conditions('cannot set Complete=True for Job with SuccessPolicy unless SuccessCriteriaMet=True')
  return errs
}

/** Upstream's ValidateJobStatusUpdate (metadata aside): a PUT or PATCH on `jobs/status`. */
export function validateJobStatusUpdate(job: Job, old: Job): FieldError[] {
  const rules = statusRules(job, old)
  const errs = validateJobStatus(job, rules)
  const s = job.status
  const o = old.status
  for (const type of ['Failed', 'Complete', 'FailureTarget']) {
    if (hasCondition(o, type) && !hasCondition(s, type)) errs.push(invalidOmitted('status.conditions', `cannot disable the terminal ${type}=True condition`))
  }
  if ((s?.failed ?? 0) < (o?.failed ?? 0)) errs.push(invalidValue('status.failed', s?.failed ?? 0, 'cannot decrease the failed counter'))
  if (rules.decreasingSucceeded && (s?.succeeded ?? 0) < (o?.succeeded ?? 0)) {
    errs.push(invalidValue('status.succeeded', s?.succeeded ?? 0, 'cannot decrease the succeeded counter'))
  }
  // Clearing it is allowed here; a Complete Job without one is refused above.
  if (isSet(s?.completionTime) && isSet(o?.completionTime) && !sameTime(s.completionTime, o.completionTime)) {
    errs.push(invalidRendered('status.completionTime', goTime(s.completionTime), 'completionTime cannot be mutated'))
  }
  if (rules.startTimeUpdate && isSet(o?.startTime) && !sameTime(o.startTime, s?.startTime) && job.spec?.suspend !== true) {
    errs.push(required('status.startTime', 'startTime cannot be removed for unsuspended job'))
  }
  if (hasCondition(o, 'SuccessCriteriaMet') && !hasCondition(s, 'SuccessCriteriaMet')) {
    errs.push(invalidOmitted('status.conditions', 'cannot disable the SuccessCriteriaMet=True condition'))
  }
  if (hasCondition(o, 'Complete') && !hasCondition(o, 'SuccessCriteriaMet') && hasCondition(s, 'SuccessCriteriaMet')) {
    errs.push(invalidOmitted('status.conditions', 'cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions'))
  }
  return errs
}

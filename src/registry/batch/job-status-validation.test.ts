import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Job, JobCondition, JobSpec, JobStatus } from 'kubernetes-types/batch/v1.js'
import type { Kube } from '../apps/index.js'
import { jobs } from './index.js'

const T0 = '2024-01-01T00:00:00Z'
const T1 = '2024-01-01T00:01:00Z'
const cond = (type: string, status = 'True'): JobCondition => ({ type, status, lastTransitionTime: T1, reason: 'R', message: 'm' })

/** A created Job, with `status` as the stored one. */
function stored(status: JobStatus, spec: Partial<JobSpec> = {}): Kube<Job> {
  const job: Kube<Job> = {
    kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'work', namespace: 'default', uid: 'u-1' },
    spec: { template: { spec: { containers: [{ name: 'main', image: 'busybox' }], restartPolicy: 'Never' } }, ...spec },
  }
  jobs.defaults(job)
  jobs.prepareForCreate(job)
  job.status = status
  return job
}
/** The errors a status write of `status` over `old` gets. */
function update(old: Kube<Job>, status: JobStatus): string[] {
  const job = structuredClone(old)
  job.status = status
  jobs.status.prepareForUpdate(job, old)
  return jobs.status.validateUpdate(job, old).map((e) => e.error)
}
const running: JobStatus = { startTime: T0, active: 1, ready: 1, terminating: 0, uncountedTerminatedPods: {} }

describe('job status validation: what the Job controller writes passes', () => {
  it('starts, counts, and completes through SuccessCriteriaMet', () => {
    assert.deepEqual(update(stored({}), running), [])
    const counting = { ...running, active: 0, ready: 0, uncountedTerminatedPods: { succeeded: ['p1'] }, conditions: [cond('SuccessCriteriaMet')] }
    assert.deepEqual(update(stored(running), counting), [])
    const done = { ...counting, succeeded: 1, uncountedTerminatedPods: {}, completionTime: T1, conditions: [cond('SuccessCriteriaMet'), cond('Complete')] }
    assert.deepEqual(update(stored(counting), done), [])
  })

  it('fails through FailureTarget', () => {
    const target = { ...running, active: 0, ready: 0, failed: 1, conditions: [cond('FailureTarget')] }
    assert.deepEqual(update(stored(running), target), [])
    assert.deepEqual(update(stored(target), { ...target, conditions: [cond('FailureTarget'), cond('Failed')] }), [])
  })

  it('restarts the clock when a Job resumes, but nobody else may move startTime', () => {
    const suspended = stored({ ...running, active: 0, ready: 0, conditions: [cond('Suspended')] })
    assert.deepEqual(update(suspended, { ...suspended.status, startTime: T1, conditions: [cond('Suspended', 'False')] }), [])
    assert.deepEqual(update(stored(running), { ...running, startTime: T1 }), ['status.startTime: Required value: startTime cannot be removed for unsuspended job'])
    assert.deepEqual(update(stored(running, { suspend: true }), { ...running, startTime: undefined }), [])
  })

  it('completes a suspended Job with zero completions that never started', () => {
    const old = stored({ conditions: [cond('Suspended')] }, { suspend: true, completions: 0 })
    assert.deepEqual(update(old, { completionTime: T1, conditions: [cond('Suspended'), cond('SuccessCriteriaMet'), cond('Complete')] }), [])
  })

  it('lets an elastic Indexed Job lower its succeeded count', () => {
    const old = stored({ ...running, succeeded: 3, completedIndexes: '0-2' }, { completionMode: 'Indexed', completions: 2, parallelism: 2 })
    assert.deepEqual(update(old, { ...running, succeeded: 2, completedIndexes: '0-1' }), [])
  })
})

describe('job status validation: refused writes', () => {
  it('never lowers counters nor drops terminal conditions', () => {
    const old = stored({ ...running, active: 0, ready: 0, succeeded: 2, failed: 2, completionTime: T1, conditions: [cond('FailureTarget'), cond('SuccessCriteriaMet'), cond('Complete')] })
    assert.deepEqual(update(old, { ...running, active: 0, ready: 0, succeeded: 1, failed: 1 }), [
      'status.conditions: Invalid value: cannot disable the terminal Complete=True condition',
      'status.conditions: Invalid value: cannot disable the terminal FailureTarget=True condition',
      'status.failed: Invalid value: 1: cannot decrease the failed counter',
      'status.succeeded: Invalid value: 1: cannot decrease the succeeded counter',
      'status.conditions: Invalid value: cannot disable the SuccessCriteriaMet=True condition',
    ])
  })

  it('wants Complete after SuccessCriteriaMet, with a completionTime, and Failed after FailureTarget', () => {
    const old = stored(running)
    assert.deepEqual(update(old, { ...running, active: 0, ready: 0, conditions: [cond('Complete'), cond('Failed')] }), [
      'status.conditions: Invalid value: cannot set Complete=True and Failed=true conditions',
      'status.completionTime: Required value: completionTime is required for Complete jobs',
      'status.conditions: Invalid value: cannot set Failed=True condition without the FailureTarget=true condition',
      'status.conditions: Invalid value: cannot set Complete=True condition without the SuccessCriteriaMet=true condition',
    ])
    assert.deepEqual(update(old, { ...running, conditions: [cond('SuccessCriteriaMet'), cond('FailureTarget')] }), [
      'status.conditions: Invalid value: cannot set SuccessCriteriaMet=True and FailureTarget=true conditions',
    ])
  })

  it('checks completionTime against the Complete condition and startTime', () => {
    assert.deepEqual(update(stored(running), { ...running, completionTime: '2023-12-31T23:00:00Z' }), [
      'status.completionTime: Invalid value: 2023-12-31 23:00:00 +0000 UTC: cannot set completionTime when there is no Complete=True condition',
      'status.completionTime: Invalid value: 2023-12-31 23:00:00 +0000 UTC: completionTime cannot be set before startTime',
    ])
    const done = { ...running, active: 0, ready: 0, completionTime: T1, conditions: [cond('SuccessCriteriaMet'), cond('Complete')] }
    assert.deepEqual(update(stored(done), { ...done, completionTime: '2024-01-01T00:02:00Z' }), [
      'status.completionTime: Invalid value: 2024-01-01 00:02:00 +0000 UTC: completionTime cannot be mutated',
    ])
  })

  it('wants a finished Job started, with no active, terminating or uncounted pods', () => {
    const finishing = { active: 1, ready: 1, terminating: 1, uncountedTerminatedPods: { failed: ['p1'] }, conditions: [cond('FailureTarget'), cond('Failed')] }
    assert.deepEqual(update(stored({}), finishing), [
      'status.active: Invalid value: 1: active>0 is invalid for finished job',
      'status.startTime: Required value: startTime is required for finished job',
      'status.uncountedTerminatedPods: Invalid value: batch.UncountedTerminatedPods{Succeeded:[]types.UID(nil), Failed:[]types.UID{"p1"}}: uncountedTerminatedPods needs to be empty for finished job',
      'status.terminating: Invalid value: 1: terminating>0 is invalid for finished job',
    ])
  })

  it('checks uncounted pod UIDs and ready against active', () => {
    assert.deepEqual(update(stored(running), { ...running, ready: 2, uncountedTerminatedPods: { succeeded: ['a', ''], failed: ['a'] } }), [
      'status.uncountedTerminatedPods.succeeded[1]: Invalid value: "": must not be empty',
      'status.uncountedTerminatedPods.failed[0]: Duplicate value: "a"',
      'status.ready: Invalid value: 2: cannot set more ready pods than active',
    ])
  })

  it('checks completed and failed indexes', () => {
    const spec: Partial<JobSpec> = { completionMode: 'Indexed', completions: 5, parallelism: 5, backoffLimitPerIndex: 1 }
    const old = stored({ ...running, failedIndexes: '' }, spec)
    assert.deepEqual(update(old, { ...running, completedIndexes: '0-5', failedIndexes: '4,3' }), [
      'status.completedIndexes: Invalid value: "0-5": error parsing completedIndexes: too large index: "5"',
      'status.failedIndexes: Invalid value: "4,3": error parsing failedIndexes: non-increasing order, previous: 4, current: 3',
    ])
    assert.deepEqual(update(old, { ...running, completedIndexes: '0-2', failedIndexes: '2,4' }), [
      'status.failedIndexes: Invalid value: "2,4": failedIndexes and completedIndexes overlap at index: 2',
    ])
    assert.deepEqual(update(stored(running), { ...running, completedIndexes: '0', failedIndexes: '1' }), [
      'status.completedIndexes: Invalid value: "0": cannot set non-empty completedIndexes when non-indexed completion mode',
      'status.failedIndexes: Invalid value: "1": cannot set non-null failedIndexes when backoffLimitPerIndex is null',
    ])
  })

  it('checks index lists only when they change', () => {
    // After scaling an elastic Job down, old indexes may exceed completions until the controller catches up.
    const old = stored({ ...running, completedIndexes: '0-4' }, { completionMode: 'Indexed', completions: 3, parallelism: 3 })
    assert.deepEqual(update(old, { ...old.status, active: 2 }), [])
  })

  it('keeps SuccessCriteriaMet and a success policy consistent with Complete', () => {
    const spec: Partial<JobSpec> = { completionMode: 'Indexed', completions: 2, parallelism: 2, successPolicy: { rules: [{ succeededCount: 1 }] } }
    const legacy = stored({ ...running, active: 0, ready: 0, completionTime: T1, conditions: [cond('Complete')] }, spec)
    assert.deepEqual(update(legacy, { ...legacy.status, conditions: [cond('Complete'), cond('SuccessCriteriaMet')] }), [
      'status.conditions: Invalid value: cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions',
    ])
    assert.deepEqual(update(legacy, { ...legacy.status, succeeded: 1 }), [
      'status.conditions: Invalid value: cannot set Complete=True for Job with SuccessPolicy unless SuccessCriteriaMet=True',
    ])
  })
})

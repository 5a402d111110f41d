import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js'
import type { Kube } from '../apps/index.js'
import { cronJobs, jobs } from './index.js'

/** A created Job (defaults, generated selector) with `spec` merged in before defaulting. */
function job(spec: Partial<JobSpec> = {}): Kube<Job> {
  const j: Kube<Job> = {
    kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'work', namespace: 'default', uid: 'u-1' },
    spec: { template: { spec: { containers: [{ name: 'main', image: 'busybox' }], restartPolicy: 'Never' } }, ...spec },
  }
  jobs.defaults(j)
  jobs.prepareForCreate(j)
  return j
}
const errors = (j: Kube<Job>) => jobs.validate(j).map((e) => e.error)
const indexed = (spec: Partial<JobSpec> = {}) => job({ completionMode: 'Indexed', completions: 10, parallelism: 2, ...spec })

describe('job spec validation: backoffLimitPerIndex and maxFailedIndexes', () => {
  it('accepts per-index limits on an Indexed Job', () => {
    assert.deepEqual(errors(indexed({ backoffLimitPerIndex: 1, maxFailedIndexes: 3 })), [])
  })

  it('requires indexed completion mode', () => {
    assert.deepEqual(errors(job({ backoffLimitPerIndex: 1, maxFailedIndexes: 0 })), [
      'spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode',
      'spec.maxFailedIndexes: Invalid value: 0: requires indexed completion mode',
    ])
  })

  it('requires backoffLimitPerIndex with maxFailedIndexes, and no more than completions', () => {
    assert.deepEqual(errors(indexed({ maxFailedIndexes: 11 })), [
      'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
      'spec.maxFailedIndexes: Invalid value: 11: must be less than or equal to completions',
    ])
  })

  it('bounds maxFailedIndexes and parallelism for very large Jobs', () => {
    assert.deepEqual(errors(indexed({ completions: 200_000, parallelism: 20_000, backoffLimitPerIndex: 1, maxFailedIndexes: 150_000 })), [
      'spec.maxFailedIndexes: Invalid value: 150000: must be less than or equal to 100000',
      'spec.parallelism: Invalid value: 20000: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index',
      'spec.maxFailedIndexes: Invalid value: 150000: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index',
    ])
    assert.deepEqual(errors(indexed({ completions: 200_000, backoffLimitPerIndex: 1 })), [
      'spec.maxFailedIndexes: Required value: must be specified when completions is above 100000',
    ])
  })

  it('checks the same rules in CronJob job templates', () => {
    const cj = {
      kind: 'CronJob', apiVersion: 'batch/v1', metadata: { name: 'tick', namespace: 'default' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { maxFailedIndexes: 1, template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } } } } },
    } as never
    cronJobs.defaults(cj)
    assert.deepEqual(cronJobs.validate(cj).map((e) => e.error), [
      'spec.jobTemplate.spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
      'spec.jobTemplate.spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode',
    ])
  })
})

describe('job spec validation: managedBy', () => {
  it('must be a domain-prefixed path of at most 63 characters', () => {
    assert.deepEqual(errors(job({ managedBy: 'kueue.x-k8s.io/multikueue' })), [])
    assert.deepEqual(errors(job({ managedBy: 'kueue' })), ['spec.managedBy: Invalid value: "kueue": must be a domain-prefixed path (such as "acme.io/foo")'])
    const long = `example.com/${'a'.repeat(60)}`
    assert.deepEqual(errors(job({ managedBy: long })), ['spec.managedBy: Too long: may not be more than 63 bytes'])
  })
})

describe('job update validation', () => {
  it('lets an Indexed Job change completions only together with parallelism', () => {
    const old = indexed({ completions: 4, parallelism: 4 })
    const scaled = structuredClone(old)
    scaled.spec!.completions = 2
    scaled.spec!.parallelism = 2
    assert.deepEqual(jobs.validateUpdate(scaled, old), [])
    scaled.spec!.parallelism = 3
    assert.deepEqual(jobs.validateUpdate(scaled, old).map((e) => e.error), ['spec.completions: Invalid value: 2: can only be modified in tandem with spec.parallelism'])
    const plain = job({ completions: 4, parallelism: 4 })
    const changed = structuredClone(plain)
    changed.spec!.completions = 2
    changed.spec!.parallelism = 2
    assert.deepEqual(jobs.validateUpdate(changed, plain).map((e) => e.error), ['spec.completions: Invalid value: 2: field is immutable'])
  })

  it('keeps the success and pod failure policies, per-index backoff and managedBy fixed', () => {
    const old = indexed({ backoffLimitPerIndex: 1, successPolicy: { rules: [{ succeededCount: 1 }] } })
    const upd = structuredClone(old)
    upd.spec!.successPolicy = { rules: [{ succeededIndexes: '0-2' }] }
    upd.spec!.backoffLimitPerIndex = 2
    upd.spec!.podFailurePolicy = { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] }
    upd.spec!.managedBy = 'example.com/ctl'
    assert.deepEqual(jobs.validateUpdate(upd, old).map((e) => e.error), [
      'spec.podFailurePolicy: Invalid value: batch.PodFailurePolicy{Rules:[]batch.PodFailurePolicyRule{batch.PodFailurePolicyRule{Action:"Ignore", ' +
        'OnExitCodes:(*batch.PodFailurePolicyOnExitCodesRequirement)(nil), OnPodConditions:[]batch.PodFailurePolicyOnPodConditionsPattern{' +
        'batch.PodFailurePolicyOnPodConditionsPattern{Type:"DisruptionTarget", Status:"True"}}}}}: field is immutable',
      'spec.backoffLimitPerIndex: Invalid value: 2: field is immutable',
      'spec.managedBy: Invalid value: "example.com/ctl": field is immutable',
      'spec.successPolicy: Invalid value: batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule{batch.SuccessPolicyRule{SucceededIndexes:(*string)(0xc000a1c000), ' +
        'SucceededCount:(*int32)(nil)}}}: field is immutable',
    ])
  })
})

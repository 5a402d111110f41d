import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Job, JobSpec, SuccessPolicyRule } from 'kubernetes-types/batch/v1.js'
import type { Kube } from '../apps/index.js'
import { jobs } from './index.js'
import { failedIndexesOverlapCompleted, validateIndexesFormat } from './index-intervals.js'

/** The errors a created Job with this success policy gets (Indexed, 10 completions, unless `spec` says otherwise). */
function errors(rules: SuccessPolicyRule[], spec: Partial<JobSpec> = {}): string[] {
  const job: Kube<Job> = {
    kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'work', namespace: 'default', uid: 'u-1' },
    spec: {
      completionMode: 'Indexed', completions: 10, parallelism: 10, successPolicy: { rules },
      template: { spec: { containers: [{ name: 'main', image: 'busybox' }], restartPolicy: 'Never' } }, ...spec,
    },
  }
  jobs.defaults(job)
  jobs.prepareForCreate(job)
  return jobs.validate(job).map((e) => e.error)
}

describe('index interval lists', () => {
  it('counts the indexes a well-formed list names', () => {
    assert.deepEqual(validateIndexesFormat('', 5), { total: 0 })
    assert.deepEqual(validateIndexesFormat('0,2-4', 5), { total: 4 })
    assert.deepEqual(validateIndexesFormat('+1', 5), { total: 1 }) // strconv.Atoi takes a sign
  })

  it('words each parse error as upstream does', () => {
    const error = (text: string) => validateIndexesFormat(text, 5).error
    assert.equal(error('1-2-3'), 'the fragment "1-2-3" violates the requirement that an index interval can have at most two parts separated by \'-\'')
    assert.equal(error('a'), 'cannot convert string to integer for index: "a"')
    assert.equal(error('1-'), 'cannot convert string to integer for index: ""')
    assert.equal(error('1,,2'), 'cannot convert string to integer for index: ""')
    assert.equal(error('5'), 'too large index: "5"')
    assert.equal(error('1-9'), 'too large index: "9"')
    assert.equal(error('3-1'), 'non-increasing order, previous: 3, current: 1')
    assert.equal(error('1-2,2'), 'non-increasing order, previous: 2, current: 2')
    assert.equal(error('99999999999999999999'), 'cannot convert string to integer for index: "99999999999999999999"')
  })

  it('finds the first index named by both completed and failed lists', () => {
    assert.equal(failedIndexesOverlapCompleted('0-2,5', '3-4,6', 10), undefined)
    assert.equal(failedIndexesOverlapCompleted('0-2,5-7', '3,6-9', 10), 'failedIndexes and completedIndexes overlap at index: 6')
    assert.equal(failedIndexesOverlapCompleted('x,4', '4', 10), 'failedIndexes and completedIndexes overlap at index: 4')
  })
})

describe('success policy validation', () => {
  it('accepts indexes, a count, or both', () => {
    assert.deepEqual(errors([{ succeededIndexes: '0,2-5', succeededCount: 3 }, { succeededCount: 10 }]), [])
  })

  it('requires indexed completion mode', () => {
    assert.deepEqual(errors([{ succeededCount: 1 }], { completionMode: 'NonIndexed' }), [
      'spec.successPolicy: Invalid value: batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule{batch.SuccessPolicyRule{SucceededIndexes:(*string)(nil), ' +
        'SucceededCount:(*int32)(0xc000a1c000)}}}: requires indexed completion mode',
    ])
  })

  it('wants 1 to 20 rules', () => {
    assert.deepEqual(errors([]), ['spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified'])
    assert.deepEqual(errors(Array.from({ length: 21 }, () => ({ succeededCount: 1 }))), ['spec.successPolicy.rules: Too many: 21: must have at most 20 items'])
  })

  it('wants succeededIndexes or succeededCount in each rule', () => {
    assert.deepEqual(errors([{}]), ['spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified'])
  })

  it('parses succeededIndexes against completions, up to 64 KiB', () => {
    assert.deepEqual(errors([{ succeededIndexes: '0-10' }]), [
      'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "0-10": error parsing succeededIndexes: too large index: "10"',
    ])
    const long = `0${',1'.repeat(40_000)}`
    assert.equal(errors([{ succeededIndexes: long }])[0], 'spec.successPolicy.rules[0].succeededIndexes: Too long: may not be more than 65536 bytes')
  })

  it('bounds succeededCount by completions and by the indexes the rule names', () => {
    assert.deepEqual(errors([{ succeededCount: 11 }, { succeededIndexes: '1-3', succeededCount: 4 }, { succeededCount: -1 }]), [
      'spec.successPolicy.rules[0].succeededCount: Invalid value: 11: must be less than or equal to 10 (the number of specified completions)',
      'spec.successPolicy.rules[1].succeededCount: Invalid value: 4: must be less than or equal to 3 (the number of indexes in the specified succeededIndexes field)',
      'spec.successPolicy.rules[2].succeededCount: Invalid value: -1: must be greater than or equal to 0',
    ])
    // A list that does not parse names no index at all, so any count is too many.
    assert.deepEqual(errors([{ succeededIndexes: 'x', succeededCount: 1 }]), [
      'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "x": error parsing succeededIndexes: cannot convert string to integer for index: "x"',
      'spec.successPolicy.rules[0].succeededCount: Invalid value: 1: must be less than or equal to 0 (the number of indexes in the specified succeededIndexes field)',
    ])
  })
})

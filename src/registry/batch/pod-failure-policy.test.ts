import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Job, JobSpec, PodFailurePolicyRule } from 'kubernetes-types/batch/v1.js'
import type { Kube } from '../apps/index.js'
import { jobs } from './index.js'

/** The errors a created Job with these pod failure policy rules gets. */
function errors(rules: PodFailurePolicyRule[], spec: Partial<JobSpec> = {}): string[] {
  const job: Kube<Job> = {
    kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'work', namespace: 'default', uid: 'u-1' },
    spec: {
      podFailurePolicy: { rules },
      template: { spec: { initContainers: [{ name: 'setup', image: 'busybox' }], containers: [{ name: 'main', image: 'busybox' }], restartPolicy: 'Never' } },
      ...spec,
    },
  }
  jobs.defaults(job)
  jobs.prepareForCreate(job)
  return jobs.validate(job).map((e) => e.error)
}
const exitCodes = (operator: string, values: number[], containerName?: string): PodFailurePolicyRule =>
  ({ action: 'FailJob', onExitCodes: { operator, values, ...(containerName === undefined ? {} : { containerName }) } })

describe('pod failure policy validation', () => {
  it('accepts the rules of the upstream docs example', () => {
    assert.deepEqual(errors([
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [0, 1] } },
    ]), [])
  })

  it('checks actions; FailIndex needs backoffLimitPerIndex', () => {
    assert.deepEqual(errors([
      { action: '', onExitCodes: { operator: 'In', values: [1] } },
      { action: 'Retry', onExitCodes: { operator: 'In', values: [1] } },
      { action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } },
    ]), [
      'spec.podFailurePolicy.rules[0].action: Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]',
      'spec.podFailurePolicy.rules[1].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      'spec.podFailurePolicy.rules[2].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
    ])
    assert.deepEqual(errors([{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }],
      { completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1 }), [])
  })

  it('checks the exit code operator and container name', () => {
    assert.deepEqual(errors([exitCodes('', [1]), exitCodes('Between', [1]), exitCodes('In', [1], 'sidecar'), exitCodes('In', [1], 'setup')]), [
      'spec.podFailurePolicy.rules[0].onExitCodes.operator: Required value: valid values: ["In" "NotIn"]',
      'spec.podFailurePolicy.rules[1].onExitCodes.operator: Unsupported value: "Between": supported values: "In", "NotIn"',
      'spec.podFailurePolicy.rules[2].onExitCodes.containerName: Invalid value: "sidecar": must be one of the container or initContainer names in the pod template',
    ])
  })

  it('wants exit codes non-empty, at most 255, sorted, unique, and no 0 with In', () => {
    assert.deepEqual(errors([exitCodes('In', [])]), ['spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{}: at least one value is required'])
    assert.deepEqual(errors([{ action: 'FailJob', onExitCodes: { operator: 'In' } as never }]),
      ['spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32(nil): at least one value is required'])
    assert.deepEqual(errors([exitCodes('In', [0, 3, 2, 3])]), [
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[3]: Duplicate value: 3',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{0, 3, 2, 3}: must be ordered',
    ])
    assert.deepEqual(errors([exitCodes('NotIn', [0])]), [])
    assert.deepEqual(errors([exitCodes('NotIn', Array.from({ length: 256 }, (_, i) => i))]),
      ['spec.podFailurePolicy.rules[0].onExitCodes.values: Too many: 256: must have at most 255 items'])
  })

  it('checks pod condition patterns', () => {
    const rule = (onPodConditions: { type: string; status: string }[]): PodFailurePolicyRule => ({ action: 'Ignore', onPodConditions })
    const errs = errors([rule([{ type: 'not a type', status: 'True' }, { type: 'DisruptionTarget', status: 'Maybe' }])])
    // The rest of the first line is IsQualifiedName's text (src/api/names.ts).
    assert.ok(errs[0]?.startsWith('spec.podFailurePolicy.rules[0].onPodConditions[0].type: Invalid value: "not a type": name part must consist of'), errs[0])
    assert.deepEqual(errs.slice(1), ['spec.podFailurePolicy.rules[0].onPodConditions[1].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"'])
    const many = Array.from({ length: 21 }, () => ({ type: 'DisruptionTarget', status: 'True' }))
    assert.deepEqual(errors([rule(many)]), ['spec.podFailurePolicy.rules[0].onPodConditions: Too many: 21: must have at most 20 items'])
  })

  it('wants exactly one of onExitCodes and onPodConditions', () => {
    assert.deepEqual(errors([
      { action: 'Ignore' },
      { action: 'Ignore', onExitCodes: { operator: 'In', values: [1] }, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ]), [
      'spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
      'spec.podFailurePolicy.rules[1]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported',
    ])
  })

  it('allows at most 20 rules', () => {
    const rules = Array.from({ length: 21 }, () => exitCodes('In', [1]))
    assert.deepEqual(errors(rules), ['spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items'])
  })

  it('requires restartPolicy Never and podReplacementPolicy Failed', () => {
    const job: Kube<Job> = {
      kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'work', namespace: 'default', uid: 'u-1' },
      spec: {
        podFailurePolicy: { rules: [exitCodes('In', [1])] }, podReplacementPolicy: 'TerminatingOrFailed',
        template: { spec: { containers: [{ name: 'main', image: 'busybox' }], restartPolicy: 'OnFailure' } },
      },
    }
    jobs.defaults(job)
    jobs.prepareForCreate(job)
    assert.deepEqual(jobs.validate(job).map((e) => e.error), [
      'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    ])
  })
})

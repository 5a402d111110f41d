// Tests for storage.k8s.io/v1 StorageClass, coordination.k8s.io/v1 Lease and
// scheduling.k8s.io/v1 PriorityClass: defaults, validation, immutability, table cells.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { leases } from '../coordination/index.js'
import { priorityClasses } from '../scheduling/index.js'
import { storageClasses } from './index.js'

const errors = (errs: { error: string }[]) => errs.map((e) => e.error)
const now = Date.parse('2024-01-03T00:00:00Z')
const meta = (name: string, extra: object = {}) => ({ name, creationTimestamp: '2024-01-01T00:00:00Z', ...extra })

describe('storageclasses', () => {
  const sc = (over: object = {}): any => ({ metadata: meta('standard'), provisioner: 'rancher.io/local-path', ...over })
  it('defaults reclaimPolicy and volumeBindingMode, then validates', () => {
    const o = sc()
    storageClasses.defaults(o)
    assert.deepEqual([o.reclaimPolicy, o.volumeBindingMode], ['Delete', 'Immediate'])
    assert.deepEqual(storageClasses.validate(o), [])
    assert.deepEqual(errors(storageClasses.validate(sc({ provisioner: '', reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' }))), [
      'provisioner: Required value',
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
      'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
    ])
  })
  it('forbids changing parameters, provisioner, reclaimPolicy and volumeBindingMode', () => {
    const old = sc({ parameters: { type: 'ssd' }, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' })
    const next = sc({ provisioner: 'example.com/other', parameters: { type: 'hdd' }, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' })
    assert.deepEqual(errors(storageClasses.validateUpdate(next, old)), [
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ])
    assert.deepEqual(storageClasses.validateUpdate(sc({ ...old, allowVolumeExpansion: true }), old), [])
  })
  it('marks the default class in the Name cell', () => {
    assert.deepEqual(storageClasses.columns.map((c) => c.name), ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age'])
    const o = sc({ metadata: meta('standard', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }), volumeBindingMode: 'WaitForFirstConsumer' })
    assert.deepEqual(storageClasses.columns.map((c) => c.cell(o, now)), ['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '2d'])
  })
})

describe('leases', () => {
  it('validates spec numbers and prints the holder', () => {
    const l: any = { metadata: meta('node1', { namespace: 'kube-node-lease' }), spec: { holderIdentity: 'node1', leaseDurationSeconds: 0, leaseTransitions: -1 } }
    assert.deepEqual(errors(leases.validate(l)), [
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    ])
    assert.deepEqual(leases.columns.map((c) => c.cell(l, now)), ['node1', 'node1', '2d'])
    assert.deepEqual(leases.validate({ metadata: meta('x'), spec: { leaseDurationSeconds: 40 } } as any), [])
  })
})

describe('priorityclasses', () => {
  const pc = (name: string, value: number, over: object = {}): any => ({ metadata: meta(name), value, ...over })
  it('defaults preemptionPolicy and sets generation on create', () => {
    const o = pc('high', 1000)
    priorityClasses.defaults(o)
    priorityClasses.prepareForCreate(o)
    assert.deepEqual([o.preemptionPolicy, o.metadata.generation], ['PreemptLowerPriority', 1])
  })
  it('reserves the system- prefix and caps user values', () => {
    assert.deepEqual(errors(priorityClasses.validate(pc('system-foo', 5))), ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-foo is not a known system priority class"])
    assert.deepEqual(errors(priorityClasses.validate(pc('system-node-critical', 5))), ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000"])
    assert.deepEqual(errors(priorityClasses.validate(pc('huge', 2_000_000_000))), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'])
    assert.deepEqual(priorityClasses.validate(pc('system-cluster-critical', 2_000_000_000)), [])
  })
  it('keeps value and preemptionPolicy fixed', () => {
    const old = pc('high', 1000, { preemptionPolicy: 'PreemptLowerPriority' })
    assert.deepEqual(errors(priorityClasses.validateUpdate(pc('high', 1001, { preemptionPolicy: 'Never' }), old)), [
      'value: Forbidden: may not be changed in an update.',
      'preemptionPolicy: Invalid value: "Never": field is immutable',
    ])
  })
  it('prints Name, Value, Global-Default, Age, PreemptionPolicy', () => {
    const o = pc('high', 1000, { globalDefault: true, preemptionPolicy: 'Never' })
    assert.deepEqual(priorityClasses.columns.map((c) => [c.name, c.cell(o, now)]), [['Name', 'high'], ['Value', 1000], ['Global-Default', true], ['Age', '2d'], ['PreemptionPolicy', 'Never']])
  })
})

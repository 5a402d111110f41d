/**
 * @module
 * coordination.k8s.io/v1 Lease: heartbeats and leader election. No status, no generation;
 * spec checks as upstream; columns Name, Holder, Age.
 */
// Upstream: pkg/apis/coordination/validation/validation.go (ValidateLeaseSpec); printers.go (printLease).
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import { forbiddenField, invalidValue, notSupported, type FieldError } from '../../api/field-errors.js'
import type { KubeObject } from '../../api/meta.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'

type LeaseObj = Lease & KubeObject & { spec?: { strategy?: string; preferredHolder?: string } }

function validateLease(lease: LeaseObj): FieldError[] {
  const errs: FieldError[] = []
  const spec = lease.spec ?? {}
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds !== null && spec.leaseDurationSeconds <= 0) {
    errs.push(invalidValue('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'))
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions !== null && spec.leaseTransitions < 0) {
    errs.push(invalidValue('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'))
  }
  if (spec.strategy && spec.strategy !== 'OldestEmulationVersion') {
    errs.push(notSupported('spec.strategy', spec.strategy, ['OldestEmulationVersion']))
  }
  if (spec.preferredHolder && !spec.strategy) {
    errs.push(forbiddenField('spec.preferredHolder', 'may only be specified if `strategy` is defined'))
  }
  return errs
}

export const leases = {
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', singular: 'lease',
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  schema: 'io.k8s.api.coordination.v1.Lease',
  validate: validateLease,
  columns: [
    nameColumn,
    { name: 'Holder', type: 'string', description: 'The identity of the current holder of the lease.', cell: (o) => o.spec?.holderIdentity ?? '' },
    ageColumn,
  ],
} satisfies ResourceType<LeaseObj>

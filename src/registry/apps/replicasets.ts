/**
 * @module
 * apps/v1 ReplicaSet: replicas default, spec/status split, validation, `kubectl get rs` columns
 * and the `status.replicas` field selector.
 */
// Upstream: pkg/apis/apps/v1/defaults.go (SetDefaults_ReplicaSet), pkg/registry/apps/replicaset/strategy.go,
// pkg/apis/apps/validation/validation.go (ValidateReplicaSetSpec),
// pkg/printers/internalversion/printers.go (printReplicaSet).
import type { ReplicaSet, ReplicaSetSpec } from 'kubernetes-types/apps/v1.js'
import type { FieldError } from '../../api/field-errors.js'
import { semanticEqual } from '../../api/meta.js'
import { containerImages, containerNames, defaultPodTemplateSpec, validatePodTemplateSpec } from '../core/index.js'
import { ageColumn, formatLabelSelector, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { goLabelSelector, invalidRendered } from './go-format.js'
import {
  asSelector, firstGeneration, immutableSelector, nextGeneration, noActiveDeadline, nonNegative, replicasScale,
  restartAlways, selectorMismatch, validateSelector, setStatus, type Kube,
} from './workload.js'

export function defaultReplicaSet(rs: ReplicaSet): void {
  const spec = (rs.spec ??= { selector: {} } as ReplicaSetSpec)
  spec.replicas ??= 1
  if (spec.template) defaultPodTemplateSpec(spec.template)
}

/** Upstream's ValidateReplicaSetSpec. */
export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const spec = rs.spec ?? ({} as ReplicaSetSpec)
  const errs = [
    ...nonNegative(spec.replicas, 'spec.replicas'),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    // Upstream words the ReplicaSet's empty-selector error as the Deployment's.
    ...validateSelector(spec.selector, 'spec.selector', 'deployment'),
  ]
  if (spec.selector && !asSelector(spec.selector)) {
    errs.push(invalidRendered('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'))
    return errs
  }
  errs.push(...selectorMismatch(spec.selector, spec.template, 'spec.template'))
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, 'spec.template'))
  errs.push(...restartAlways(spec.template, 'spec.template'))
  errs.push(...noActiveDeadline(spec.template, 'spec.template', 'ReplicaSet'))
  return errs
}

/** status.replicas never goes negative and ready/available never exceed it. */
function validateReplicaSetStatus(rs: ReplicaSet): FieldError[] {
  const s = rs.status
  if (!s) return []
  const errs = [
    ...nonNegative(s.replicas, 'status.replicas'),
    ...nonNegative(s.fullyLabeledReplicas, 'status.fullyLabeledReplicas'),
    ...nonNegative(s.readyReplicas, 'status.readyReplicas'),
    ...nonNegative(s.availableReplicas, 'status.availableReplicas'),
    ...nonNegative(s.observedGeneration, 'status.observedGeneration'),
  ]
  const msg = 'cannot be greater than status.replicas'
  if ((s.fullyLabeledReplicas ?? 0) > s.replicas) errs.push(invalidRendered('status.fullyLabeledReplicas', String(s.fullyLabeledReplicas), msg))
  if ((s.readyReplicas ?? 0) > s.replicas) errs.push(invalidRendered('status.readyReplicas', String(s.readyReplicas), msg))
  if ((s.availableReplicas ?? 0) > s.replicas) errs.push(invalidRendered('status.availableReplicas', String(s.availableReplicas), msg))
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(invalidRendered('status.availableReplicas', String(s.availableReplicas), 'cannot be greater than readyReplicas'))
  }
  return errs
}

export const replicaSets = {
  group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', singular: 'replicaset',
  namespaced: true, shortNames: ['rs'], categories: ['all'],
  subresources: { status: true, scale: replicasScale },
  schema: 'io.k8s.api.apps.v1.ReplicaSet',
  defaults: defaultReplicaSet,
  prepareForCreate(rs) {
    setStatus(rs, { replicas: 0 }) // Go always writes status.replicas (no omitempty)
    firstGeneration(rs)
  },
  prepareForUpdate(rs, old) {
    setStatus(rs, old.status)
    nextGeneration(rs, old, !semanticEqual(rs.spec, old.spec))
  },
  validate: validateReplicaSet,
  validateUpdate: (rs, old) => immutableSelector(rs.spec?.selector, old.spec?.selector, 'spec.selector'),
  status: {
    prepareForUpdate(rs, old) {
      rs.spec = old.spec
    },
    validateUpdate: (rs) => validateReplicaSetStatus(rs),
  },
  columns: [
    nameColumn,
    { name: 'Desired', type: 'integer', description: 'Number of desired pods.', cell: (rs) => rs.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', description: 'Number of actual pods.', cell: (rs) => rs.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', description: 'Number of ready pods.', cell: (rs) => rs.status?.readyReplicas ?? 0 },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (rs) => containerNames(rs.spec?.template?.spec) },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (rs) => containerImages(rs.spec?.template?.spec) },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods.', cell: (rs) => formatLabelSelector(rs.spec?.selector) },
  ],
  selectableFields: (rs) => ({ 'status.replicas': String(rs.status?.replicas ?? 0) }),
} satisfies ResourceType<Kube<ReplicaSet>>

/**
 * @module
 * Registry entries for ReplicationControllers and PodTemplates.
 */
// Upstream: pkg/apis/core/v1/defaults.go (SetDefaults_ReplicationController), pkg/registry/core/replicationcontroller/strategy.go
// (PrepareForCreate/Update, generation, ControllerToSelectableFields), pkg/apis/core/validation/validation.go
// (ValidateReplicationController(Spec|Update|StatusUpdate), ValidatePodTemplateSpecForRC, ValidatePodTemplate(Update)),
// pkg/printers/internalversion/printers.go (printReplicationController, printPodTemplate).
import type { PodTemplate, ReplicationController } from 'kubernetes-types/core/v1.js'
import { forbiddenField, invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { semanticEqual } from '../../api/meta.js'
import { ageColumn, formatMapSelector, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { defaultPodTemplateSpec } from './pod-defaults.js'
import { containerImages, containerNames, validatePodTemplateSpec } from './pod-spec.js'
import { goStringMap, w } from './util.js'

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const nonNegative = (v: number | undefined, p: string) => (v !== undefined && v < 0 ? [invalidValue(p, v, 'must be greater than or equal to 0')] : [])

function validateRC(rc: ReplicationController): FieldError[] {
  const spec = rc.spec ?? {}
  const errs = [...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')]
  const selector = spec.selector ?? {}
  if (!Object.keys(selector).length) errs.push(required('spec.selector'))
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'))
  const t = spec.template
  if (!t) return [...errs, required('spec.template')]
  const labels = t.metadata?.labels ?? {}
  if (Object.keys(selector).length && !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    const body = `Invalid value: ${goStringMap(t.metadata?.labels)}: \`selector\` does not match template \`labels\``
    errs.push({ type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: body, error: `spec.template.metadata.labels: ${body}` })
  }
  errs.push(...validatePodTemplateSpec(t, 'spec.template'))
  if (t.spec?.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', t.spec?.restartPolicy ?? '', ['Always']))
  if (t.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(forbiddenField('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'))
  }
  return errs
}

function validateRCStatus(rc: ReplicationController): FieldError[] {
  const st = rc.status ?? { replicas: 0 }
  const errs = [
    ...nonNegative(st.replicas, 'status.replicas'), ...nonNegative(st.fullyLabeledReplicas, 'status.fullyLabeledReplicas'),
    ...nonNegative(st.readyReplicas, 'status.readyReplicas'), ...nonNegative(st.availableReplicas, 'status.availableReplicas'),
    ...nonNegative(st.observedGeneration, 'status.observedGeneration'),
  ]
  const msg = 'cannot be greater than status.replicas'
  if ((st.fullyLabeledReplicas ?? 0) > st.replicas) errs.push(invalidValue('status.fullyLabeledReplicas', st.fullyLabeledReplicas, msg))
  if ((st.readyReplicas ?? 0) > st.replicas) errs.push(invalidValue('status.readyReplicas', st.readyReplicas, msg))
  if ((st.availableReplicas ?? 0) > st.replicas) errs.push(invalidValue('status.availableReplicas', st.availableReplicas, msg))
  if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0)) errs.push(invalidValue('status.availableReplicas', st.availableReplicas, 'cannot be greater than readyReplicas'))
  return errs
}

export const replicationcontrollers = {
  group: '', version: 'v1', kind: 'ReplicationController', resource: 'replicationcontrollers', singular: 'replicationcontroller',
  namespaced: true, shortNames: ['rc'], categories: ['all'], verbs: VERBS, schema: 'io.k8s.api.core.v1.ReplicationController',
  subresources: {
    status: true,
    scale: { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], labelSelectorPath: ['spec', 'selector'] },
  },
  defaults(rc) {
    const spec = (rc.spec ??= {})
    const labels = spec.template?.metadata?.labels
    if (labels) {
      if (!Object.keys(spec.selector ?? {}).length) spec.selector = { ...labels }
      if (!Object.keys(rc.metadata?.labels ?? {}).length) rc.metadata = { ...rc.metadata, labels: { ...labels } }
    }
    spec.replicas ??= 1
    if (spec.template) defaultPodTemplateSpec(spec.template)
  },
  prepareForCreate(rc) {
    // status.replicas has no omitempty upstream, so a new controller shows `replicas: 0`.
    w(rc).status = { replicas: 0 }
    rc.metadata = { ...rc.metadata, generation: 1 }
  },
  prepareForUpdate(rc, old) {
    w(rc).status = old.status
    const gen = old.metadata?.generation ?? 1
    rc.metadata = { ...rc.metadata, generation: semanticEqual(rc.spec, old.spec) ? gen : gen + 1 }
  },
  validate: validateRC,
  status: {
    prepareForUpdate(rc, old) {
      rc.spec = old.spec
    },
    validateUpdate: validateRCStatus,
  },
  columns: [
    nameColumn,
    { name: 'Desired', type: 'integer', description: 'Number of replicas requested.', cell: (rc) => rc.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', description: 'Number of replicas observed.', cell: (rc) => rc.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', description: 'Number of ready replicas.', cell: (rc) => rc.status?.readyReplicas ?? 0 },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (rc) => containerNames(rc.spec?.template?.spec) },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (rc) => containerImages(rc.spec?.template?.spec) },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label query over the pods this controller manages.', cell: (rc) => formatMapSelector(rc.spec?.selector) },
  ],
  selectableFields: (rc) => ({ 'status.replicas': String(rc.status?.replicas ?? 0) }),
} satisfies ResourceType<ReplicationController>

export const podtemplates = {
  group: '', version: 'v1', kind: 'PodTemplate', resource: 'podtemplates', singular: 'podtemplate', namespaced: true,
  verbs: VERBS, schema: 'io.k8s.api.core.v1.PodTemplate',
  defaults(pt) {
    pt.template ??= {}
    defaultPodTemplateSpec(pt.template)
  },
  validate: (pt) => validatePodTemplateSpec(pt.template ?? {}, path('template')),
  columns: [
    nameColumn,
    { name: 'Containers', type: 'string', description: 'Names of each container in the template.', cell: (pt) => containerNames(pt.template?.spec) },
    { name: 'Images', type: 'string', description: 'Images referenced by each container in the template.', cell: (pt) => containerImages(pt.template?.spec) },
    { name: 'Pod Labels', type: 'string', description: 'The labels for the pod template.', cell: (pt) => formatMapSelector(pt.template?.metadata?.labels) },
  ],
} satisfies ResourceType<PodTemplate>

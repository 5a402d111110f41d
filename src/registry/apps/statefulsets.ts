/**
 * @module
 * apps/v1 StatefulSet: defaults (OrderedReady, RollingUpdate partition 0, Retain/Retain claim
 * policy, claim template defaults), the spec/status split, validation including the
 * "updates to statefulset spec ... are forbidden" rule, and `kubectl get sts` columns.
 */
// Upstream: pkg/apis/apps/v1/defaults.go (SetDefaults_StatefulSet), pkg/registry/apps/statefulset/strategy.go,
// pkg/apis/apps/validation/validation.go (ValidateStatefulSetSpec, ValidateStatefulSetUpdate,
// ValidatePersistentVolumeClaimRetentionPolicy), pkg/printers/internalversion/printers.go (printStatefulSet).
import type { StatefulSet, StatefulSetSpec } from 'kubernetes-types/apps/v1.js'
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js'
import { forbiddenField, invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { semanticEqual } from '../../api/meta.js'
import { containerImages, containerNames, defaultPodTemplateSpec } from '../core/index.js'
import { validateAnnotations, validateLabels } from '../meta-validation.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { goIntOrString, goLabelSelector, invalidRendered } from './go-format.js'
import {
  asSelector, firstGeneration, intOrPercentValue, nextGeneration, nonNegative, notOver100Percent, replicasScale,
  restartAlways, selectorMismatch, validateIntOrPercent, validateSelector, setStatus, type Kube,
} from './workload.js'

/** A claim template's defaults, as the PVC it will become gets them. */
function defaultClaimTemplate(pvc: PersistentVolumeClaim): void {
  // apps/v1 output always names the claim template's own type.
  pvc.apiVersion ??= 'v1'
  pvc.kind ??= 'PersistentVolumeClaim'
  pvc.metadata ??= {}
  if (!('creationTimestamp' in pvc.metadata)) (pvc.metadata as Record<string, unknown>).creationTimestamp = null
  pvc.spec ??= {}
  pvc.spec.volumeMode ??= 'Filesystem'
  const status = { ...pvc.status }
  status.phase ??= 'Pending'
  setStatus(pvc, status)
}

export function defaultStatefulSet(ss: StatefulSet): void {
  const spec = (ss.spec ??= { selector: {}, serviceName: '', template: {} } as StatefulSetSpec)
  spec.podManagementPolicy ||= 'OrderedReady'
  const us = (spec.updateStrategy ??= {})
  if (!us.type) {
    us.type = 'RollingUpdate'
    us.rollingUpdate ??= {}
  }
  if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {})
  retention.whenDeleted ||= 'Retain'
  retention.whenScaled ||= 'Retain'
  spec.replicas ??= 1
  spec.revisionHistoryLimit ??= 10
  spec.template ??= {}
  defaultPodTemplateSpec(spec.template)
  for (const pvc of spec.volumeClaimTemplates ?? []) defaultClaimTemplate(pvc)
}

const RETENTION = ['Retain', 'Delete']

/** Upstream's ValidateStatefulSetSpec. The pod spec itself is not validated, as upstream:
 *  its volume mounts may name claim templates, which are not volumes of the template. */
export function validateStatefulSet(ss: StatefulSet): FieldError[] {
  const spec = ss.spec ?? ({} as StatefulSetSpec)
  const errs: FieldError[] = []
  const pmp = spec.podManagementPolicy ?? ''
  if (!pmp) errs.push(required('spec.podManagementPolicy'))
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalidValue('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"))
  const us = spec.updateStrategy ?? {}
  switch (us.type ?? '') {
    case '': errs.push(required('spec.updateStrategy')); break
    case 'OnDelete':
      if (us.rollingUpdate) errs.push(invalidValue('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"))
      break
    case 'RollingUpdate': {
      const ru = us.rollingUpdate
      if (ru) {
        errs.push(...nonNegative(ru.partition, 'spec.updateStrategy.rollingUpdate.partition'))
        if (ru.maxUnavailable !== undefined) errs.push(...validateMaxUnavailable(ru.maxUnavailable))
      }
      break
    }
    default: errs.push(invalidValue('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"))
  }
  const rp = spec.persistentVolumeClaimRetentionPolicy
  if (rp) {
    for (const k of ['whenDeleted', 'whenScaled'] as const) {
      if (!RETENTION.includes(rp[k] ?? '')) errs.push(notSupported(path('spec.persistentVolumeClaimRetentionPolicy', k), rp[k] ?? '', RETENTION))
    }
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'))
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'))
  if (spec.ordinals) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'))
  errs.push(...validateSelector(spec.selector, 'spec.selector', 'statefulset'))
  if (spec.selector && !asSelector(spec.selector)) {
    errs.push(invalidRendered('spec.selector', goLabelSelector(spec.selector), ''))
  } else {
    errs.push(...selectorMismatch(spec.selector, spec.template, 'spec.template'))
    // Upstream reports template labels at `spec.template.labels` here (sic), not under metadata.
    errs.push(...validateLabels(spec.template?.metadata?.labels, 'spec.template.labels'))
    errs.push(...validateAnnotations(spec.template?.metadata?.annotations, 'spec.template.annotations'))
  }
  errs.push(...restartAlways(spec.template, 'spec.template'))
  if (spec.template?.spec?.activeDeadlineSeconds !== undefined && spec.template.spec.activeDeadlineSeconds !== null) {
    errs.push(forbiddenField('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'))
  }
  return errs
}

function validateMaxUnavailable(v: number | string): FieldError[] {
  const at = 'spec.updateStrategy.rollingUpdate.maxUnavailable'
  const errs = validateIntOrPercent(v, at)
  if (intOrPercentValue(v) === 0) errs.push(invalidRendered(at, goIntOrString(v), 'cannot be 0'))
  return [...errs, ...notOver100Percent(v, at)]
}

const MUTABLE_SPEC_FIELDS = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'] as const

/** Only a few spec fields may change; the rest (serviceName, selector, claim templates...) are fixed. */
export function validateStatefulSetUpdate(ss: StatefulSet, old: StatefulSet): FieldError[] {
  const strip = (s: StatefulSetSpec | undefined) => {
    const copy: Record<string, unknown> = { ...s }
    for (const k of MUTABLE_SPEC_FIELDS) delete copy[k]
    return copy
  }
  if (semanticEqual(strip(ss.spec), strip(old.spec))) return []
  return [forbiddenField('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")]
}

export const statefulSets = {
  group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', singular: 'statefulset',
  namespaced: true, shortNames: ['sts'], categories: ['all'],
  subresources: { status: true, scale: replicasScale },
  schema: 'io.k8s.api.apps.v1.StatefulSet',
  defaults: defaultStatefulSet,
  prepareForCreate(ss) {
    ss.status = { replicas: 0, availableReplicas: 0 } // the two counts Go writes even when zero
    firstGeneration(ss)
  },
  prepareForUpdate(ss, old) {
    ss.status = old.status
    nextGeneration(ss, old, !semanticEqual(ss.spec, old.spec))
  },
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
  status: {
    prepareForUpdate(ss, old) {
      ss.spec = old.spec
    },
    validateUpdate(ss) {
      const s = ss.status
      if (!s) return []
      return [
        ...nonNegative(s.replicas, 'status.replicas'), ...nonNegative(s.readyReplicas, 'status.readyReplicas'),
        ...nonNegative(s.currentReplicas, 'status.currentReplicas'), ...nonNegative(s.updatedReplicas, 'status.updatedReplicas'),
        ...nonNegative(s.availableReplicas, 'status.availableReplicas'), ...nonNegative(s.observedGeneration, 'status.observedGeneration'),
        ...nonNegative(s.collisionCount, 'status.collisionCount'),
      ]
    },
  },
  columns: [
    nameColumn,
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', cell: (ss) => `${ss.status?.readyReplicas ?? 0}/${ss.spec?.replicas ?? 0}` },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (ss) => containerNames(ss.spec?.template?.spec) },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (ss) => containerImages(ss.spec?.template?.spec) },
  ],
} satisfies ResourceType<Kube<StatefulSet>>

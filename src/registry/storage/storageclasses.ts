/**
 * @module
 * storage.k8s.io/v1 StorageClass: reclaimPolicy and volumeBindingMode defaults, provisioner
 * required, parameters/provisioner/reclaimPolicy/volumeBindingMode fixed after creation.
 */
// Upstream: pkg/apis/storage/v1/defaults.go; pkg/apis/storage/validation/validation.go
// (ValidateStorageClass, ValidateStorageClassUpdate); printers.go (printStorageClass).
import type { StorageClass } from 'kubernetes-types/storage/v1.js'
import { duplicate, forbiddenField, immutable, invalidValue, notSupported, path, required, tooLong, type FieldError } from '../../api/field-errors.js'
import type { KubeObject } from '../../api/meta.js'
import { semanticEqual } from '../../api/meta.js'
import { isQualifiedName, isValidLabelValue } from '../../api/names.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'

type StorageClassObj = StorageClass & KubeObject

const MAX_PARAMETERS = 512
const MAX_PARAMETERS_BYTES = 256 * 1024
const DEFAULT_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class']

/** Whether the class carries the (GA or beta) default-class annotation set to "true". */
export const isDefaultClass = (sc: { metadata?: { annotations?: Record<string, string> } }) =>
  DEFAULT_ANNOTATIONS.some((a) => sc.metadata?.annotations?.[a] === 'true')

function validateStorageClass(sc: StorageClassObj): FieldError[] {
  const errs: FieldError[] = []
  const provisioner = sc.provisioner ?? ''
  if (!provisioner) errs.push(required('provisioner'))
  else for (const m of isQualifiedName(provisioner.toLowerCase())) errs.push(invalidValue('provisioner', provisioner.toLowerCase(), m))
  const params = Object.entries(sc.parameters ?? {})
  if (params.length > MAX_PARAMETERS) errs.push(tooLong('parameters', '', MAX_PARAMETERS))
  else {
    let bytes = 0
    for (const [k, v] of params) {
      if (!k) errs.push(invalidValue('parameters', k, 'field can not be empty.'))
      bytes += Buffer.byteLength(k) + Buffer.byteLength(v ?? '')
    }
    if (bytes > MAX_PARAMETERS_BYTES) errs.push(tooLong('parameters', '', MAX_PARAMETERS_BYTES))
  }
  if (sc.reclaimPolicy && !['Delete', 'Retain'].includes(sc.reclaimPolicy)) {
    errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']))
  }
  if (!sc.volumeBindingMode) errs.push(required('volumeBindingMode'))
  else if (!['Immediate', 'WaitForFirstConsumer'].includes(sc.volumeBindingMode)) {
    errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']))
  }
  const seen: unknown[] = []
  ;(sc.allowedTopologies ?? []).forEach((term, i) => {
    const at = path('allowedTopologies', i)
    const exprs = term.matchLabelExpressions ?? []
    if (exprs.length === 0) errs.push(required(path(at, 'matchLabelExpressions'), 'must have at least one label expression'))
    exprs.forEach((e, j) => {
      const ep = path(at, 'matchLabelExpressions', j)
      for (const m of isQualifiedName(e.key ?? '')) errs.push(invalidValue(path(ep, 'key'), e.key, m))
      if (!e.values?.length) errs.push(required(path(ep, 'values'), 'must specify as least one value'))
      ;(e.values ?? []).forEach((v, k) => {
        for (const m of isValidLabelValue(v)) errs.push(invalidValue(path(ep, 'values', k), v, m))
      })
    })
    if (seen.some((s) => semanticEqual(s, exprs))) errs.push(duplicate(path(at, 'matchLabelExpressions'), ''))
    seen.push(exprs)
  })
  return errs
}

function validateStorageClassUpdate(sc: StorageClassObj, old: StorageClassObj): FieldError[] {
  const errs: FieldError[] = []
  if (!semanticEqual(sc.parameters, old.parameters)) errs.push(forbiddenField('parameters', 'updates to parameters are forbidden.'))
  if (sc.provisioner !== old.provisioner) errs.push(forbiddenField('provisioner', 'updates to provisioner are forbidden.'))
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbiddenField('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'))
  if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(immutable('volumeBindingMode', sc.volumeBindingMode))
  return errs
}

export const storageClasses = {
  group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', resource: 'storageclasses', singular: 'storageclass',
  namespaced: false, shortNames: ['sc'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  schema: 'io.k8s.api.storage.v1.StorageClass',
  defaults(obj) {
    obj.reclaimPolicy ??= 'Delete'
    obj.volumeBindingMode ??= 'Immediate'
  },
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
  columns: [
    { ...nameColumn, cell: (o) => `${o.metadata?.name ?? ''}${isDefaultClass(o) ? ' (default)' : ''}` },
    { name: 'Provisioner', type: 'string', description: 'The volume plugin or CSI driver that provisions volumes of this class.', cell: (o) => o.provisioner ?? '' },
    { name: 'ReclaimPolicy', type: 'string', description: 'What happens to volumes of this class when their claim is released.', cell: (o) => o.reclaimPolicy ?? 'Delete' },
    { name: 'VolumeBindingMode', type: 'string', description: 'When volumes of this class are provisioned and bound.', cell: (o) => o.volumeBindingMode ?? 'Immediate' },
    { name: 'AllowVolumeExpansion', type: 'string', description: 'Whether volumes of this class may be grown.', cell: (o) => o.allowVolumeExpansion ?? false },
    ageColumn,
  ],
} satisfies ResourceType<StorageClassObj>

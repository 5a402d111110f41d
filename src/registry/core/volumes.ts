/**
 * @module
 * Registry entries for PersistentVolumes and PersistentVolumeClaims.
 */
// Upstream: pkg/apis/core/v1/defaults.go (SetDefaults_PersistentVolume, SetDefaults_PersistentVolumeClaim,
// SetDefaults_PersistentVolumeClaimSpec), pkg/registry/core/persistentvolume{,claim}/strategy.go,
// pkg/apis/core/validation/validation.go (ValidatePersistentVolume(Spec|Update), ValidatePersistentVolumeClaim(Spec|Update)),
// pkg/printers/internalversion/printers.go (printPersistentVolume, printPersistentVolumeClaim).
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js'
import { forbiddenField, invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { semanticEqual } from '../../api/meta.js'
import { isDNS1123Subdomain } from '../../api/names.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { Column, ResourceType } from '../types.js'
import { accessModesString, nowRFC3339, quantityValue, w } from './util.js'

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod']
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain']
const VOLUME_MODES = ['Block', 'Filesystem']
const CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class'
const PV_SOURCES = ['gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder',
  'cephfs', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk',
  'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi']

function validateAccessModes(modes: string[] | undefined, p: string, detail: string): FieldError[] {
  if (!modes?.length) return [required(p, detail)]
  const errs = modes.filter((m) => !ACCESS_MODES.includes(m)).map((m) => notSupported(p, m, ACCESS_MODES))
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) {
    errs.push(forbiddenField(p, 'may not use ReadWriteOncePod with other access modes'))
  }
  return errs
}

function validateClass(name: string | undefined, p: string): FieldError[] {
  return name ? isDNS1123Subdomain(name).map((m) => invalidValue(p, name, m)) : []
}

function validatePV(pv: PersistentVolume): FieldError[] {
  const spec = pv.spec ?? {}
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', '')
  const cap = spec.capacity ?? {}
  if (!Object.keys(cap).length) errs.push(required('spec.capacity'))
  for (const [k, q] of Object.entries(cap)) {
    if (k !== 'storage') errs.push(notSupported('spec.capacity', k, ['storage']))
    const v = quantityValue(q as string)
    if (v === undefined || v < 0) errs.push(invalidValue(`spec.capacity[${k}]`, String(q), 'must be greater than or equal to 0'))
  }
  const policy = spec.persistentVolumeReclaimPolicy
  if (policy && !RECLAIM_POLICIES.includes(policy)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES))
  errs.push(...validateClass(spec.storageClassName, 'spec.storageClassName'))
  if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES))
  const sources = PV_SOURCES.filter((k) => (spec as any)[k])
  if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'))
  for (const k of sources.slice(1)) errs.push(forbiddenField(path('spec', k), 'may not specify more than 1 volume type'))
  if (spec.hostPath && !spec.hostPath.path) errs.push(required('spec.hostPath.path'))
  if (spec.local) {
    if (!spec.local.path) errs.push(required('spec.local.path'))
    if (!spec.nodeAffinity) errs.push(required('spec.nodeAffinity', 'Local volumes require node affinity'))
  }
  if (spec.nfs && !spec.nfs.server) errs.push(required('spec.nfs.server'))
  if (spec.csi && !spec.csi.driver) errs.push(required('spec.csi.driver'))
  return errs
}

function validatePVUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs: FieldError[] = []
  const src = (x: PersistentVolume) => Object.fromEntries(PV_SOURCES.map((k) => [k, (x.spec as any)?.[k]]))
  if (!semanticEqual(src(pv), src(old))) errs.push(forbiddenField('spec.persistentvolumesource', 'spec.persistentvolumesource is forbidden once created'))
  if ((pv.spec?.volumeMode ?? '') !== (old.spec?.volumeMode ?? '')) errs.push(invalidValue('spec.volumeMode', pv.spec?.volumeMode ?? null, 'field is immutable'))
  if (old.spec?.nodeAffinity && !semanticEqual(pv.spec?.nodeAffinity, old.spec.nodeAffinity)) {
    errs.push(invalidValue('nodeAffinity', pv.spec?.nodeAffinity ?? null, 'field is immutable'))
  }
  return errs
}

const storageClassOf = (o: PersistentVolume | PersistentVolumeClaim) =>
  o.metadata?.annotations?.[CLASS_ANNOTATION] ?? o.spec?.storageClassName ?? ''
const terminating = (o: { metadata?: { deletionTimestamp?: string } }, phase?: string) => (o.metadata?.deletionTimestamp ? 'Terminating' : phase ?? '')

const pvColumns: Column<PersistentVolume>[] = [
  nameColumn,
  { name: 'Capacity', type: 'string', description: 'The size of the volume.', cell: (pv) => String(pv.spec?.capacity?.storage ?? '0') },
  { name: 'Access Modes', type: 'string', description: 'How the volume can be mounted.', cell: (pv) => accessModesString(pv.spec?.accessModes) },
  { name: 'Reclaim Policy', type: 'string', description: 'What happens to the volume when its claim is released.', cell: (pv) => pv.spec?.persistentVolumeReclaimPolicy ?? '' },
  { name: 'Status', type: 'string', description: 'The phase of the volume.', cell: (pv) => terminating(pv, pv.status?.phase) },
  { name: 'Claim', type: 'string', description: 'The claim bound to this volume.', cell: (pv) => (pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}` : '') },
  { name: 'StorageClass', type: 'string', description: 'StorageClass of the pv', cell: storageClassOf },
  { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pv', cell: (pv) => pv.spec?.volumeAttributesClassName ?? '<unset>' },
  { name: 'Reason', type: 'string', description: 'Why the volume is in its phase.', cell: (pv) => pv.status?.reason ?? '' },
  ageColumn,
  { name: 'VolumeMode', type: 'string', priority: 1, description: 'Filesystem or Block.', cell: (pv) => pv.spec?.volumeMode ?? '<unset>' },
]

export const persistentvolumes = {
  group: '', version: 'v1', kind: 'PersistentVolume', resource: 'persistentvolumes', singular: 'persistentvolume', namespaced: false,
  shortNames: ['pv'], verbs: VERBS, schema: 'io.k8s.api.core.v1.PersistentVolume',
  subresources: { status: true },
  defaults(pv) {
    const spec = (pv.spec ??= {})
    spec.persistentVolumeReclaimPolicy ||= 'Retain'
    spec.volumeMode ||= 'Filesystem'
    if (spec.hostPath) spec.hostPath.type ??= ''
  },
  prepareForCreate(pv) {
    // The phase starts Pending; its transition time is tracked from create (GA in 1.31).
    w(pv).status = { phase: 'Pending', lastPhaseTransitionTime: nowRFC3339() }
  },
  prepareForUpdate(pv, old) {
    w(pv).status = old.status
  },
  validate: validatePV,
  validateUpdate: validatePVUpdate,
  status: {
    prepareForUpdate(pv, old) {
      pv.spec = old.spec
      if (pv.status?.phase !== old.status?.phase) w(pv).status = { ...pv.status, lastPhaseTransitionTime: nowRFC3339() }
    },
  },
  columns: pvColumns,
  selectableFields: (pv) => ({ name: pv.metadata?.name ?? '' }),
} satisfies ResourceType<PersistentVolume>

function validatePVC(pvc: PersistentVolumeClaim): FieldError[] {
  const spec = pvc.spec ?? {}
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required')
  const storage = spec.resources?.requests?.storage
  if (storage === undefined) errs.push(required('spec.resources[storage]'))
  else {
    const v = quantityValue(storage as string)
    if (v === undefined || v < 0) errs.push(invalidValue('spec.resources.requests[storage]', String(storage), 'must be greater than or equal to 0'))
    else if (v === 0) errs.push(invalidValue('spec.resources[storage]', String(storage), 'must be greater than zero'))
  }
  errs.push(...validateClass(spec.storageClassName, 'spec.storageClassName'))
  if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES))
  return errs
}

function validatePVCUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const spec = structuredClone(pvc.spec ?? {})
  const o = old.spec ?? {}
  // Binding fills volumeName once; a bound claim may grow its storage request.
  if (!o.volumeName) spec.volumeName = o.volumeName
  if (!o.storageClassName && old.metadata?.annotations?.[CLASS_ANNOTATION] === spec.storageClassName) spec.storageClassName = o.storageClassName
  if (old.status?.phase === 'Bound') spec.resources = { ...spec.resources, requests: o.resources?.requests }
  if (semanticEqual(spec, o)) return []
  return [forbiddenField('spec', 'spec is immutable after creation except resources.requests for bound claims')]
}

const pvcColumns: Column<PersistentVolumeClaim>[] = [
  nameColumn,
  { name: 'Status', type: 'string', description: 'The phase of the claim.', cell: (c) => terminating(c, c.status?.phase) },
  { name: 'Volume', type: 'string', description: 'The volume bound to this claim.', cell: (c) => c.spec?.volumeName ?? '' },
  { name: 'Capacity', type: 'string', description: 'The size of the bound volume.', cell: (c) => (c.spec?.volumeName ? String(c.status?.capacity?.storage ?? '0') : '') },
  { name: 'Access Modes', type: 'string', description: 'How the bound volume can be mounted.', cell: (c) => (c.spec?.volumeName ? accessModesString(c.status?.accessModes) : '') },
  { name: 'StorageClass', type: 'string', description: 'StorageClass of the pvc', cell: storageClassOf },
  { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pvc', cell: (c) => c.spec?.volumeAttributesClassName ?? '<unset>' },
  ageColumn,
  { name: 'VolumeMode', type: 'string', priority: 1, description: 'Filesystem or Block.', cell: (c) => c.spec?.volumeMode ?? '<unset>' },
]

export const persistentvolumeclaims = {
  group: '', version: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', namespaced: true,
  shortNames: ['pvc'], verbs: VERBS, schema: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  subresources: { status: true },
  defaults(pvc) {
    const spec = (pvc.spec ??= {})
    spec.volumeMode ||= 'Filesystem'
    spec.resources ??= {}
    if (pvc.status) pvc.status.phase ||= 'Pending'
  },
  prepareForCreate(pvc) {
    w(pvc).status = { phase: 'Pending' }
  },
  prepareForUpdate(pvc, old) {
    w(pvc).status = old.status
  },
  validate: validatePVC,
  validateUpdate: validatePVCUpdate,
  status: {
    prepareForUpdate(pvc, old) {
      pvc.spec = old.spec
    },
  },
  columns: pvcColumns,
  selectableFields: (pvc) => ({ name: pvc.metadata?.name ?? '' }),
} satisfies ResourceType<PersistentVolumeClaim>

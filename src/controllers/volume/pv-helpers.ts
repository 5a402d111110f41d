/**
 * @module
 * The vocabulary of PersistentVolume binding: the annotations both sides write, storage class
 * lookups, what "bound to this claim" means, and which Available volume suits a claim best
 * (the smallest that fits, among volumes offering the fewest extra access modes).
 */
// Upstream: staging/src/k8s.io/component-helpers/storage/volume/pv_helpers.go (FindMatchingVolume,
// IsVolumeBoundToClaim, GetBindVolumeToClaim, CheckVolumeModeMismatches, CheckAccessModes,
// IsDelayBindingMode, GetPersistentVolumeClaimClass); pkg/controller/volume/persistentvolume/index.go
// (allPossibleMatchingAccessModes); pkg/volume/util (GetDefaultClass).
import type { ObjectReference, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js'
import type { StorageClass } from 'kubernetes-types/storage/v1.js'
import { compareStrings, compareQuantities, copy, labelSelectorFromMeta, type Cached } from '../../api/index.js'

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed'
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller'
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node'
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner'
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner'
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by'
export const ANN_MIGRATED_TO = 'pv.kubernetes.io/migrated-to'
const ANN_BETA_CLASS = 'volume.beta.kubernetes.io/storage-class'
const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class']

type PV = Cached<PersistentVolume>
type PVC = Cached<PersistentVolumeClaim>
type Classes = { get(key: string): Cached<StorageClass> | undefined; list(): Cached<StorageClass>[] }

/** The claim's class: the beta annotation wins over spec.storageClassName; "" for none. */
export const claimClass = (c: PVC) => c.metadata?.annotations?.[ANN_BETA_CLASS] ?? c.spec?.storageClassName ?? ''
export const volumeClass = (v: PV) => v.metadata?.annotations?.[ANN_BETA_CLASS] ?? v.spec?.storageClassName ?? ''
/** Whether the claim asked for a class at all ("" counts: it asks for none). */
export const claimHasClass = (c: PVC) =>
  c.metadata?.annotations?.[ANN_BETA_CLASS] !== undefined || (c.spec?.storageClassName !== undefined && c.spec.storageClassName !== null)

/** `namespace/name` of a claim, as queues and claimRefs name it. */
export const claimKey = (c: { metadata?: { namespace?: string; name?: string } }) => `${c.metadata?.namespace}/${c.metadata?.name}`
export const claimRefKey = (r: Cached<ObjectReference>) => `${r.namespace}/${r.name}`

/** Whether binding waits for a pod to be scheduled (the class says WaitForFirstConsumer). */
export function isDelayBindingMode(c: PVC, classes: Classes): boolean {
  const name = claimClass(c)
  if (!name) return false
  return classes.get(name)?.volumeBindingMode === 'WaitForFirstConsumer'
}

/** The default StorageClass; with several, the newest (then by name), as upstream picks. */
export function defaultClass(classes: Classes): Cached<StorageClass> | undefined {
  return classes.list()
    .filter((sc) => DEFAULT_CLASS_ANNOTATIONS.some((a) => sc.metadata?.annotations?.[a] === 'true'))
    .sort((a, b) => compareStrings(b.metadata?.creationTimestamp ?? '', a.metadata?.creationTimestamp ?? '') ||
      compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? ''))[0]
}

/** The volume points at this claim (by name; by uid too once the uid is recorded). */
export function isVolumeBoundToClaim(v: PV, c: PVC): boolean {
  const ref = v.spec?.claimRef
  if (!ref || ref.name !== c.metadata?.name || ref.namespace !== c.metadata?.namespace) return false
  return !ref.uid || ref.uid === c.metadata?.uid
}

/** An ObjectReference to the claim, as the binder and provisioners record it in claimRef. */
export const claimRefFor = (c: PVC): ObjectReference => ({
  kind: 'PersistentVolumeClaim', namespace: c.metadata?.namespace, name: c.metadata?.name, uid: c.metadata?.uid,
  apiVersion: 'v1', resourceVersion: c.metadata?.resourceVersion,
})

export const volumeModeMismatch = (c: PVC, v: PV) => (c.spec?.volumeMode ?? 'Filesystem') !== (v.spec?.volumeMode ?? 'Filesystem')
/** The volume offers every access mode the claim asks for. */
export const checkAccessModes = (c: PVC, v: PV) => (c.spec?.accessModes ?? []).every((m) => v.spec?.accessModes?.includes(m))

const storage = (q: string | number | undefined) => (q === undefined ? '0' : String(q))
const requested = (c: PVC) => storage(c.spec?.resources?.requests?.storage as string | undefined)
const capacity = (v: PV) => storage(v.spec?.capacity?.storage as string | undefined)

/** Why a volume named by the claim cannot serve it, or undefined when it can. */
export function volumeMismatch(v: PV, c: PVC): string | undefined {
  if (compareQuantities(capacity(v), requested(c)) < 0) return 'requested PV is too small'
  if (volumeClass(v) !== claimClass(c)) return 'storageClassName does not match'
  if (volumeModeMismatch(c, v)) return 'incompatible volumeMode'
  if (!checkAccessModes(c, v)) return 'incompatible accessMode'
  return undefined
}

/**
 * The best volume for an unbound claim: one pre-bound to it if big enough, else the smallest
 * Available unclaimed volume of the claim's class matching its selector. Volumes are tried in
 * groups by access-mode set, fewest modes first, so a claim does not take a more capable
 * volume than it needs. With `delayBinding` only pre-bound volumes count: the scheduler picks
 * unbound ones.
 */
export function findMatchingVolume(c: PVC, volumes: readonly PV[], delayBinding: boolean): PV | undefined {
  const want = c.spec?.accessModes ?? []
  const groups = new Map<string, PV[]>()
  for (const v of volumes) {
    const modes = [...new Set(v.spec?.accessModes ?? [])].sort()
    if (!want.every((m) => modes.includes(m))) continue
    const k = modes.join(',')
    groups.set(k, [...(groups.get(k) ?? []), v])
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => a.split(',').length - b.split(',').length)
  const selector = c.spec?.selector ? labelSelectorFromMeta(copy(c.spec.selector)) : undefined
  const cls = claimClass(c)
  const req = requested(c)
  for (const [, group] of ordered) {
    let smallest: PV | undefined
    for (const v of group) {
      if (volumeModeMismatch(c, v) || v.metadata?.deletionTimestamp) continue
      if (isVolumeBoundToClaim(v, c)) {
        if (compareQuantities(capacity(v), req) < 0) continue
        return v
      }
      if (delayBinding) continue
      if (v.status?.phase !== 'Available' || v.spec?.claimRef) continue
      if (selector && !selector.matches(v.metadata?.labels)) continue
      if (volumeClass(v) !== cls) continue
      if (compareQuantities(capacity(v), req) < 0) continue
      if (!smallest || compareQuantities(capacity(smallest), capacity(v)) > 0) smallest = v
    }
    if (smallest) return smallest
  }
  return undefined
}

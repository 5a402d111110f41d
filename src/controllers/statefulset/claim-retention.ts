/**
 * @module
 * persistentVolumeClaimRetentionPolicy as owner references: a claim owned by the set goes
 * when the set is deleted (whenDeleted: Delete), a claim owned by its pod goes when a
 * scale-down deletes the pod (whenScaled: Delete). The garbage collector does the deleting.
 */
// Upstream: pkg/controller/statefulset/stateful_set_utils.go (getPersistentVolumeClaimRetentionPolicy,
// hasUnexpectedController, hasNonControllerOwner, isClaimOwnerUpToDate,
// updateClaimOwnerRefForSetAndPod, hasOwnerRef, hasStaleOwnerRef, addControllerRef).
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js'
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import type { Cached, KubeObject } from '../../api/index.js'
import { controllerRef } from '../util/index.js'
import { podInOrdinalRange, type Sts } from './identity.js'

type Claim = Cached<PersistentVolumeClaim>
type P = Cached<Pod>
type Owner = { apiVersion: string; kind: string; name?: string; uid?: string }

const setOwner = (set: Sts): Owner => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata?.name, uid: set.metadata?.uid })
const podOwner = (pod: P): Owner => ({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid })

/** The set's policy; absent means Retain for both. */
export function retentionPolicy(set: Sts): { whenDeleted: string; whenScaled: string } {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy
  return { whenDeleted: p?.whenDeleted || 'Retain', whenScaled: p?.whenScaled || 'Retain' }
}

const matchesRef = (ref: Cached<OwnerReference>, o: Owner) => ref.apiVersion === o.apiVersion && ref.kind === o.kind && ref.name === o.name
const hasOwnerRef = (claim: Claim, o: Owner) => !!o.uid && (claim.metadata?.ownerReferences ?? []).some((r) => r.uid === o.uid)

/** A reference to the same name and kind with another uid: left by an earlier incarnation. */
function hasStaleRef(claim: Claim, o: Owner): boolean {
  const ref = (claim.metadata?.ownerReferences ?? []).find((r) => matchesRef(r, o))
  return !!ref && ref.uid !== o.uid
}

/** A stale reference to `pod` (including when the pod has no uid yet): the claim is its predecessor's. */
export const claimHasStalePodRef = (claim: Claim, pod: P) => hasStaleRef(claim, podOwner(pod))

function hasUnexpectedController(claim: Claim, set: Sts, pod: P): boolean {
  const policy = retentionPolicy(set)
  // Under Retain/Retain another controller managing the claim is no business of ours.
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain') return false
  const s = setOwner(set)
  const p = podOwner(pod)
  for (const ref of claim.metadata?.ownerReferences ?? []) {
    // A reference to our name with another uid was orphaned by a previous incarnation:
    // treating it as foreign leaves the claim to the garbage collector.
    if (matchesRef(ref, s)) {
      if (ref.uid !== s.uid) return true
    } else if (matchesRef(ref, p)) {
      if (ref.uid !== p.uid) return true
    } else if (ref.controller === true) {
      return true
    }
  }
  return false
}

const hasNonControllerOwner = (claim: Claim, set: Sts, pod: P) =>
  (claim.metadata?.ownerReferences ?? []).some((r) => (r.uid === set.metadata?.uid || r.uid === pod.metadata?.uid) && r.controller !== true)

/**
 * Whether the claim's owner references already say what the policy asks: Retain/Retain none,
 * Retain/Delete (scaled/deleted) the set, Delete/Retain the pod once scaled away, Delete/Delete
 * the set while in range and the pod once scaled away. Claims in an unknown state are left alone.
 */
export function isClaimOwnerUpToDate(claim: Claim, set: Sts, pod: P): boolean {
  const s = setOwner(set)
  const p = podOwner(pod)
  if (hasStaleRef(claim, s) || hasStaleRef(claim, p)) return true
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, s) || hasOwnerRef(claim, p))
  if (hasNonControllerOwner(claim, set, pod)) return false
  const { whenScaled, whenDeleted } = retentionPolicy(set)
  const scaledDown = !podInOrdinalRange(pod, set)
  if (whenScaled === 'Delete' && whenDeleted === 'Delete') return scaledDown !== hasOwnerRef(claim, s) && scaledDown === hasOwnerRef(claim, p)
  if (whenScaled === 'Delete') return !hasOwnerRef(claim, s) && scaledDown === hasOwnerRef(claim, p)
  if (whenDeleted === 'Delete') return hasOwnerRef(claim, s) && !hasOwnerRef(claim, p)
  return !hasOwnerRef(claim, s) && !hasOwnerRef(claim, p)
}

/** The claim with owner references rewritten to what the policy asks. */
export function claimWithPolicyOwners(claim: Claim, set: Sts, pod: P): PersistentVolumeClaim {
  const s = setOwner(set)
  const p = podOwner(pod)
  const unexpected = hasUnexpectedController(claim, set, pod)
  // Scrub our own references first so the ones added below are controllers.
  const refs = (claim.metadata?.ownerReferences ?? []).filter((r) => !matchesRef(r, s) && !matchesRef(r, p)) as OwnerReference[]
  if (!unexpected) {
    const { whenScaled, whenDeleted } = retentionPolicy(set)
    const scaledDown = !podInOrdinalRange(pod, set)
    const add = (owner: Cached<KubeObject>) => {
      if (!refs.some((r) => r.uid === owner.metadata?.uid)) refs.push(controllerRef(owner))
    }
    const podObj = { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata } as Cached<KubeObject>
    const setObj = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata } as Cached<KubeObject>
    if (whenScaled === 'Delete' && scaledDown) add(podObj)
    if (whenDeleted === 'Delete' && (whenScaled !== 'Delete' || !scaledDown)) add(setObj)
  }
  const out = structuredClone(claim) as PersistentVolumeClaim
  out.metadata = { ...out.metadata, ownerReferences: refs }
  return out
}

/**
 * @module
 * A StatefulSet pod's identity: its ordinal, name `<set>-<n>`, hostname and subdomain, the
 * labels naming it, and the claims `<template>-<set>-<n>` that follow it across restarts.
 * Plus the pod predicates the ordered algorithm waits on.
 */
// Upstream: pkg/controller/statefulset/stateful_set_utils.go (getParentNameAndOrdinal,
// getStartOrdinal, podInOrdinalRange, getPersistentVolumeClaimName, identityMatches,
// storageMatches, getPersistentVolumeClaims, updateStorage, initIdentity, updateIdentity,
// isRunningAndReady, isHealthy, newStatefulSetPod, newVersionedStatefulSetPod).
import type { StatefulSet } from 'kubernetes-types/apps/v1.js'
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js'
import { copy, type Cached } from '../../api/index.js'
import { isPodAvailable, isPodReady, podFromTemplate } from '../util/index.js'

export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name'
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index'
export const STATEFULSET_REVISION_LABEL = 'controller-revision-hash'

export type Sts = Cached<StatefulSet>
type P = Cached<Pod>

const STATEFUL_POD = /^(.*)-([0-9]+)$/

/** The set name and ordinal a pod's name encodes; ordinal -1 when it encodes none. */
export function parentAndOrdinal(pod: P): { parent: string; ordinal: number } {
  const m = STATEFUL_POD.exec(pod.metadata?.name ?? '')
  if (!m) return { parent: '', ordinal: -1 }
  const n = Number(m[2])
  // Go parses into an int32: longer numbers are not ordinals.
  return { parent: m[1]!, ordinal: Number.isSafeInteger(n) && n <= 2147483647 ? n : -1 }
}

export const ordinalOf = (pod: P) => parentAndOrdinal(pod).ordinal
export const startOrdinal = (set: Sts) => set.spec?.ordinals?.start ?? 0
export const replicasOf = (set: Sts) => set.spec?.replicas ?? 1
export const endOrdinal = (set: Sts) => startOrdinal(set) + replicasOf(set) - 1
export const podInOrdinalRange = (pod: P, set: Sts) => {
  const o = ordinalOf(pod)
  return o >= startOrdinal(set) && o <= endOrdinal(set)
}
export const podName = (set: Sts, ordinal: number) => `${set.metadata?.name}-${ordinal}`
export const claimName = (set: Sts, template: Cached<PersistentVolumeClaim>, ordinal: number) =>
  `${template.metadata?.name}-${set.metadata?.name}-${ordinal}`
export const isMemberOf = (set: Sts, pod: P) => parentAndOrdinal(pod).parent === set.metadata?.name

/** Name, namespace and pod-name label as the set would give them. */
export function identityMatches(set: Sts, pod: P): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod)
  return ordinal >= 0 && parent === set.metadata?.name && pod.metadata?.name === podName(set, ordinal) &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    pod.metadata?.labels?.[STATEFULSET_POD_NAME_LABEL] === pod.metadata?.name
}

/** Every claim template is mounted as a volume of the template's name, pointing at this ordinal's claim. */
export function storageMatches(set: Sts, pod: P): boolean {
  const ordinal = ordinalOf(pod)
  if (ordinal < 0) return false
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]))
  return (set.spec?.volumeClaimTemplates ?? []).every((t) =>
    volumes.get(t.metadata?.name ?? '')?.persistentVolumeClaim?.claimName === claimName(set, t, ordinal))
}

/** The claims `pod` needs, keyed by template name, labelled with the set's selector labels. */
export function persistentVolumeClaims(set: Sts, ordinal: number): Map<string, PersistentVolumeClaim> {
  const claims = new Map<string, PersistentVolumeClaim>()
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    // The template's defaulted `creationTimestamp: null` and `status` are not the new claim's.
    const { status: _status, ...c } = copy(t) as PersistentVolumeClaim
    const { creationTimestamp: _created, ...meta } = c.metadata ?? {}
    c.apiVersion = 'v1'
    c.kind = 'PersistentVolumeClaim'
    c.metadata = { ...meta, name: claimName(set, t, ordinal), namespace: set.metadata?.namespace,
      labels: { ...meta.labels, ...set.spec?.selector?.matchLabels } }
    claims.set(t.metadata?.name ?? '', c)
  }
  return claims
}

/** Points the pod's claim-template volumes at its own claims; other volumes are kept. */
export function updateStorage(set: Sts, pod: Pod): void {
  const claims = persistentVolumeClaims(set, ordinalOf(pod))
  const volumes: Volume[] = [...claims].map(([name, c]) => ({ name, persistentVolumeClaim: { claimName: c.metadata!.name! } }))
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v)
  pod.spec = { ...pod.spec!, volumes }
}

/** Name, namespace and the pod-name and pod-index labels. */
export function updateIdentity(set: Sts, pod: Pod): void {
  const ordinal = ordinalOf(pod)
  pod.metadata = { ...pod.metadata, name: podName(set, ordinal), namespace: set.metadata?.namespace }
  pod.metadata.labels = { ...pod.metadata.labels, [STATEFULSET_POD_NAME_LABEL]: pod.metadata.name!, [POD_INDEX_LABEL]: String(ordinal) }
}

/** A new pod of `set` with ordinal `ordinal` from the set's (or a revision's) template. */
export function newStatefulSetPod(set: Sts, ordinal: number): Pod {
  const pod = podFromTemplate(set.spec?.template, set)
  pod.metadata!.name = podName(set, ordinal)
  updateIdentity(set, pod)
  // Hostname and subdomain are immutable, so they are only set at creation.
  pod.spec = { ...pod.spec, hostname: pod.metadata!.name, subdomain: set.spec?.serviceName } as Pod['spec'] & object
  updateStorage(set, pod)
  return pod
}

/**
 * A new pod at the revision its ordinal should have: below the partition it keeps the current
 * revision, at or above it takes the update revision.
 */
export function newVersionedStatefulSetPod(currentSet: Sts, updateSet: Sts, currentRevision: string, updateRevision: string,
  ordinal: number): Pod {
  const us = currentSet.spec?.updateStrategy
  const start = startOrdinal(currentSet)
  const keepCurrent = (us?.type === 'RollingUpdate' && !us.rollingUpdate && ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (!!us?.rollingUpdate && ordinal < start + (us.rollingUpdate.partition ?? 0))
  const pod = newStatefulSetPod(keepCurrent ? currentSet : updateSet, ordinal)
  pod.metadata!.labels = { ...pod.metadata!.labels, [STATEFULSET_REVISION_LABEL]: keepCurrent ? currentRevision : updateRevision }
  return pod
}

export const podRevision = (pod: P) => pod.metadata?.labels?.[STATEFULSET_REVISION_LABEL] ?? ''
/** Known to the API server (it has a uid), as opposed to a pod this sync still has to create. */
export const isCreated = (pod: P) => !!pod.metadata?.uid
export const isPending = (pod: P) => pod.status?.phase === 'Pending'
export const isFailed = (pod: P) => pod.status?.phase === 'Failed'
export const isSucceeded = (pod: P) => pod.status?.phase === 'Succeeded'
export const isTerminating = (pod: P) => !!pod.metadata?.deletionTimestamp
export const isRunningAndReady = (pod: P) => pod.status?.phase === 'Running' && isPodReady(pod)
export const isRunningAndAvailable = (pod: P, minReadySeconds: number, nowMs: number) => isPodAvailable(pod, minReadySeconds, nowMs)
export const isHealthy = (pod: P) => isRunningAndReady(pod) && !isTerminating(pod)
export const isUnavailable = (pod: P, minReadySeconds: number, nowMs: number) =>
  !isHealthy(pod) || !isRunningAndAvailable(pod, minReadySeconds, nowMs)
/** Parallel pod management lets pods start and stop out of order. */
export const allowsBurst = (set: Sts) => set.spec?.podManagementPolicy === 'Parallel'

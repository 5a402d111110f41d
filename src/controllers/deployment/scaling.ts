/**
 * @module
 * Resizing a Deployment's ReplicaSets: one at a time with a ScalingReplicaSet event,
 * proportionally across all of them when the Deployment itself is scaled mid-rollout or
 * while paused, and deleting old empty ones beyond revisionHistoryLimit.
 */
// Upstream: pkg/controller/deployment/sync.go (scale, scaleReplicaSetAndRecordEvent,
// scaleReplicaSet, cleanupDeployment, isScalingEvent).
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import { copy, isNotFound, type Cached, type KubeObject } from '../../api/index.js'
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set.js'
import { findActiveOrLatest, isSaturated, proportionOf } from './proportions.js'
import { remember, type SyncState } from './state.js'
import {
  activeReplicaSets, byRevision, bySizeNewer, bySizeOlder, desiredReplicasAnnotation, hasRevisionHistoryLimit, isRollingUpdate,
  maxSurge, replicasAnnotationsNeedUpdate, replicasOf, setReplicasAnnotations, sumReplicas, type RS,
} from './util.js'

/** Sets `rs` to `newScale` replicas (and the replica annotations); reports whether it resized. */
export async function scaleReplicaSetAndRecordEvent(s: SyncState, rs: RS, newScale: number): Promise<{ scaled: boolean; rs: RS }> {
  if (replicasOf(rs) === newScale) return { scaled: false, rs }
  return scaleReplicaSet(s, rs, newScale, replicasOf(rs) < newScale ? 'up' : 'down')
}

async function scaleReplicaSet(s: SyncState, rs: RS, newScale: number, operation: string): Promise<{ scaled: boolean; rs: RS }> {
  const d = s.d
  const sizeNeedsUpdate = replicasOf(rs) !== newScale
  const desired = replicasOf(d)
  const max = desired + maxSurge(d)
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs }
  const oldScale = replicasOf(rs)
  const rsCopy = copy(rs)
  rsCopy.spec = { ...rsCopy.spec!, replicas: newScale }
  setReplicasAnnotations(rsCopy, desired, max)
  const updated = remember(s, await s.client.update(rsCopy as ReplicaSet & KubeObject))
  if (sizeNeedsUpdate) {
    s.recorder.event(d as Cached<KubeObject>, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata?.name} from ${oldScale} to ${newScale}`)
  }
  return { scaled: sizeNeedsUpdate, rs: updated }
}

/**
 * A scaling event: the one active RS takes the whole size; a saturated new RS makes the old
 * ones zero; otherwise the change (surge included) is shared out in proportion to each RS's
 * size, so a bad template neither gains nor a good one loses ground by being scaled.
 */
export async function scale(s: SyncState, newRS: RS | undefined, oldRSs: RS[]): Promise<void> {
  const d = s.d
  const target = findActiveOrLatest(newRS, oldRSs)
  if (target) {
    if (replicasOf(target) !== replicasOf(d)) await scaleReplicaSetAndRecordEvent(s, target, replicasOf(d))
    return
  }
  if (isSaturated(d, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(s, old, 0)
    return
  }
  if (!isRollingUpdate(d)) return
  const all = activeReplicaSets([...oldRSs, newRS])
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0
  const toAdd = allowed - sumReplicas(all)
  // Ties: scaling up favours newer RSs, scaling down takes from older ones first.
  const operation = toAdd > 0 ? 'up' : toAdd < 0 ? 'down' : ''
  if (toAdd) all.sort(toAdd > 0 ? bySizeNewer : bySizeOlder)
  let added = 0
  const sizes = all.map((rs) => {
    if (!toAdd) return replicasOf(rs)
    const p = proportionOf(rs, d, toAdd, added)
    added += p
    return replicasOf(rs) + p
  })
  // Rounding leftovers go to the largest.
  if (toAdd && sizes.length) sizes[0] = Math.max(0, sizes[0]! + toAdd - added)
  for (const [i, rs] of all.entries()) await scaleReplicaSet(s, rs, sizes[i]!, operation)
}

/** True when an active RS was sized for another Deployment size than the current one. */
export async function isScalingEvent(s: SyncState): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false)
  return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
    const desired = desiredReplicasAnnotation(rs)
    return desired !== undefined && desired !== replicasOf(s.d)
  })
}

/** Deletes the oldest revisions beyond revisionHistoryLimit, only those fully scaled down. */
export async function cleanupDeployment(s: SyncState, oldRSs: RS[]): Promise<void> {
  const d = s.d
  if (!hasRevisionHistoryLimit(d)) return
  const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp)
  const diff = cleanable.length - d.spec!.revisionHistoryLimit!
  if (diff <= 0) return
  cleanable.sort(byRevision)
  for (const rs of cleanable.slice(0, diff)) {
    // Pods still running, or a spec its controller has not seen: not history yet.
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue
    try {
      await s.client.delete({ apiVersion: 'apps/v1', kind: 'ReplicaSet' }, rs.metadata!.name!, rs.metadata?.namespace)
    } catch (err) {
      // Stop rather than press on: the API server may be overloaded.
      if (!isNotFound(err)) throw err
    }
  }
}

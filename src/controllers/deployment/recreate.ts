/**
 * @module
 * The Recreate strategy: scale every old ReplicaSet to zero, wait until none of their pods
 * is left running, then create or scale up the new one.
 */
// Upstream: pkg/controller/deployment/recreate.go (rolloutRecreate,
// scaleDownOldReplicaSetsForRecreate, oldPodsRunning, scaleUpNewReplicaSetForRecreate).
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { deploymentComplete } from './conditions.js'
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set.js'
import { cleanupDeployment, scaleReplicaSetAndRecordEvent } from './scaling.js'
import type { SyncState } from './state.js'
import { syncRolloutStatus } from './status.js'
import { activeReplicaSets, replicasOf, sumStatus, type RS } from './util.js'

/** Pods by the uid of the ReplicaSet controlling them. */
export type PodMap = Map<string, Cached<Pod>[]>

export async function rolloutRecreate(s: SyncState, podMap: PodMap): Promise<void> {
  // No new RS yet: creating it now would run old and new pods side by side.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false)
  let allRSs = [...oldRSs, newRS]
  let scaledDown = false
  for (const rs of activeReplicaSets(oldRSs)) {
    if ((await scaleReplicaSetAndRecordEvent(s, rs, 0)).scaled) scaledDown = true
  }
  if (scaledDown) return syncRolloutStatus(s, allRSs, newRS)
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(s, allRSs, newRS)
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, true))
    allRSs = [...oldRSs, newRS]
  }
  if (newRS) await scaleReplicaSetAndRecordEvent(s, newRS, replicasOf(s.d))
  if (deploymentComplete(s.d, s.d.status)) await cleanupDeployment(s, oldRSs)
  return syncRolloutStatus(s, allRSs, newRS)
}

/** Whether an old RS still reports pods, or any pod of one has not reached a terminal phase. */
export function oldPodsRunning(newRS: RS | undefined, oldRSs: RS[], podMap: PodMap): boolean {
  if (sumStatus(oldRSs, 'replicas') > 0) return true
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === uid) continue
    // Terminating pods count: their containers may still be running. Unknown might be too.
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true
  }
  return false
}

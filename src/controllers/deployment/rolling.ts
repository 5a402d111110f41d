/**
 * @module
 * The RollingUpdate strategy: grow the new ReplicaSet as far as maxSurge allows, shrink the
 * old ones as far as maxUnavailable allows (unhealthy pods first), one step per sync.
 */
// Upstream: pkg/controller/deployment/rolling.go (rolloutRolling, reconcileNewReplicaSet,
// reconcileOldReplicaSets, cleanupUnhealthyReplicas, scaleDownOldReplicaSetsForRollingUpdate).
import { deploymentComplete } from './conditions.js'
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set.js'
import { newRSNewReplicas } from './proportions.js'
import { cleanupDeployment, scaleReplicaSetAndRecordEvent } from './scaling.js'
import type { SyncState } from './state.js'
import { syncRolloutStatus } from './status.js'
import { activeReplicaSets, byCreation, maxUnavailable, replicasOf, sumReplicas, sumStatus, type RS } from './util.js'

export async function rolloutRolling(s: SyncState): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, true)
  const allRSs = [...oldRSs, newRS]
  if (!newRS) return syncRolloutStatus(s, allRSs, newRS)
  if (await reconcileNewReplicaSet(s, allRSs, newRS)) return syncRolloutStatus(s, allRSs, newRS)
  if (await reconcileOldReplicaSets(s, allRSs, activeReplicaSets(oldRSs), newRS)) return syncRolloutStatus(s, allRSs, newRS)
  if (deploymentComplete(s.d, s.d.status)) await cleanupDeployment(s, oldRSs)
  return syncRolloutStatus(s, allRSs, newRS)
}

async function reconcileNewReplicaSet(s: SyncState, allRSs: (RS | undefined)[], newRS: RS): Promise<boolean> {
  const want = replicasOf(s.d)
  if (replicasOf(newRS) === want) return false
  if (replicasOf(newRS) > want) return (await scaleReplicaSetAndRecordEvent(s, newRS, want)).scaled
  return (await scaleReplicaSetAndRecordEvent(s, newRS, newRSNewReplicas(s.d, allRSs, newRS))).scaled
}

async function reconcileOldReplicaSets(s: SyncState, allRSs: (RS | undefined)[], oldRSs: RS[], newRS: RS): Promise<boolean> {
  if (sumReplicas(oldRSs) === 0) return false
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d)
  // New pods that are not available yet must not license taking old ones away: if the new
  // template is broken, that would only add to the unavailability.
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0)
  const maxScaledDown = sumReplicas(allRSs) - minAvailable - newUnavailable
  if (maxScaledDown <= 0) return false
  // Unhealthy old pods go first: removing them costs no availability, and they would block the rollout.
  let cleaned: { oldRSs: RS[]; count: number }
  let scaledDown: number
  try {
    cleaned = await cleanupUnhealthyReplicas(s, oldRSs, maxScaledDown)
    scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(s, [...cleaned.oldRSs, newRS], cleaned.oldRSs)
  } catch {
    // As upstream: a failed scale-down is retried on the next sync, not reported as an error.
    return false
  }
  return cleaned.count + scaledDown > 0
}

async function cleanupUnhealthyReplicas(s: SyncState, oldRSs: RS[], maxCleanup: number): Promise<{ oldRSs: RS[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreation)
  let total = 0
  for (const [i, rs] of sorted.entries()) {
    if (total >= maxCleanup) break
    const available = rs.status?.availableReplicas ?? 0
    if (replicasOf(rs) === 0 || replicasOf(rs) === available) continue
    const count = Math.min(maxCleanup - total, replicasOf(rs) - available)
    sorted[i] = (await scaleReplicaSetAndRecordEvent(s, rs, replicasOf(rs) - count)).rs
    total += count
  }
  return { oldRSs: sorted, count: total }
}

async function scaleDownOldReplicaSetsForRollingUpdate(s: SyncState, allRSs: RS[], oldRSs: RS[]): Promise<number> {
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d)
  const available = sumStatus(allRSs, 'availableReplicas')
  if (available <= minAvailable) return 0
  const toScaleDown = available - minAvailable
  let total = 0
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= toScaleDown) break
    if (replicasOf(rs) === 0) continue
    const count = Math.min(replicasOf(rs), toScaleDown - total)
    await scaleReplicaSetAndRecordEvent(s, rs, replicasOf(rs) - count)
    total += count
  }
  return total
}

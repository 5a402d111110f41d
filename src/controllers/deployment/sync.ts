/**
 * @module
 * One Deployment sync, given its claimed ReplicaSets: status only while it is deleted,
 * proportional scaling while paused or when its size changed, else a step of its strategy.
 */
// Upstream: pkg/controller/deployment/deployment_controller.go (syncDeployment) and
// sync.go (sync, syncStatusOnly). The deprecated rollbackTo annotation (extensions/v1beta1)
// is not read: `kubectl rollout undo` rewrites the template itself.
import type { Cached, KubeObject } from '../../api/index.js'
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set.js'
import { rolloutRecreate, type PodMap } from './recreate.js'
import { rolloutRolling } from './rolling.js'
import { cleanupDeployment, isScalingEvent, scale } from './scaling.js'
import { updateDeploymentStatus, type SyncState } from './state.js'
import { checkPausedConditions, syncDeploymentStatus } from './status.js'

/** Runs the sync on `s` (its Deployment and claimed ReplicaSets are already in place). */
export async function syncDeployment(s: SyncState, podMap: PodMap): Promise<void> {
  const d = s.d
  if (d.metadata?.deletionTimestamp) return syncStatusOnly(s)
  // Recorded before anything else, so that time spent paused never counts against the deadline.
  await checkPausedConditions(s)
  if (d.spec?.paused) return syncScaled(s)
  if (await isScalingEvent(s)) return syncScaled(s)
  const type = d.spec?.strategy?.type ?? 'RollingUpdate'
  if (type === 'Recreate') return rolloutRecreate(s, podMap)
  if (type === 'RollingUpdate') return rolloutRolling(s)
  throw new Error(`unexpected deployment strategy type: ${type}`)
}

/** Status only: nothing is created or scaled for a Deployment being deleted. */
async function syncStatusOnly(s: SyncState): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false)
  await syncDeploymentStatus(s, [...oldRSs, newRS], newRS)
}

/** Scaling events and paused Deployments: resize proportionally, never roll out. */
async function syncScaled(s: SyncState): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false)
  await scale(s, newRS, oldRSs)
  // A paused Deployment is not rolling out, so its history can be trimmed now.
  if (s.d.spec?.paused) await cleanupDeployment(s, oldRSs)
  await syncDeploymentStatus(s, [...oldRSs, newRS], newRS)
}

/** An empty selector would claim every pod in the namespace: refuse, but say we saw the spec. */
export async function refuseSelectingAll(s: SyncState): Promise<void> {
  const d = s.d
  s.recorder.event(d as Cached<KubeObject>, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.')
  const generation = d.metadata?.generation ?? 0
  if ((d.status?.observedGeneration ?? 0) < generation) {
    d.status = { ...d.status, observedGeneration: generation }
    await updateDeploymentStatus(s)
  }
}

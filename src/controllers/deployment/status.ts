/**
 * @module
 * A Deployment's status from its ReplicaSets, and the Progressing condition's story of a
 * rollout: created, progressing, complete, timed out, paused and resumed.
 */
// Upstream: pkg/controller/deployment/sync.go (calculateStatus, syncDeploymentStatus,
// checkPausedConditions) and progress.go (syncRolloutStatus, getReplicaFailures,
// requeueStuckDeployment).
import type { DeploymentCondition } from 'kubernetes-types/apps/v1.js'
import { copy, semanticEqual, type Cached } from '../../api/index.js'
import {
  AVAILABLE, deploymentComplete, deploymentProgressing, deploymentTimedOut, getCondition, MinimumReplicasAvailable,
  MinimumReplicasUnavailable, newCondition, NewRSAvailableReason, PausedDeployReason, PROGRESSING, removeCondition,
  REPLICA_FAILURE, ReplicaSetUpdatedReason, ResumedDeployReason, setCondition, TimedOutReason, type Status,
} from './conditions.js'
import { requeueAfter, updateDeploymentStatus, type SyncState } from './state.js'
import { hasProgressDeadline, maxUnavailable, replicasOf, sumReplicas, sumStatus, type RS } from './util.js'

type Counts = 'observedGeneration' | 'replicas' | 'updatedReplicas' | 'readyReplicas' | 'availableReplicas' | 'unavailableReplicas'
const COUNTS: Counts[] = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']

/** The status the ReplicaSets imply, with the Available condition brought up to date. */
export function calculateStatus(s: SyncState, allRSs: (RS | undefined)[], newRS: RS | undefined): Status {
  const d = s.d
  const available = sumStatus(allRSs, 'availableReplicas')
  const counts: Record<Counts, number> = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: sumStatus(allRSs, 'replicas'),
    updatedReplicas: sumStatus([newRS], 'replicas'),
    readyReplicas: sumStatus(allRSs, 'readyReplicas'),
    availableReplicas: available,
    // More available than wanted happens while scaling down; that is not negative unavailability.
    unavailableReplicas: Math.max(0, sumReplicas(allRSs) - available),
  }
  const status: Status = {}
  // The API omits zero counts; matching that keeps "nothing changed" detectable.
  for (const k of COUNTS) if (counts[k]) status[k] = counts[k]
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount
  if (d.status?.conditions?.length) status.conditions = copy(d.status.conditions)
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', MinimumReplicasAvailable, 'Deployment has minimum availability.', s.now()))
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', s.now()))
  }
  return status
}

/** Equal but for zero counts written out or left out. */
function statusEqual(a: Cached<Status> | undefined, b: Cached<Status>): boolean {
  const norm = (x: Cached<Status> | undefined) => {
    const o: Record<string, unknown> = { ...(x ?? {}) }
    for (const k of COUNTS) if (!o[k]) delete o[k]
    return o
  }
  return semanticEqual(norm(a), norm(b))
}

/** Writes the status the ReplicaSets imply, if it differs (scaling and paused syncs). */
export async function syncDeploymentStatus(s: SyncState, allRSs: (RS | undefined)[], newRS: RS | undefined): Promise<void> {
  const status = calculateStatus(s, allRSs, newRS)
  if (statusEqual(s.d.status, status)) return
  s.d.status = status
  await updateDeploymentStatus(s)
}

/** Like syncDeploymentStatus, and judges the rollout's progress against its deadline. */
export async function syncRolloutStatus(s: SyncState, allRSs: (RS | undefined)[], newRS: RS | undefined): Promise<void> {
  const d = s.d
  const status = calculateStatus(s, allRSs, newRS)
  if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING)
  const current = getCondition(d.status, PROGRESSING)
  const nowMs = s.now()
  const subject = newRS ? `ReplicaSet ${JSON.stringify(newRS.metadata?.name)}` : `Deployment ${JSON.stringify(d.metadata?.name)}`
  // A finished rollout's resync estimates nothing.
  const complete = status.replicas === status.updatedReplicas && current?.reason === NewRSAvailableReason
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition(PROGRESSING, 'True', NewRSAvailableReason, `${subject} has successfully progressed.`, nowMs))
    } else if (deploymentProgressing(d, status)) {
      const c = newCondition(PROGRESSING, 'True', ReplicaSetUpdatedReason, `${subject} is progressing.`, nowMs)
      // Progress moves lastUpdateTime even when the reason stays the same, which setCondition would not do.
      if (current) {
        if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime
        removeCondition(status, PROGRESSING)
      }
      setCondition(status, c)
    } else if (deploymentTimedOut(d, status, nowMs)) {
      setCondition(status, newCondition(PROGRESSING, 'False', TimedOutReason, `${subject} has timed out progressing.`, nowMs))
    }
  }
  const failure = replicaFailure(allRSs, newRS)
  if (failure) setCondition(status, failure)
  else removeCondition(status, REPLICA_FAILURE)
  if (statusEqual(d.status, status)) {
    requeueStuckDeployment(s, status)
    return
  }
  d.status = status
  await updateDeploymentStatus(s)
}

/** The new RS's ReplicaFailure condition, else an old one's, as a Deployment condition. */
function replicaFailure(allRSs: (RS | undefined)[], newRS: RS | undefined): DeploymentCondition | undefined {
  for (const rs of [newRS, ...allRSs]) {
    const c = rs?.status?.conditions?.find((x) => x.type === REPLICA_FAILURE)
    if (c) return { type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime, reason: c.reason, message: c.message }
  }
  return undefined
}

/** A rollout with no news must still be looked at when its deadline passes. */
function requeueStuckDeployment(s: SyncState, status: Status) {
  const d = s.d
  const current = getCondition(d.status, PROGRESSING)
  if (!hasProgressDeadline(d) || !current) return
  if (deploymentComplete(d, status) || current.reason === TimedOutReason) return
  const after = Date.parse(current.lastUpdateTime ?? '') + d.spec!.progressDeadlineSeconds! * 1000 - s.now()
  if (!Number.isFinite(after)) return
  // A second more against clock skew, as upstream adds.
  requeueAfter(s, Math.max(after, 0) + 1000)
}

/** Records pausing and resuming in Progressing, so a long pause is not mistaken for no progress. */
export async function checkPausedConditions(s: SyncState): Promise<void> {
  const d = s.d
  if (!hasProgressDeadline(d)) return
  const c = getCondition(d.status, PROGRESSING)
  // A reported timeout stays reported.
  if (c?.reason === TimedOutReason) return
  const pausedCondExists = c?.reason === PausedDeployReason
  const status = (d.status ??= {})
  if (d.spec?.paused && !pausedCondExists) {
    setCondition(status, newCondition(PROGRESSING, 'Unknown', PausedDeployReason, 'Deployment is paused', s.now()))
  } else if (!d.spec?.paused && pausedCondExists) {
    setCondition(status, newCondition(PROGRESSING, 'Unknown', ResumedDeployReason, 'Deployment is resumed', s.now()))
  } else {
    return
  }
  await updateDeploymentStatus(s)
}

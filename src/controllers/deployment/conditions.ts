/**
 * @module
 * Deployment conditions (Progressing, Available, ReplicaFailure) with upstream's reasons,
 * and the three judgements over a new status: complete, progressing, timed out.
 */
// Upstream: pkg/controller/deployment/util/deployment_util.go (condition reasons,
// NewDeploymentCondition, SetDeploymentCondition, DeploymentComplete, DeploymentProgressing,
// DeploymentTimedOut).
import type { Deployment, DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js'
import type { Cached, Editable } from '../../api/index.js'
import { rfc3339 } from '../util/index.js'
import { hasProgressDeadline, replicasOf } from './util.js'

export const PROGRESSING = 'Progressing'
export const AVAILABLE = 'Available'
export const REPLICA_FAILURE = 'ReplicaFailure'

export const ReplicaSetUpdatedReason = 'ReplicaSetUpdated'
export const FailedRSCreateReason = 'ReplicaSetCreateError'
export const NewReplicaSetReason = 'NewReplicaSetCreated'
export const FoundNewRSReason = 'FoundNewReplicaSet'
export const NewRSAvailableReason = 'NewReplicaSetAvailable'
export const TimedOutReason = 'ProgressDeadlineExceeded'
export const PausedDeployReason = 'DeploymentPaused'
export const ResumedDeployReason = 'DeploymentResumed'
export const MinimumReplicasAvailable = 'MinimumReplicasAvailable'
export const MinimumReplicasUnavailable = 'MinimumReplicasUnavailable'

export type Status = Editable<DeploymentStatus>
export type Condition = Editable<DeploymentCondition>

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, nowMs: number): Condition {
  const t = rfc3339(nowMs)
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message }
}

export const getCondition = (s: Cached<DeploymentStatus> | undefined, type: string) => s?.conditions?.find((c) => c.type === type)

/**
 * Puts `c` in `s`: nothing happens if a condition of that type already has its status and
 * reason; a status that stays the same keeps its lastTransitionTime.
 */
export function setCondition(s: Status, c: Condition) {
  const cur = getCondition(s, c.type)
  if (cur && cur.status === c.status && cur.reason === c.reason) return
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), c]
}

export function removeCondition(s: Status, type: string) {
  if (!s.conditions) return
  s.conditions = s.conditions.filter((c) => c.type !== type)
  if (!s.conditions.length) delete s.conditions
}

/** Every desired replica updated and available, no old ones left, and the latest spec seen. */
export function deploymentComplete(d: Cached<Deployment>, s: Cached<DeploymentStatus> | undefined): boolean {
  const n = replicasOf(d)
  return (s?.updatedReplicas ?? 0) === n && (s?.replicas ?? 0) === n && (s?.availableReplicas ?? 0) === n &&
    (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
}

/** New pods updated, ready or available, or old ones gone, since the status `d` carries. */
export function deploymentProgressing(d: Cached<Deployment>, s: Cached<DeploymentStatus>): boolean {
  const old = d.status ?? {}
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0)
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0)
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
}

/** No progress reported within progressDeadlineSeconds of the Progressing condition's last update. */
export function deploymentTimedOut(d: Cached<Deployment>, s: Cached<DeploymentStatus>, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false
  const c = getCondition(s, PROGRESSING)
  if (!c) return false
  // A finished rollout is never late, even if this resync raced the condition of a new one.
  if (c.reason === NewRSAvailableReason) return false
  if (c.reason === TimedOutReason) return true
  const from = Date.parse(c.lastUpdateTime ?? '')
  return Number.isFinite(from) && from + d.spec!.progressDeadlineSeconds! * 1000 < nowMs
}

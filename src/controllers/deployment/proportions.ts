/**
 * @module
 * How big a Deployment's ReplicaSets may be: the new one's next size in a rollout, and each
 * one's share when a Deployment is scaled in the middle of a rollout or while paused.
 */
// Upstream: pkg/controller/deployment/util/deployment_util.go (NewRSNewReplicas, IsSaturated,
// GetProportion, getReplicaSetFraction, FindActiveOrLatest).
import type { Deployment } from 'kubernetes-types/apps/v1.js'
import type { Cached } from '../../api/index.js'
import {
  activeReplicaSets, byCreation, isRollingUpdate, maxSurge, MAX_REPLICAS, replicasOf, DESIRED_REPLICAS, type RS,
} from './util.js'

/**
 * Pods an RS may still have: its spec, or more while its controller has not yet deleted
 * the surplus (status.replicas counts pods not yet terminating).
 */
// Deliberate difference: upstream counts spec.replicas only, so a new ReplicaSet can be scaled
// up in the window between an old one's scale-down and its pods' deletion, and the pods briefly
// exceed replicas+maxSurge. Counting the old pods until they go keeps the bound on real pods.
const podsOf = (rs: RS) => Math.max(replicasOf(rs), rs.status?.replicas ?? 0)

/** The new ReplicaSet's size for the next step of a rollout. */
export function newRSNewReplicas(d: Cached<Deployment>, allRSs: readonly (RS | undefined)[], newRS: RS): number {
  if (!isRollingUpdate(d)) return replicasOf(d)
  const maxTotal = replicasOf(d) + maxSurge(d)
  const current = allRSs.reduce((n, rs) => n + (rs ? podsOf(rs) : 0), 0)
  if (current >= maxTotal) return replicasOf(newRS)
  // Scale up by what surge allows, but not past the Deployment's size.
  return replicasOf(newRS) + Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS))
}

/** The new RS holds every desired replica, believes it should, and all are available. */
export function isSaturated(d: Cached<Deployment>, rs: RS | undefined): boolean {
  if (!rs) return false
  const desired = rs.metadata?.annotations?.[DESIRED_REPLICAS]
  if (desired === undefined || !/^-?\d+$/.test(desired)) return false
  const n = replicasOf(d)
  return replicasOf(rs) === n && Number(desired) === n && (rs.status?.availableReplicas ?? 0) === n
}

/** The only active RS, or the newest when none is active; undefined when several are. */
export function findActiveOrLatest(newRS: RS | undefined, oldRSs: readonly RS[]): RS | undefined {
  if (!newRS && !oldRSs.length) return undefined
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a))
  const active = activeReplicaSets([...newestFirst, newRS])
  if (active.length === 0) return newRS ?? newestFirst[0]
  return active.length === 1 ? active[0] : undefined
}

/** Go's math.Round: halves away from zero. */
const roundHalfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x))

function replicaSetFraction(rs: RS, d: Cached<Deployment>): number {
  // Scaling to zero: the whole RS goes.
  if (replicasOf(d) === 0) return -replicasOf(rs)
  const deploymentReplicas = replicasOf(d) + maxSurge(d)
  const v = rs.metadata?.annotations?.[MAX_REPLICAS]
  // Without the annotation fall back to the current size; the min/max in proportionOf keeps us in bounds.
  const annotated = v !== undefined && /^-?\d+$/.test(v) ? Number(v) : (d.status?.replicas ?? 0)
  if (!annotated) return 0
  return roundHalfAway((replicasOf(rs) * deploymentReplicas) / annotated) - replicasOf(rs)
}

/** How many replicas `rs` gains (or loses) of `toAdd`, `added` having been handed out already. */
export function proportionOf(rs: RS | undefined, d: Cached<Deployment>, toAdd: number, added: number): number {
  if (!rs || replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0
  const fraction = replicaSetFraction(rs, d)
  const allowed = toAdd - added
  // Never hand out more than is left, in either direction.
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed)
}

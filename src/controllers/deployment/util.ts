/**
 * @module
 * Deployment arithmetic: surge and unavailability bounds, revisions and the annotations
 * that carry them, which ReplicaSet is new, and how a scale is shared out proportionally.
 */
// Upstream: pkg/controller/deployment/util/deployment_util.go (ResolveFenceposts, MaxSurge,
// MaxUnavailable, Revision, MaxRevision, SetNewReplicaSetAnnotations, SetReplicasAnnotations,
// EqualIgnoreHash, FindNewReplicaSet, FindOldReplicaSets, GetProportion, IsSaturated,
// NewRSNewReplicas) and pkg/controller/controller_utils.go (ReplicaSetsBy* orders).
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { compareStrings, copy, semanticEqual, type Cached, type Editable } from '../../api/index.js'

export type RS = Cached<ReplicaSet>
export type D = Editable<Deployment>

export const REVISION = 'deployment.kubernetes.io/revision'
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history'
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas'
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas'
export const POD_TEMPLATE_HASH = 'pod-template-hash'
/** Upstream keeps revision-history under this many characters. */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000
const MAX_INT32 = 2147483647

// Never copied from a Deployment to its ReplicaSets: they describe the RS, or kubectl's apply.
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
])

export const replicasOf = (d: { spec?: { replicas?: number } } | undefined | null) => d?.spec?.replicas ?? 1
export const isRollingUpdate = (d: Cached<Deployment>) => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate'

/** An int-or-percent scaled against `total`: percentages round up or down, as asked. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0
  if (typeof v === 'number') return v
  const m = /^(-?\d+)%$/.exec(v)
  if (!m) return Number.parseInt(v, 10) || 0
  const scaled = (Number(m[1]) * total) / 100
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled)
}

/** [maxSurge, maxUnavailable] for `desired` replicas: surge rounds up, unavailable down; never both 0. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): [number, number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true)
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false)
  // Both zero can only come from rounding; surging might be blocked by quota, so allow one down.
  if (surge === 0 && unavailable === 0) unavailable = 1
  return [surge, unavailable]
}

const fenceposts = (d: Cached<Deployment>) => {
  const ru = d.spec?.strategy?.rollingUpdate
  return resolveFenceposts(ru ? ru.maxSurge : '25%', ru ? ru.maxUnavailable : '25%', replicasOf(d))
}
export const maxSurge = (d: Cached<Deployment>) => (isRollingUpdate(d) ? fenceposts(d)[0] : 0)
export function maxUnavailable(d: Cached<Deployment>): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0
  return Math.min(fenceposts(d)[1], replicasOf(d))
}

export const hasProgressDeadline = (d: Cached<Deployment>) =>
  d.spec?.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== null && d.spec.progressDeadlineSeconds !== MAX_INT32
export const hasRevisionHistoryLimit = (d: Cached<Deployment>) =>
  d.spec?.revisionHistoryLimit !== undefined && d.spec.revisionHistoryLimit !== null && d.spec.revisionHistoryLimit !== MAX_INT32

/** The revision annotation as a number (0 when absent or unparsable). */
export function revisionOf(rs: RS | undefined): number {
  const v = rs?.metadata?.annotations?.[REVISION]
  return v && /^\d+$/.test(v) ? Number(v) : 0
}
export const maxRevision = (rss: readonly (RS | undefined)[]) => rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0)

/** Sets the Deployment's revision annotation; true if it changed. */
export function setDeploymentRevision(d: D, revision: string): boolean {
  const a = (d.metadata!.annotations ??= {})
  if (a[REVISION] === revision) return false
  a[REVISION] = revision
  return true
}

/**
 * Brings `rs` (a new or to-be-created ReplicaSet) up to date: the Deployment's annotations,
 * revision `newRevision` if that is higher (remembering the old one in revision-history, as
 * when a rollback makes an old template current again), and on creation the replica counts.
 */
export function setNewReplicaSetAnnotations(d: Cached<Deployment>, rs: Editable<ReplicaSet>, newRevision: string, exists: boolean, limitChars = MAX_REV_HISTORY_LENGTH_IN_CHARS): boolean {
  const a = ((rs.metadata ??= {}).annotations ??= {})
  let changed = false
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || a[k] === v) continue
    a[k] = v
    changed = true
  }
  const had = Object.hasOwn(a, REVISION)
  const oldRevision = a[REVISION] ?? ''
  if (oldRevision !== '' && !/^-?\d+$/.test(oldRevision)) return false
  const oldNum = oldRevision === '' ? 0 : Number(oldRevision)
  const newNum = Number(newRevision)
  if (oldNum < newNum) {
    a[REVISION] = newRevision
    changed = true
    if (had) appendRevisionHistory(a, oldRevision, limitChars)
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true
  return changed
}

function appendRevisionHistory(a: Record<string, string>, oldRevision: string, limitChars: number) {
  const history = a[REVISION_HISTORY] ?? ''
  if (!history) {
    a[REVISION_HISTORY] = oldRevision
    return
  }
  // Drop the oldest entries until the new one fits.
  const entries = history.split(',')
  let total = history.length + oldRevision.length + 1
  let start = 0
  while (total > limitChars && start < entries.length) total -= entries[start++]!.length + 1
  if (total <= limitChars) a[REVISION_HISTORY] = [...entries.slice(start), oldRevision].join(',')
}

/** Records the Deployment's size and its size plus surge on `rs`; true if either changed. */
export function setReplicasAnnotations(rs: Editable<ReplicaSet>, desired: number, max: number): boolean {
  const a = ((rs.metadata ??= {}).annotations ??= {})
  const changed = a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max)
  a[DESIRED_REPLICAS] = String(desired)
  a[MAX_REPLICAS] = String(max)
  return changed
}
export const replicasAnnotationsNeedUpdate = (rs: RS, desired: number, max: number) =>
  rs.metadata?.annotations?.[DESIRED_REPLICAS] !== String(desired) || rs.metadata?.annotations?.[MAX_REPLICAS] !== String(max)

const intAnnotation = (rs: RS, key: string): number | undefined => {
  const v = rs.metadata?.annotations?.[key]
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined
}
export const desiredReplicasAnnotation = (rs: RS) => intAnnotation(rs, DESIRED_REPLICAS)

/** Templates equal but for the pod-template-hash label (which the Deployment's never has). */
export function equalIgnoreHash(a: Cached<PodTemplateSpec> | undefined, b: Cached<PodTemplateSpec> | undefined): boolean {
  const strip = (t: Cached<PodTemplateSpec> | undefined) => {
    const c = copy(t ?? {})
    if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH]
    return c
  }
  return semanticEqual(strip(a), strip(b))
}

const created = (rs: RS) => Date.parse(rs.metadata?.creationTimestamp ?? '') || 0
/** Oldest first; ties by name (upstream's ReplicaSetsByCreationTimestamp). */
export function byCreation(a: RS, b: RS): number {
  return created(a) - created(b) || compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? '')
}
/** Lowest revision first, then oldest (ReplicaSetsByRevision). */
export const byRevision = (a: RS, b: RS) => revisionOf(a) - revisionOf(b) || byCreation(a, b)
/** Largest first; among equals the newest first (ReplicaSetsBySizeNewer, for scaling up). */
export const bySizeNewer = (a: RS, b: RS) => replicasOf(b) - replicasOf(a) || byCreation(b, a)
/** Largest first; among equals the oldest first (ReplicaSetsBySizeOlder, for scaling down). */
export const bySizeOlder = (a: RS, b: RS) => replicasOf(b) - replicasOf(a) || byCreation(a, b)

/** The oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: Cached<Deployment>, rss: readonly RS[]): RS | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template))
}
/** Every ReplicaSet but the new one. */
export function findOldReplicaSets(d: Cached<Deployment>, rss: readonly RS[]): RS[] {
  const newRS = findNewReplicaSet(d, rss)
  return rss.filter((rs) => !newRS || rs.metadata?.uid !== newRS.metadata?.uid)
}
export const activeReplicaSets = (rss: readonly (RS | undefined)[]) => rss.filter((rs): rs is RS => !!rs && replicasOf(rs) > 0)

export const sumReplicas = (rss: readonly (RS | undefined)[]) => rss.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0)
type StatusCount = 'replicas' | 'readyReplicas' | 'availableReplicas'
export const sumStatus = (rss: readonly (RS | undefined)[], field: StatusCount) => rss.reduce((n, rs) => n + (rs?.status?.[field] ?? 0), 0)

/**
 * @module
 * A ReplicaSet's (or ReplicationController's) status from the pods it owns, and the write
 * that publishes it only when something changed.
 */
// Upstream: pkg/controller/replicaset/replica_set_utils.go (calculateStatus,
// updateReplicaSetStatus, NewReplicaSetCondition, SetCondition).
import type { Pod } from 'kubernetes-types/core/v1.js'
import { copy, labelSelectorFromSet, semanticEqual, type Cached } from '../../api/index.js'
import type { Client } from '../../client/types.js'
import { isPodAvailable, isPodReady, podCondition, rfc3339 } from '../util/index.js'
import type { ReplicaStatus, Replicated } from './types.js'

const REPLICA_FAILURE = 'ReplicaFailure'

/** The status `rs` should report for its claimed active `pods`, given how managing them went. */
export function calculateStatus(rs: Cached<Replicated>, pods: readonly Cached<Pod>[], manageErr: unknown, nowMs: number): ReplicaStatus {
  const status = copy(rs.status ?? { replicas: 0 }) as ReplicaStatus
  // Pods may carry more labels than the template; matching the template's is "fully labeled".
  const templateLabels = labelSelectorFromSet(rs.spec?.template?.metadata?.labels)
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0
  let fullyLabeled = 0
  let ready = 0
  let available = 0
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata?.labels)) fullyLabeled++
    if (isPodReady(pod)) {
      ready++
      if (isPodAvailable(pod, minReadySeconds, nowMs)) available++
    }
  }
  const failure = status.conditions?.find((c) => c.type === REPLICA_FAILURE)
  if (manageErr && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1)
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : ''
    const message = manageErr instanceof Error ? manageErr.message : String(manageErr)
    status.conditions = [...(status.conditions ?? []), { type: REPLICA_FAILURE, status: 'True', lastTransitionTime: rfc3339(nowMs), reason, message }]
  } else if (!manageErr && failure) {
    status.conditions = status.conditions!.filter((c) => c.type !== REPLICA_FAILURE)
    if (!status.conditions.length) delete status.conditions
  }
  status.replicas = pods.length
  // The API omits zero counts (omitempty); so do we, or every sync would look like a change.
  setCount(status, 'fullyLabeledReplicas', fullyLabeled)
  setCount(status, 'readyReplicas', ready)
  setCount(status, 'availableReplicas', available)
  return status
}

function setCount(s: ReplicaStatus, field: 'fullyLabeledReplicas' | 'readyReplicas' | 'availableReplicas', n: number) {
  if (n) s[field] = n
  else delete s[field]
}

/**
 * Writes `status` (with observedGeneration) unless it says nothing new; retries once with a
 * fresh read on failure. Resolves with the object as stored.
 */
export async function updateReplicaStatus(client: Client, rs: Cached<Replicated>, status: ReplicaStatus): Promise<Cached<Replicated>> {
  const cur = rs.status
  const generation = rs.metadata?.generation ?? 0
  if ((cur?.replicas ?? 0) === status.replicas &&
    (cur?.fullyLabeledReplicas ?? 0) === (status.fullyLabeledReplicas ?? 0) &&
    (cur?.readyReplicas ?? 0) === (status.readyReplicas ?? 0) &&
    (cur?.availableReplicas ?? 0) === (status.availableReplicas ?? 0) &&
    generation === (cur?.observedGeneration ?? 0) &&
    semanticEqual(cur?.conditions, status.conditions)) {
    return rs
  }
  let target = copy(rs) as Replicated
  for (let attempt = 0; ; attempt++) {
    target.status = { ...status }
    // The generation we acted on, so a retry cannot claim to have seen a newer spec.
    if (generation) target.status.observedGeneration = generation
    try {
      return await client.updateStatus(target)
    } catch (err) {
      if (attempt >= 1) throw err
      target = await client.get<Replicated>({ apiVersion: rs.apiVersion!, kind: rs.kind! }, rs.metadata!.name!, rs.metadata?.namespace)
    }
  }
}

/**
 * Milliseconds until the next of `pods` that is ready but not yet available becomes
 * available (plus a second against clock skew, as upstream adds), or undefined.
 */
export function nextAvailableAfterMs(rs: Cached<Replicated>, pods: readonly Cached<Pod>[], nowMs: number): number | undefined {
  const minReadyMs = (rs.spec?.minReadySeconds ?? 0) * 1000
  if (!minReadyMs) return undefined
  let soonest: number | undefined
  for (const pod of pods) {
    if (!isPodReady(pod) || isPodAvailable(pod, rs.spec?.minReadySeconds ?? 0, nowMs)) continue
    const since = Date.parse(podCondition(pod, 'Ready')?.lastTransitionTime ?? '')
    const at = Number.isFinite(since) ? since + minReadyMs : nowMs + minReadyMs
    soonest = Math.min(soonest ?? Infinity, at)
  }
  return soonest === undefined ? undefined : Math.max(0, soonest - nowMs) + 1000
}

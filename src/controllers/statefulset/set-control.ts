/**
 * @module
 * The StatefulSet algorithm. OrderedReady: pod n is created only when 0..n-1 are Running,
 * Ready and available; scale-down removes the highest ordinal first, one at a time, waiting
 * for it to go. Parallel: all at once. Then a rolling update replaces, from the highest
 * ordinal down to the partition, one pod at a time, each only after the one above is ready.
 */
// Upstream: pkg/controller/statefulset/stateful_set_control.go (UpdateStatefulSet,
// performUpdate, updateStatefulSet, processReplica, processCondemned, runForAll,
// slowStartBatch, computeReplicaStatus, updateStatefulSetStatus). The MaxUnavailableStatefulSet
// path (several pods updated at once) is left out: updates go one pod at a time.
import type { ControllerRevision, StatefulSetStatus } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { isNotFound, type Cached } from '../../api/index.js'
import {
  allowsBurst, endOrdinal, identityMatches, isCreated, isFailed, isPending, isRunningAndAvailable, isRunningAndReady,
  isSucceeded, isTerminating, isUnavailable, newVersionedStatefulSetPod, ordinalOf, podInOrdinalRange, podRevision,
  replicasOf, startOrdinal, storageMatches, type Sts,
} from './identity.js'
import type { StatefulPodControl } from './pod-control.js'
import { applyRevision } from './revisions.js'

type P = Cached<Pod>
type Revision = Cached<ControllerRevision>
const MAX_BATCH_SIZE = 500

/** Counts over `lists` of pods, as status reports them. */
export function countReplicas(status: StatefulSetStatus, minReadySeconds: number, nowMs: number, current: Revision, update: Revision,
  ...lists: readonly P[][]): void {
  Object.assign(status, { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 })
  for (const pod of lists.flat()) {
    if (isCreated(pod)) status.replicas++
    if (isRunningAndReady(pod)) {
      status.readyReplicas!++
      if (isRunningAndAvailable(pod, minReadySeconds, nowMs)) status.availableReplicas!++
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      if (podRevision(pod) === current.metadata?.name) status.currentReplicas!++
      if (podRevision(pod) === update.metadata?.name) status.updatedReplicas!++
    }
  }
}

/**
 * Runs `fn` over the indices: in order, stopping at the first that asks to (OrderedReady); or
 * concurrently in doubling batches, stopping after a batch with a failure (Parallel).
 * True when processing stopped early.
 */
async function runForAll(count: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < count; i++) if (await fn(i)) return true
    return false
  }
  let next = 0
  for (let batch = Math.min(1, count); batch > 0; batch = Math.min(2 * batch, count - next, MAX_BATCH_SIZE)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, (_, k) => fn(next + k)))
    next += batch
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))
    if (errors.length === 1) throw errors[0]
    if (errors.length) throw new AggregateError(errors, errors.map(String).join('; '))
  }
  return false
}

export type UpdateInput = {
  set: Sts
  pods: readonly P[]
  current: Revision
  update: Revision
  collisionCount: number
  control: StatefulPodControl
  nowMs: number
}

/**
 * Creates, updates and deletes pods toward the set's spec. Resolves with the status to record;
 * `error` is set when a write failed part-way (the status is still worth recording).
 */
export async function updateStatefulSetPods(input: UpdateInput): Promise<{ status: StatefulSetStatus; error?: unknown }> {
  const { set, pods, current, update, control, nowMs } = input
  const currentSet = applyRevision(set, current)
  const updateSet = applyRevision(set, update)
  const minReady = set.spec?.minReadySeconds ?? 0
  const status: StatefulSetStatus = {
    replicas: 0, observedGeneration: set.metadata?.generation, currentRevision: current.metadata?.name,
    updateRevision: update.metadata?.name, collisionCount: input.collisionCount,
  }
  countReplicas(status, minReady, nowMs, current, update, pods as P[])

  const start = startOrdinal(set)
  const replicas: P[] = new Array(replicasOf(set))
  const condemned: P[] = []
  for (const pod of pods) {
    if (podInOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod
    else if (ordinalOf(pod) >= 0) condemned.push(pod)
  }
  for (let ord = start; ord <= endOrdinal(set); ord++) {
    replicas[ord - start] ??= newVersionedStatefulSetPod(currentSet, updateSet, current.metadata!.name!, update.metadata!.name!, ord)
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a))
  const unavailable = (p: P) => isUnavailable(p, minReady, nowMs)
  const firstUnavailable = replicas.find(unavailable) ?? [...condemned].reverse().find(unavailable)
  const finish = (error?: unknown) => {
    countReplicas(status, minReady, nowMs, current, update, replicas, condemned)
    return { status, error }
  }

  // A set being deleted only reports; the garbage collector removes its pods.
  if (set.metadata?.deletionTimestamp) return { status }
  const monotonic = !allowsBurst(set)

  async function processReplica(i: number): Promise<boolean> {
    const pod = replicas[i]!
    // Succeeded counts too: a pod stopped by eviction or a node reboot ends by its exit code.
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!isTerminating(pod)) await control.deleteStatefulPod(set, pod)
      return true // the replacement is created once the old pod is gone
    }
    if (!isCreated(pod)) {
      if (control.podClaimIsStale(set, pod)) return true // wait for the garbage collector
      await control.createStatefulPod(set, pod as Pod)
      if (monotonic) return true
    }
    if (isPending(pod)) await control.createMissingPersistentVolumeClaims(set, pod)
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, nowMs))) return true
    if (identityMatches(set, pod) && storageMatches(set, pod) && control.claimsMatchRetentionPolicy(updateSet, pod)) return false
    await control.updateStatefulPod(updateSet, pod)
    return false
  }

  async function fixPodClaim(i: number): Promise<boolean> {
    if (!control.claimsMatchRetentionPolicy(updateSet, condemned[i]!)) await control.updatePodClaimForRetentionPolicy(updateSet, condemned[i]!)
    return false
  }

  async function processCondemned(i: number): Promise<boolean> {
    const pod = condemned[i]!
    if (isTerminating(pod)) return monotonic // OrderedReady waits for it to go
    if (monotonic && pod !== firstUnavailable && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, nowMs))) return true
    await control.deleteStatefulPod(set, pod)
    return true
  }

  try {
    if (await runForAll(replicas.length, processReplica, monotonic)) return finish()
    if (await runForAll(condemned.length, fixPodClaim, monotonic)) return finish()
    // Scaling takes precedence over updates, and no pod is resurrected here.
    if (await runForAll(condemned.length, processCondemned, monotonic)) return finish()
  } catch (err) {
    return finish(err)
  }
  finish()
  if (set.spec?.updateStrategy?.type === 'OnDelete') return { status }

  // Replace the highest ordinal not at the update revision, once everything above it is available.
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0
  for (let target = replicas.length - 1; target >= partition; target--) {
    const pod = replicas[target]!
    if (podRevision(pod) !== update.metadata?.name && !isTerminating(pod)) {
      try {
        await control.deleteStatefulPod(set, pod)
      } catch (err) {
        if (!isNotFound(err)) return { status, error: err }
      }
      status.currentReplicas = (status.currentReplicas ?? 0) - 1
      return { status }
    }
    if (unavailable(pod)) return { status }
  }
  return { status }
}

/** Once every replica runs the update revision and is ready, it becomes the current revision. */
export function completeRollingUpdate(set: Sts, status: StatefulSetStatus): void {
  const n = replicasOf(set)
  if (set.spec?.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === n && status.readyReplicas === n && status.replicas === n) {
    status.currentReplicas = status.updatedReplicas
    status.currentRevision = status.updateRevision
  }
}

/** Whether `status` says anything the set's recorded status does not. */
export function inconsistentStatus(set: Sts, status: StatefulSetStatus): boolean {
  const s = set.status
  return (status.observedGeneration ?? 0) > (s?.observedGeneration ?? 0) || status.replicas !== (s?.replicas ?? 0) ||
    (status.currentReplicas ?? 0) !== (s?.currentReplicas ?? 0) || (status.readyReplicas ?? 0) !== (s?.readyReplicas ?? 0) ||
    (status.updatedReplicas ?? 0) !== (s?.updatedReplicas ?? 0) || status.currentRevision !== s?.currentRevision ||
    (status.availableReplicas ?? 0) !== (s?.availableReplicas ?? 0) || status.updateRevision !== s?.updateRevision ||
    (status.collisionCount ?? 0) !== (s?.collisionCount ?? 0)
}

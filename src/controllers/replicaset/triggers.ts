/**
 * @module
 * Which ReplicaSets (or ReplicationControllers) to sync when they or pods change, and the
 * expectation bookkeeping those pod events carry.
 */
// Upstream: pkg/controller/replicaset/replica_set.go (addRS, updateRS, deleteRS, addPod,
// updatePod, deletePod, resolveControllerRef, getPodReplicaSets).
import type { Pod } from 'kubernetes-types/core/v1.js'
import { controllerOf, keyOf, semanticEqual, type Cached } from '../../api/index.js'
import type { Informer, InformerEvent, Trigger } from '../../client/types.js'
import type { PodExpectations } from './expectations.js'
import type { ReplicaKind, Replicated } from './types.js'

type P = Cached<Pod>

export function replicaTriggers(owners: Informer<Replicated>, pods: Informer<Pod>, expectations: PodExpectations, kind: ReplicaKind): Trigger[] {
  /** The owner a controller reference names, if it exists with that uid. */
  const resolve = (pod: P): Cached<Replicated> | undefined => {
    const ref = controllerOf(pod)
    if (!ref || ref.kind !== kind.kind) return undefined
    const owner = owners.get(keyOf({ metadata: { namespace: pod.metadata?.namespace, name: ref.name } }))
    return owner?.metadata?.uid === ref.uid ? owner : undefined
  }
  /** Owners whose selector matches an orphan, so one of them can adopt it. */
  const matching = (pod: P): string[] => owners.list(pod.metadata?.namespace ?? '').filter((o) => {
    if (!kind.selectsAny(o)) return false
    try {
      return kind.selector(o).matches(pod.metadata?.labels)
    } catch {
      return false
    }
  }).map((o) => keyOf(o))

  const podDeleted = (pod: P): string[] => {
    const owner = resolve(pod)
    if (!owner) return [] // nobody waits on an orphan's deletion
    const key = keyOf(owner)
    expectations.deletionObserved(key, keyOf(pod))
    return [key]
  }

  const onPod = (ev: InformerEvent<Pod>): string[] => {
    const pod = ev.obj
    if (ev.type === 'delete') return podDeleted(pod)
    if (ev.type === 'add') {
      // A pod first seen already terminating (say, after a restart) is no creation to observe.
      if (pod.metadata?.deletionTimestamp) return podDeleted(pod)
      const owner = resolve(pod)
      if (owner) {
        expectations.creationObserved(keyOf(owner))
        return [keyOf(owner)]
      }
      return controllerOf(pod) ? [] : matching(pod)
    }
    const old = ev.old
    if (pod.metadata?.resourceVersion === old.metadata?.resourceVersion) return [] // a resync
    const labelsChanged = !semanticEqual(pod.metadata?.labels, old.metadata?.labels)
    if (pod.metadata?.deletionTimestamp) {
      // Graceful deletion: replace the pod now rather than when the kubelet is done with it.
      const keys = podDeleted(pod)
      if (labelsChanged) keys.push(...podDeleted(old))
      return keys
    }
    const keys: string[] = []
    const curRef = controllerOf(pod)
    const oldRef = controllerOf(old)
    const refChanged = !semanticEqual(curRef, oldRef)
    if (refChanged && oldRef) {
      const prev = resolve(old)
      if (prev) keys.push(keyOf(prev))
    }
    if (curRef) {
      const owner = resolve(pod)
      if (owner) keys.push(keyOf(owner))
      return keys
    }
    if (labelsChanged || refChanged) keys.push(...matching(pod))
    return keys
  }

  const onOwner = (ev: InformerEvent<Replicated>): string[] => {
    const key = keyOf(ev.obj)
    // A record left by a deleted namesake must not hold back its successor.
    if (ev.type === 'delete' || (ev.type === 'update' && ev.old.metadata?.uid !== ev.obj.metadata?.uid)) {
      expectations.delete(key)
    }
    return [key]
  }

  return [owners.on(onOwner), pods.on(onPod)]
}

/**
 * @module
 * How informer events reach the scheduler: assigned pods and nodes update the cache,
 * pending pods of ours enter the queue, and every change that could let a parked pod fit
 * is announced to the queue as a cluster event.
 */
// Upstream: pkg/scheduler/eventhandlers.go (addAllEventHandlers, addPodToSchedulingQueue,
// updatePodInSchedulingQueue, addPodToCache, updatePodInCache, nodeSchedulingPropertiesChange).
import type { Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js'
import type { StorageClass } from 'kubernetes-types/storage/v1.js'
import { semanticEqual, type Cached } from '../api/index.js'
import type { Informer, InformerEvent, Informers } from '../client/types.js'
import type { SchedulerCache } from './cache/cache.js'
import type { ClusterEventAction, ClusterEventResource } from './framework/types.js'
import type { SchedulingQueue } from './queue/scheduling-queue.js'

const assigned = (p: Cached<Pod>) => !!p.spec?.nodeName
const terminal = (p: Cached<Pod>) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed'
const action = { add: 'Add', update: 'Update', delete: 'Delete' } as const

// Only what the plugins read: heartbeats and condition updates must not wake parked pods.
function schedulingPropertiesChanged(a: Cached<Node>, b: Cached<Node>): boolean {
  return !!a.spec?.unschedulable !== !!b.spec?.unschedulable ||
    !semanticEqual(a.metadata?.labels ?? {}, b.metadata?.labels ?? {}) ||
    !semanticEqual(a.spec?.taints ?? [], b.spec?.taints ?? []) ||
    !semanticEqual(a.status?.allocatable ?? {}, b.status?.allocatable ?? {})
}

export type HandlerOptions = {
  informers: Informers
  cache: SchedulerCache
  queue: SchedulingQueue
  schedulerName: string
}

/** Subscribes the scheduler to its informers; returns the unsubscribe. */
export function addAllEventHandlers({ informers, cache, queue, schedulerName }: HandlerOptions): () => void {
  const pods = informers.of<Pod>('v1', 'Pod')
  const nodes = informers.of<Node>('v1', 'Node')
  const responsible = (p: Cached<Pod>) => (p.spec?.schedulerName || 'default-scheduler') === schedulerName
  const pending = (p: Cached<Pod>) => responsible(p) && !p.metadata?.deletionTimestamp && !terminal(p)
  const move = (resource: ClusterEventResource, a: ClusterEventAction) => queue.moveAllToActiveOrBackoffQueue({ resource, action: a })

  function onPod(ev: InformerEvent<Pod>) {
    const pod = ev.obj
    if (ev.type === 'delete') {
      if (assigned(pod)) {
        cache.removePod(pod)
        move('Pod', 'Delete')
      } else queue.delete(pod)
      return
    }
    if (assigned(pod)) {
      const old = ev.type === 'update' ? ev.old : undefined
      if (old && !assigned(old)) queue.delete(pod) // just bound (by us or anyone)
      cache.addPod(pod)
      if (!old || !assigned(old)) move('Pod', 'Add')
      else if (!terminal(old) && terminal(pod)) move('Pod', 'Delete') // its room is free again
      else if (!semanticEqual(old.metadata?.labels ?? {}, pod.metadata?.labels ?? {})) move('Pod', 'Update')
      return
    }
    if (!pending(pod)) return queue.delete(pod)
    if (ev.type === 'add') return queue.add(pod)
    // Our own writes (status, the binding in flight) must not re-queue an assumed pod.
    if (cache.isAssumed(pod.metadata?.uid ?? '')) return
    queue.update(ev.old, pod)
  }

  function onNode(ev: InformerEvent<Node>) {
    if (ev.type === 'delete') {
      cache.removeNode(ev.obj)
      return move('Node', 'Delete')
    }
    if (ev.type === 'update' && !schedulingPropertiesChanged(ev.old, ev.obj)) return
    cache.addNode(ev.obj)
    move('Node', action[ev.type])
  }

  const onStorage = (resource: ClusterEventResource) => (ev: { type: 'add' | 'update' | 'delete' }) => {
    if (ev.type !== 'delete') move(resource, action[ev.type])
  }
  const unsubs = [
    nodes.subscribe(onNode), // nodes first, so pods already cached land on known nodes
    pods.subscribe(onPod),
    informers.of<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim').subscribe(onStorage('PersistentVolumeClaim')),
    informers.of<PersistentVolume>('v1', 'PersistentVolume').subscribe(onStorage('PersistentVolume')),
    informers.of<StorageClass>('storage.k8s.io/v1', 'StorageClass').subscribe(onStorage('StorageClass')),
  ]
  return () => unsubs.forEach((u) => u())
}

/** Labels of a namespace, for affinity terms with a namespaceSelector. */
export function namespaceLabels(namespaces: Informer<Namespace>) {
  return (ns: string) => namespaces.get(ns)?.metadata?.labels
}

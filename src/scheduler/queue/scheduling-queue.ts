/**
 * @module
 * The scheduling queue: activeQ (pods to try now, highest priority first, then oldest),
 * backoffQ (pods that failed recently, waiting 1 s doubling to 10 s) and the unschedulable
 * pods (parked until a cluster event that one of their rejecting plugins cares about, or
 * for at most 5 minutes). It also remembers nominated pods so preemption's freed room is
 * not taken by someone else.
 */
// Upstream: pkg/scheduler/backend/queue/scheduling_queue.go (PriorityQueue: Add, Update,
// Delete, Pop, AddUnschedulableIfNotPresent, MoveAllToActiveOrBackoffQueue, moveRequestCycle,
// flushBackoffQCompleted, flushUnschedulablePodsLeftover), nominator.go; PrioritySort's Less.
// Queueing hints are not ported: a matching event always requeues (upstream's behaviour
// with the hints gate off).
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { newPodInfo, type PodInfo } from '../framework/pod-info.js'
import type { ClusterChange, ClusterEvent } from '../framework/types.js'
import { newHeap } from './heap.js'

export type QueuedPodInfo = {
  podInfo: PodInfo
  /** When the pod entered the queue or last failed: orders equal priorities, starts backoff. */
  timestamp: number
  initialAttemptTimestamp: number | undefined
  attempts: number
  /** Plugins that rejected the pod in its last attempt; their events bring it back. */
  unschedulablePlugins: Set<string>
}

export type QueueOptions = {
  now: () => number
  /** Plugin name → the cluster events that may make a pod it rejected schedulable. */
  pluginEvents: ReadonlyMap<string, readonly ClusterEvent[]>
  initialBackoffMs?: number
  maxBackoffMs?: number
  maxInUnschedulablePodsMs?: number
}

const keyOfPod = (p: Cached<Pod>) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`
const qkey = (q: QueuedPodInfo) => q.podInfo.key

// Upstream's isPodUpdated: a change beyond status and bookkeeping metadata.
function specChanged(a: Cached<Pod>, b: Cached<Pod>): boolean {
  const strip = (p: Cached<Pod>) => JSON.stringify({ ...p, status: undefined,
    metadata: { ...p.metadata, resourceVersion: undefined, generation: undefined, managedFields: undefined } })
  return strip(a) !== strip(b)
}

export type SchedulingQueue = ReturnType<typeof schedulingQueue>

export function schedulingQueue(opts: QueueOptions) {
  const { now, pluginEvents } = opts
  const initialBackoffMs = opts.initialBackoffMs ?? 1000
  const maxBackoffMs = opts.maxBackoffMs ?? 10_000
  const maxInUnschedulableMs = opts.maxInUnschedulablePodsMs ?? 5 * 60_000

  const backoffDuration = (q: QueuedPodInfo) => {
    let d = initialBackoffMs
    for (let i = 1; i < q.attempts && d < maxBackoffMs; i++) d *= 2
    return Math.min(d, maxBackoffMs)
  }
  const backoffTime = (q: QueuedPodInfo) => q.timestamp + backoffDuration(q)
  const isBackingOff = (q: QueuedPodInfo) => backoffTime(q) > now()

  // PrioritySort: higher priority first, then the pod that has waited longest.
  const activeQ = newHeap<QueuedPodInfo>(qkey, (a, b) =>
    a.podInfo.priority > b.podInfo.priority || (a.podInfo.priority === b.podInfo.priority && a.timestamp < b.timestamp))
  const backoffQ = newHeap<QueuedPodInfo>(qkey, (a, b) => backoffTime(a) < backoffTime(b))
  const unschedulablePods = new Map<string, QueuedPodInfo>()
  const inFlight = new Map<string, QueuedPodInfo>()
  let schedulingCycle = 0
  let moveRequestCycle = -1
  let waiters: (() => void)[] = []

  // The nominator: pods that preemption promised a node, as the filters must count them.
  const nominatedByNode = new Map<string, PodInfo[]>()
  const nominatedNodeOf = new Map<string, string>()

  const wake = () => {
    const ws = waiters
    waiters = []
    for (const w of ws) w()
  }
  const toActive = (q: QueuedPodInfo) => {
    activeQ.addOrUpdate(q)
    wake()
  }
  const fresh = (pod: Cached<Pod>): QueuedPodInfo =>
    ({ podInfo: newPodInfo(pod), timestamp: now(), initialAttemptTimestamp: undefined, attempts: 0, unschedulablePlugins: new Set() })

  function deleteNominated(uid: string) {
    const node = nominatedNodeOf.get(uid)
    if (node === undefined) return
    nominatedNodeOf.delete(uid)
    const list = nominatedByNode.get(node)?.filter((p) => p.uid !== uid) ?? []
    if (list.length) nominatedByNode.set(node, list)
    else nominatedByNode.delete(node)
  }
  function addNominated(pi: PodInfo, override?: string) {
    deleteNominated(pi.uid)
    const node = override ?? pi.pod.status?.nominatedNodeName
    if (!node || pi.pod.spec?.nodeName) return
    nominatedNodeOf.set(pi.uid, node)
    nominatedByNode.set(node, [...(nominatedByNode.get(node) ?? []), pi])
  }

  const matches = (q: QueuedPodInfo, change: ClusterChange) => {
    if (change.resource === 'UnschedulableTimeout' || q.unschedulablePlugins.size === 0) return true
    for (const plugin of q.unschedulablePlugins) {
      for (const ev of pluginEvents.get(plugin) ?? []) {
        if (ev.resource === change.resource && ev.actions.includes(change.action)) return true
      }
    }
    return false
  }
  const moveFromUnschedulable = (q: QueuedPodInfo) => {
    unschedulablePods.delete(qkey(q))
    if (isBackingOff(q)) backoffQ.addOrUpdate(q)
    else toActive(q)
  }

  const queue = {
    /** A new pending pod. */
    add(pod: Cached<Pod>) {
      const key = keyOfPod(pod)
      if (activeQ.has(key) || backoffQ.has(key) || unschedulablePods.has(key) || inFlight.has(key)) return queue.update(pod, pod)
      const q = fresh(pod)
      addNominated(q.podInfo)
      toActive(q)
    },
    update(old: Cached<Pod>, pod: Cached<Pod>) {
      const key = keyOfPod(pod)
      const refresh = (q: QueuedPodInfo) => {
        q.podInfo = newPodInfo(pod)
        if (pod.status?.nominatedNodeName || old.status?.nominatedNodeName) addNominated(q.podInfo)
        else if (nominatedNodeOf.has(q.podInfo.uid)) addNominated(q.podInfo, nominatedNodeOf.get(q.podInfo.uid))
        return q
      }
      const a = activeQ.get(key)
      if (a) return activeQ.addOrUpdate(refresh(a))
      const b = backoffQ.get(key)
      if (b) return backoffQ.addOrUpdate(refresh(b))
      const u = unschedulablePods.get(key)
      if (u) {
        const changed = specChanged(u.podInfo.pod, pod)
        refresh(u)
        if (changed) moveFromUnschedulable(u)
        return
      }
      const f = inFlight.get(key)
      if (f) return void refresh(f)
      toActive(fresh(pod)) // not queued anywhere: treat as new
    },
    delete(pod: Cached<Pod>) {
      const key = keyOfPod(pod)
      activeQ.delete(key)
      backoffQ.delete(key)
      unschedulablePods.delete(key)
      inFlight.delete(key)
      deleteNominated(pod.metadata?.uid ?? '')
    },
    /** The next pod to schedule, or undefined when activeQ is empty. */
    tryPop(): { queued: QueuedPodInfo; cycle: number } | undefined {
      const q = activeQ.pop()
      if (!q) return undefined
      q.attempts++
      q.initialAttemptTimestamp ??= now()
      schedulingCycle++
      inFlight.set(qkey(q), q)
      return { queued: q, cycle: schedulingCycle }
    },
    /** Resolves when activeQ has a pod (or `signal` aborts). */
    waitForPod(signal: AbortSignal): Promise<void> {
      if (activeQ.size || signal.aborted) return Promise.resolve()
      return new Promise((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done)
          resolve()
        }
        waiters.push(done)
        signal.addEventListener('abort', done, { once: true })
      })
    },
    /** The attempt for this pod ended (bound, or handed back below). */
    done(key: string) {
      inFlight.delete(key)
    },
    /**
     * Hands back a pod whose attempt failed. Rejected pods park as unschedulable unless a
     * cluster event arrived while they were being scheduled; errors go to backoff.
     */
    addUnschedulableIfNotPresent(q: QueuedPodInfo, podSchedulingCycle: number, isError = false) {
      const key = qkey(q)
      inFlight.delete(key)
      if (activeQ.has(key) || backoffQ.has(key) || unschedulablePods.has(key)) return
      q.timestamp = now()
      addNominated(q.podInfo, nominatedNodeOf.get(q.podInfo.uid))
      if (isError || moveRequestCycle >= podSchedulingCycle) backoffQ.addOrUpdate(q)
      else unschedulablePods.set(key, q)
    },
    /** A cluster event: retry the parked pods whose rejecting plugins care about it. */
    moveAllToActiveOrBackoffQueue(change: ClusterChange) {
      for (const q of [...unschedulablePods.values()]) if (matches(q, change)) moveFromUnschedulable(q)
      moveRequestCycle = schedulingCycle
    },
    /** Moves pods whose backoff has expired to activeQ (upstream runs this every second). */
    flushBackoffQCompleted() {
      for (let q = backoffQ.peek(); q && !isBackingOff(q); q = backoffQ.peek()) {
        backoffQ.pop()
        toActive(q)
      }
    },
    /** Retries pods parked longer than 5 minutes (upstream checks every 30 seconds). */
    flushUnschedulablePodsLeftover() {
      const cutoff = now() - maxInUnschedulableMs
      for (const q of [...unschedulablePods.values()]) if (q.timestamp <= cutoff) moveFromUnschedulable(q)
    },
    /** Records (or with `undefined` clears) the node preemption nominated for the pod. */
    nominate(pi: PodInfo, nodeName: string | undefined) {
      if (nodeName) addNominated(pi, nodeName)
      else deleteNominated(pi.uid)
    },
    nominatedPodsForNode: (nodeName: string): readonly PodInfo[] => nominatedByNode.get(nodeName) ?? [],
    nominatedNodeOf: (uid: string) => nominatedNodeOf.get(uid),
    /** Sizes of the three queues and the pods being scheduled. */
    pending: () => ({ active: activeQ.size, backoff: backoffQ.size, unschedulable: unschedulablePods.size, inFlight: inFlight.size }),
    where(key: string): 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined {
      if (activeQ.has(key)) return 'active'
      if (backoffQ.has(key)) return 'backoff'
      if (unschedulablePods.has(key)) return 'unschedulable'
      return inFlight.has(key) ? 'inFlight' : undefined
    },
    /** Order in which activeQ would hand out its pods (for tests and debugging). */
    activeKeys: () => [...activeQ.list()].sort((a, b) =>
      b.podInfo.priority - a.podInfo.priority || a.timestamp - b.timestamp).map(qkey),
    backoffDurationMs: backoffDuration,
  }
  return queue
}

/**
 * @module
 * Taint-based eviction: pods on a node with NoExecute taints they do not tolerate are
 * deleted at once; pods that tolerate them for `tolerationSeconds` are deleted when that
 * time is up, counted from when the controller first saw them under the taint.
 */
// Upstream: pkg/controller/tainteviction/taint_eviction.go (processPodOnNode,
// addConditionAndDeletePod, emitPodDeletionEvent, emitCancelPodDeletionEvent).
// Difference: the timers are the controller's own requeue, not a timed worker queue.
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import { copy, isConflict, isNotFound, type Cached, type Editable, type KubeObject } from '../../api/index.js'
import type { Client, EventRecorder } from '../../client/index.js'
import { rfc3339 } from '../util/index.js'
import { matchingTolerations, minTolerationMs } from './taints.js'

type P = Cached<Pod & KubeObject>
const POD = { apiVersion: 'v1', kind: 'Pod' }
const podRef = (p: P): Cached<KubeObject> => ({ apiVersion: 'v1', kind: 'Pod', metadata: p.metadata })
const nsName = (p: P) => `${p.metadata?.namespace}/${p.metadata?.name}`

export type TaintEvictorOptions = {
  client: Client
  recorder: EventRecorder
  now: () => number
  /** Caps the wait granted by tolerations of the not-ready and unreachable taints. */
  podEvictionTimeoutMs?: number
}

/** Upstream marks the pod before deleting it, so its owner can tell a disruption from a failure. */
async function addConditionAndDeletePod(client: Client, pod: P, nowMs: number, signal?: AbortSignal): Promise<void> {
  const condition: PodCondition = {
    type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager',
    message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: rfc3339(nowMs),
  }
  let cur = copy(pod) as Editable<Pod & KubeObject>
  for (let attempt = 1; attempt <= 3; attempt++) {
    const conditions = (cur.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget')
    const had = cur.status?.conditions?.find((c) => c.type === 'DisruptionTarget')
    if (had?.status === 'True') break
    cur.status = { ...cur.status, conditions: [...conditions, condition] }
    try {
      await client.updateStatus(cur as Pod & KubeObject, { signal })
      break
    } catch (err) {
      if (isNotFound(err)) return
      if (!isConflict(err) || attempt === 3) throw err
      cur = await client.get<Editable<Pod & KubeObject>>(POD, pod.metadata?.name ?? '', pod.metadata?.namespace, { signal })
    }
  }
  try {
    await client.delete(POD, pod.metadata?.name ?? '', pod.metadata?.namespace, { signal })
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}

/** One evictor for all nodes; it remembers, per node, when each tolerating pod was first seen. */
export function taintEvictor({ client, recorder, now, podEvictionTimeoutMs }: TaintEvictorOptions) {
  const scheduled = new Map<string, Map<string, number>>()

  const cancel = (timers: Map<string, number>, pod: P) => {
    if (!timers.delete(pod.metadata?.uid ?? '')) return
    recorder.event(podRef(pod), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${nsName(pod)}`)
  }
  const evict = async (timers: Map<string, number>, pod: P, signal?: AbortSignal) => {
    timers.delete(pod.metadata?.uid ?? '')
    recorder.event(podRef(pod), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${nsName(pod)}`)
    await addConditionAndDeletePod(client, pod, now(), signal)
  }

  return {
    /** Evicts what is due on `node`; resolves with the ms until the next pod is due, if any. */
    async process(node: Cached<Node>, pods: readonly P[], signal?: AbortSignal): Promise<number | undefined> {
      const name = node.metadata?.name ?? ''
      const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute')
      let timers = scheduled.get(name)
      if (!timers) scheduled.set(name, (timers = new Map()))
      const nowMs = now()
      let nextMs: number | undefined
      const present = new Set<string>()
      for (const pod of pods) {
        const uid = pod.metadata?.uid ?? ''
        present.add(uid)
        if (pod.metadata?.deletionTimestamp) {
          timers.delete(uid) // already on its way out
          continue
        }
        if (!taints.length) {
          cancel(timers, pod)
          continue
        }
        const used = matchingTolerations(taints, pod.spec?.tolerations ?? [])
        if (!used) {
          await evict(timers, pod, signal)
          continue
        }
        const waitMs = minTolerationMs(used, podEvictionTimeoutMs)
        if (waitMs < 0) {
          cancel(timers, pod) // tolerates forever
          continue
        }
        const since = timers.get(uid) ?? nowMs
        timers.set(uid, since)
        const dueMs = since + waitMs
        if (dueMs <= nowMs) await evict(timers, pod, signal)
        else nextMs = Math.min(nextMs ?? Infinity, dueMs - nowMs)
      }
      for (const uid of timers.keys()) if (!present.has(uid)) timers.delete(uid)
      if (!timers.size) scheduled.delete(name)
      return nextMs
    },
    /** Drops what was remembered for a deleted node. */
    forget: (nodeName: string) => void scheduled.delete(nodeName),
  }
}

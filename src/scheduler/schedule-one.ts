/**
 * @module
 * One pod's trip through the scheduler: the synchronous scheduling cycle (schedule, or
 * preempt and report why not; then reserve and assume), and the asynchronous binding
 * cycle (PreBind, the pods/binding call) that runs while the next pod is scheduled
 * against the assumed state.
 */
// Upstream: pkg/scheduler/schedule_one.go (ScheduleOne, schedulingCycle, bindingCycle,
// handleBindingCycleError, handleSchedulingFailure, updatePod, truncateMessage) and
// preemption.go (prepareCandidate).
import type { Pod } from 'kubernetes-types/core/v1.js'
import { isConflict, isNotFound, type Cached } from '../api/index.js'
import type { ControllerContext, EventRecorder, Informer } from '../client/types.js'
import type { SchedulerCache } from './cache/cache.js'
import { fitErrorMessage } from './framework/fit-error.js'
import { newPodInfo, type PodInfo } from './framework/pod-info.js'
import type { Framework } from './framework/runtime.js'
import { newCycleState, statusMessage, type CycleState } from './framework/types.js'
import type { Candidate } from './preemption/candidates.js'
import { preempt, type PreemptionContext } from './preemption/default-preemption.js'
import type { QueuedPodInfo, SchedulingQueue } from './queue/scheduling-queue.js'
import { schedulePod, type SchedulingContext } from './schedule-pod.js'
import { podStatusPatch } from './status.js'

const POD = { apiVersion: 'v1', kind: 'Pod' }
const NOTE_LENGTH_LIMIT = 1024

export type SchedulerParts = {
  ctx: ControllerContext
  schedulerName: string
  fwk: Framework
  cache: SchedulerCache
  queue: SchedulingQueue
  sc: SchedulingContext
  pc: PreemptionContext
  pods: Informer<Pod>
  recorder: EventRecorder
  /** Registers async work (bindings, status writes) so the caller can bound and await it. */
  track(work: Promise<unknown>): void
  signal: AbortSignal
}

const asPod = (pod: Cached<Pod>) => ({ ...pod, apiVersion: 'v1', kind: 'Pod' }) as Cached<Pod>
const truncate = (m: string) => (m.length <= NOTE_LENGTH_LIMIT ? m : `${m.slice(0, NOTE_LENGTH_LIMIT - 4)} ...`)
const errMessage = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * Takes the next pod from activeQ and runs its scheduling cycle; false when activeQ is
 * empty. Binding continues in the background through `parts.track`.
 */
export function scheduleOne(parts: SchedulerParts): boolean {
  const popped = parts.queue.tryPop()
  if (!popped) return false
  const { queued, cycle } = popped
  const pod = queued.podInfo.pod
  const current = parts.pods.get(queued.podInfo.key)
  // Deleted, terminating, or already assumed: nothing to do for this pod.
  if (!current || current.metadata?.uid !== queued.podInfo.uid || current.metadata?.deletionTimestamp ||
    current.spec?.nodeName || parts.cache.isAssumed(queued.podInfo.uid)) {
    parts.queue.done(queued.podInfo.key)
    return true
  }
  const state = newCycleState(queued.podInfo)
  let result
  try {
    result = schedulePod(parts.sc, state, pod)
  } catch (err) {
    handleFailure(parts, queued, cycle, { reason: 'SchedulerError', message: errMessage(err), plugins: new Set() })
    return true
  }
  if ('fitError' in result) {
    const { diagnosis } = result.fitError
    const pr = preempt(parts.pc, state, pod, diagnosis.nodeToStatus)
    const msg = statusMessage(pr.status)
    diagnosis.postFilterMsg = msg ? `preemption: ${msg}` : ''
    if (pr.candidate) prepareCandidate(parts, pod, pr.candidate)
    handleFailure(parts, queued, cycle, { reason: 'Unschedulable', message: fitErrorMessage(result.fitError),
      plugins: diagnosis.unschedulablePlugins, nominatedNodeName: pr.nominatedNodeName })
    return true
  }
  assumeAndBind(parts, queued, cycle, state, result.suggestedHost)
  return true
}

function assumeAndBind(parts: SchedulerParts, queued: QueuedPodInfo, cycle: number, state: CycleState, host: string) {
  const pod = queued.podInfo.pod
  const assumed: PodInfo = { ...queued.podInfo, pod: { ...pod, spec: { ...pod.spec!, nodeName: host } } as Cached<Pod> }
  parts.cache.assumePod(assumed, host)
  const reserved = parts.fwk.runReservePlugins(state, pod, host)
  if (reserved.code !== 'Success') {
    parts.cache.forgetPod(assumed.uid)
    const rejected = reserved.code === 'Unschedulable' || reserved.code === 'UnschedulableAndUnresolvable'
    handleFailure(parts, queued, cycle, rejected
      ? { reason: 'Unschedulable', message: `0/1 nodes are available: ${statusMessage(reserved)}.`, plugins: new Set([reserved.plugin ?? '']) }
      : { reason: 'SchedulerError', message: statusMessage(reserved), plugins: new Set() })
    return
  }
  // The assumed pod now holds the room in the cache; its nomination is no longer needed.
  parts.queue.nominate(queued.podInfo, undefined)
  parts.track(bindingCycle(parts, queued, cycle, state, assumed, host))
}

async function bindingCycle(parts: SchedulerParts, queued: QueuedPodInfo, cycle: number, state: CycleState,
  assumed: PodInfo, host: string) {
  const pod = queued.podInfo.pod
  const { namespace = '', name = '' } = pod.metadata ?? {}
  try {
    const pre = await parts.fwk.runPreBindPlugins(state, pod, host, parts.signal)
    if (pre.code !== 'Success') throw new Error(statusMessage(pre))
    await parts.ctx.client.createSubresource(POD, name, namespace, 'binding', {
      apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace },
      target: { apiVersion: 'v1', kind: 'Node', name: host },
    } as never, { signal: parts.signal })
    parts.queue.done(queued.podInfo.key)
    parts.recorder.event(asPod(assumed.pod), 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${host}`)
  } catch (err) {
    parts.fwk.runUnreservePlugins(state, pod, host)
    parts.cache.forgetPod(assumed.uid)
    // Deleted meanwhile, or bound by someone else: the informer tells the rest.
    if (isNotFound(err) || isConflict(err) || parts.signal.aborted) return parts.queue.done(queued.podInfo.key)
    // The room the pod held is free again: pods that wanted it may retry.
    parts.queue.moveAllToActiveOrBackoffQueue({ resource: 'Pod', action: 'Delete' })
    handleFailure(parts, queued, cycle, { reason: 'SchedulerError', message: `binding rejected: ${errMessage(err)}`, plugins: new Set() })
  }
}

type Failure = {
  reason: 'Unschedulable' | 'SchedulerError'
  message: string
  plugins: ReadonlySet<string>
  /** '' clears a stale nomination; undefined leaves it as it is. */
  nominatedNodeName?: string
}

function handleFailure(parts: SchedulerParts, queued: QueuedPodInfo, cycle: number, f: Failure) {
  const current = parts.pods.get(queued.podInfo.key)
  // Gone, replaced, or bound meanwhile: do not requeue a pod that no longer needs us.
  if (!current || current.metadata?.uid !== queued.podInfo.uid || current.spec?.nodeName) {
    parts.queue.done(queued.podInfo.key)
    return
  }
  if (current !== queued.podInfo.pod) queued.podInfo = newPodInfo(current)
  queued.unschedulablePlugins = new Set(f.plugins)
  if (f.nominatedNodeName !== undefined) parts.queue.nominate(queued.podInfo, f.nominatedNodeName || undefined)
  parts.queue.addUnschedulableIfNotPresent(queued, cycle, f.reason === 'SchedulerError')
  parts.recorder.event(asPod(current), 'Warning', 'FailedScheduling', truncate(f.message))
  const patch = podStatusPatch(current, { type: 'PodScheduled', status: 'False', reason: f.reason, message: f.message },
    f.nominatedNodeName, parts.ctx.now())
  if (!patch) return
  parts.track(parts.ctx.client.patch(POD, current.metadata?.name ?? '', current.metadata?.namespace, patch,
    { type: 'strategic', subresource: 'status', signal: parts.signal }).catch((err) => {
    if (!isNotFound(err) && !parts.signal.aborted) console.error(`scheduler: updating status of ${queued.podInfo.key}:`, errMessage(err))
  }))
}

/** Evicts the victims and withdraws lower-priority nominations on the chosen node. */
function prepareCandidate(parts: SchedulerParts, pod: Cached<Pod>, c: Candidate) {
  const uid = pod.metadata?.uid ?? ''
  const priority = pod.spec?.priority ?? 0
  const work = async () => {
    await Promise.all(c.victims.map(async (v) => {
      const { name = '', namespace } = v.pod.metadata ?? {}
      try {
        const patch = podStatusPatch(v.pod, { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler',
          message: `${parts.schedulerName}: preempting to accommodate a higher priority pod` }, undefined, parts.ctx.now())
        if (patch) await parts.ctx.client.patch(POD, name, namespace, patch, { type: 'strategic', subresource: 'status', signal: parts.signal })
        await parts.ctx.client.delete(POD, name, namespace, { signal: parts.signal })
        parts.recorder.event(asPod(v.pod), 'Normal', 'Preempted', `Preempted by pod ${uid} on node ${c.nodeName}`)
      } catch (err) {
        if (!isNotFound(err) && !parts.signal.aborted) console.error(`scheduler: preempting ${namespace}/${name}:`, errMessage(err))
      }
    }))
    for (const p of parts.queue.nominatedPodsForNode(c.nodeName)) {
      if (p.priority >= priority || p.uid === uid) continue
      parts.queue.nominate(p, undefined)
      const { name = '', namespace } = p.pod.metadata ?? {}
      await parts.ctx.client.patch(POD, name, namespace, { status: { nominatedNodeName: null } },
        { type: 'strategic', subresource: 'status', signal: parts.signal }).catch(() => undefined)
    }
  }
  parts.track(work())
}

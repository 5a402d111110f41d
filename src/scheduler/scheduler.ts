/**
 * @module
 * The scheduler: wires informers to the cache and queue, then schedules pods one after
 * another. Each scheduling cycle is synchronous against the cache; bindings run in the
 * background, at most `maxBindingsInFlight` at a time.
 */
// Upstream: pkg/scheduler/scheduler.go (New, Run), schedule_one.go (ScheduleOne loop),
// backend/queue (the 1 s backoff and 30 s leftover flush loops).
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js'
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js'
import type { ControllerContext } from '../client/types.js'
import { schedulerCache } from './cache/cache.js'
import { DEFAULT_SCORE_WEIGHTS, defaultPlugins } from './default-plugins.js'
import { addAllEventHandlers, namespaceLabels } from './event-handlers.js'
import { newFramework } from './framework/runtime.js'
import type { AnyPlugin, Handle } from './framework/types.js'
import { schedulingQueue } from './queue/scheduling-queue.js'
import { scheduleOne, type SchedulerParts } from './schedule-one.js'
import type { SchedulingContext } from './schedule-pod.js'

export type SchedulerOptions = {
  signal: AbortSignal
  /** Pods whose spec.schedulerName equals this are ours. */
  schedulerName?: string
  /** Accepted for upstream parity; filters and scores run on one thread here. */
  parallelism?: number
  /** 0: adaptive, as upstream. */
  percentageOfNodesToScore?: number
  maxBindingsInFlight?: number
  /** Tie-breaking and preemption offsets; tests pass a seeded one. */
  random?: () => number
  /** Replaces the default profile's plugins (tests). */
  plugins?: (handle: Handle) => AnyPlugin[]
  bindTimeoutMs?: number
}

export type Scheduler = ReturnType<typeof newScheduler>

/** Builds a scheduler over `ctx`; nothing runs until `run` (or `scheduleOne` in tests). */
export function newScheduler(ctx: ControllerContext, opts: SchedulerOptions) {
  const schedulerName = opts.schedulerName ?? 'default-scheduler'
  const { informers } = ctx
  const pods = informers.of<Pod>('v1', 'Pod')
  const pdbs = informers.of<PodDisruptionBudget>('policy/v1', 'PodDisruptionBudget')
  const cache = schedulerCache()
  const handle: Handle = {
    nodes: cache.nodes,
    node: cache.node,
    nodesWithAffinityPods: cache.nodesWithAffinityPods,
    nodesWithRequiredAntiAffinityPods: cache.nodesWithRequiredAntiAffinityPods,
    onPodChange: cache.onPodChange, labelsGeneration: cache.labelsGeneration,
    namespaceLabels: namespaceLabels(informers.of<Namespace>('v1', 'Namespace')),
  }
  const plugins = opts.plugins?.(handle) ??
    defaultPlugins({ informers, client: ctx.client, handle, bindTimeoutMs: opts.bindTimeoutMs })
  const fwk = newFramework(plugins, DEFAULT_SCORE_WEIGHTS)
  const queue = schedulingQueue({ now: ctx.now, pluginEvents: fwk.pluginEvents })
  const random = opts.random ?? Math.random
  const sc: SchedulingContext = {
    fwk, handle, nominatedPodsForNode: queue.nominatedPodsForNode,
    percentageOfNodesToScore: opts.percentageOfNodesToScore ?? 0, nextStartNodeIndex: 0, random,
  }
  const inFlight = new Set<Promise<unknown>>()
  let onSettled: (() => void) | undefined
  const parts: SchedulerParts = {
    ctx, schedulerName, fwk, cache, queue, sc, pods,
    pc: { fwk, handle, nominatedPodsForNode: queue.nominatedPodsForNode, pdbs: () => pdbs.list(), random },
    recorder: ctx.recorder(schedulerName),
    signal: opts.signal,
    track(work) {
      const p = work.catch((err) => console.error('scheduler:', err)).finally(() => {
        inFlight.delete(p)
        onSettled?.()
      })
      inFlight.add(p)
    },
  }
  const maxInFlight = opts.maxBindingsInFlight ?? 64
  const unsubscribe = addAllEventHandlers({ informers, cache, queue, schedulerName })

  const scheduler = {
    cache, queue, fwk,
    /** One scheduling cycle; false when no pod was waiting. */
    scheduleOne: () => scheduleOne(parts),
    /** Resolves when every binding and status write started so far has finished. */
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight])
    },
    /** Schedules until `opts.signal` aborts. */
    async run() {
      const { signal } = opts
      await informers.waitForSync(signal)
      const backoff = setInterval(() => queue.flushBackoffQCompleted(), 1000)
      const leftover = setInterval(() => queue.flushUnschedulablePodsLeftover(), 30_000)
      let n = 0
      try {
        while (!signal.aborted) {
          if (inFlight.size >= maxInFlight) {
            await new Promise<void>((resolve) => (onSettled = resolve))
            onSettled = undefined
            continue
          }
          if (!scheduleOne(parts)) {
            await queue.waitForPod(signal)
            continue
          }
          // Let watch events and binding replies in between cycles, or the cache goes stale.
          if (++n % 16 === 0) await new Promise((resolve) => setImmediate(resolve))
        }
      } finally {
        clearInterval(backoff)
        clearInterval(leftover)
        unsubscribe()
        await scheduler.idle()
      }
    },
  }
  return scheduler
}

/** Starts the default scheduler over `ctx`; `done` settles after `signal` aborts and work drains. */
export function startScheduler(ctx: ControllerContext, opts: SchedulerOptions): { done: Promise<void> } {
  const scheduler = newScheduler(ctx, opts)
  const done = scheduler.run().catch((err) => {
    if (!opts.signal.aborted) console.error('scheduler stopped:', err)
  })
  return { done }
}

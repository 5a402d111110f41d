/**
 * @module
 * The TTL-after-finished controller: deletes a finished Job (and, through the garbage
 * collector, its pods) `ttlSecondsAfterFinished` after its Complete or Failed condition.
 */
// Upstream: pkg/controller/ttlafterfinished/ttlafterfinished_controller.go (processJob,
// processTTL, timeLeft, jobFinishTime). Deletion is Foreground with a UID precondition, as upstream.
import type { Job } from 'kubernetes-types/batch/v1.js'
import { isNotFound, keyOf, type Cached } from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/types.js'
import { finishedCondition } from './conditions.js'

const JOB = { apiVersion: 'batch/v1', kind: 'Job' }

/** Milliseconds until the Job's TTL expires (≤ 0: expired), or undefined when it needs no clean-up. */
export function ttlLeftMs(job: Cached<Job>, nowMs: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished
  if (job.metadata?.deletionTimestamp || ttl === undefined || ttl === null) return undefined
  const cond = finishedCondition(job)
  if (!cond) return undefined
  const finishedAt = Date.parse(cond.lastTransitionTime ?? '')
  // Upstream fails the sync (and retries) when the finish time is missing.
  if (Number.isNaN(finishedAt)) throw new Error(`unable to find the time when the Job ${job.metadata?.namespace}/${job.metadata?.name} finished`)
  return finishedAt + ttl * 1000 - nowMs
}

/** The "ttl-after-finished" controller. */
export function ttlAfterFinishedController(ctx: ControllerContext): Controller {
  const jobs = ctx.informers.of<Job>('batch/v1', 'Job')
  return {
    name: 'ttl-after-finished',
    triggers: [jobs.on((ev) => (ev.type === 'delete' ? [] : [keyOf(ev.obj)]))],
    async sync(key, signal) {
      const job = jobs.get(key)
      if (!job) return
      const left = ttlLeftMs(job, ctx.now())
      if (left === undefined) return
      if (left > 0) return { requeueAfterMs: left }
      // The cache may be stale (the TTL just changed): decide on the server's copy.
      let fresh: Job
      try {
        fresh = await ctx.client.get<Job>(JOB, job.metadata!.name!, job.metadata!.namespace, { signal })
      } catch (err) {
        if (isNotFound(err)) return
        throw err
      }
      const freshLeft = ttlLeftMs(fresh, ctx.now())
      if (freshLeft === undefined) return
      if (freshLeft > 0) return { requeueAfterMs: freshLeft }
      try {
        await ctx.client.delete(JOB, fresh.metadata!.name!, fresh.metadata!.namespace, {
          propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata!.uid! }, signal,
        })
      } catch (err) {
        if (!isNotFound(err)) throw err
      }
    },
  }
}

/**
 * @module
 * The delay before a Job replaces failed pods: 10 s after the first failure since the last
 * success, doubling with each further failure up to a cap. Records live in memory, so a
 * controller restart forgets them, as upstream's do.
 */
// Upstream: pkg/controller/job/backoff_utils.go (backoffStore, newBackoffRecord, getFinishedTime,
// getRemainingTimeForFailuresCount) and job_controller.go (DefaultJobPodFailureBackOff,
// MaxJobPodFailureBackOff).
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { podCondition } from '../util/index.js'

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000

export type BackoffRecord = { key: string; failuresAfterLastSuccess: number; lastFailureMs?: number }

const time = (s: string | undefined | null) => (s ? Date.parse(s) : NaN)

/**
 * When a finished pod finished: the last container to terminate, else the Ready=False
 * transition, else its deletion time less the grace period, else its creation.
 */
export function finishedTimeMs(p: Cached<Pod>): number {
  let latest: number | undefined
  const statuses = p.status?.containerStatuses ?? []
  let allTerminated = statuses.length > 0
  for (const c of statuses) {
    const t = time(c.state?.terminated?.finishedAt)
    if (!c.state?.terminated || Number.isNaN(t)) {
      allTerminated = false
      break
    }
    latest = latest === undefined ? t : Math.max(latest, t)
  }
  if (allTerminated && latest !== undefined) return latest
  const ready = podCondition(p, 'Ready')
  if (ready?.status === 'False' && !Number.isNaN(time(ready.lastTransitionTime))) return time(ready.lastTransitionTime)
  if (p.metadata?.deletionTimestamp) {
    return time(p.metadata.deletionTimestamp) - (p.metadata.deletionGracePeriodSeconds ?? 0) * 1000
  }
  return time(p.metadata?.creationTimestamp) || 0
}

/** Per-Job records of failures since the last success. */
export function newBackoffStore() {
  const records = new Map<string, BackoffRecord>()
  return {
    /** The record after counting pods that finished since the last sync. */
    next(key: string, newSucceeded: readonly Cached<Pod>[], newFailed: readonly Cached<Pod>[]): BackoffRecord {
      const rec: BackoffRecord = { ...(records.get(key) ?? { key, failuresAfterLastSuccess: 0 }) }
      const failedTimes = newFailed.map(finishedTimeMs).sort((a, b) => a - b)
      if (newSucceeded.length === 0) {
        if (failedTimes.length === 0) return rec
        rec.failuresAfterLastSuccess += failedTimes.length
        rec.lastFailureMs = failedTimes.at(-1)
        return rec
      }
      // A success resets the count; only failures after the latest success still weigh.
      rec.failuresAfterLastSuccess = 0
      rec.lastFailureMs = undefined
      const lastSuccess = Math.max(...newSucceeded.map(finishedTimeMs))
      for (let i = failedTimes.length - 1; i >= 0 && failedTimes[i]! > lastSuccess; i--) {
        rec.lastFailureMs ??= failedTimes[i]
        rec.failuresAfterLastSuccess++
      }
      return rec
    },
    update: (rec: BackoffRecord) => void records.set(rec.key, rec),
    remove: (key: string) => void records.delete(key),
  }
}
export type BackoffStore = ReturnType<typeof newBackoffStore>

/** How long pod creation must still wait at `nowMs`; 0 when it may go ahead. */
export function remainingBackoffMs(rec: BackoffRecord, nowMs: number, baseMs: number, maxMs: number): number {
  if (rec.failuresAfterLastSuccess === 0 || rec.lastFailureMs === undefined) return 0
  let delay = baseMs
  for (let i = 1; i < rec.failuresAfterLastSuccess; i++) {
    delay *= 2
    if (delay >= maxMs) {
      delay = maxMs
      break
    }
  }
  const elapsed = nowMs - rec.lastFailureMs
  return delay < elapsed ? 0 : delay - elapsed
}

/**
 * @module
 * The CronJob controller: at each scheduled time it creates a Job from the template (unless
 * suspended, too late for the starting deadline, or forbidden by the concurrency policy),
 * tracks its active Jobs, prunes finished ones to the history limits, and asks to be woken
 * again at the next scheduled time.
 */
// Upstream: pkg/controller/cronjob/cronjob_controllerv2.go (sync, syncCronJob, formatSchedule,
// event handlers) and utils.go (nextScheduleTime). Deliberate difference: a schedule change is
// synced at once rather than at the next start time.
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js'
import { copy, isAlreadyExists, isNotFound, keyOf, type Cached } from '../../api/index.js'
import type { Controller, ControllerContext, InformerEvent } from '../../client/types.js'
import { rfc3339 } from '../util/index.js'
import { finishedCondition, isJobFinished, isJobSucceeded } from '../job/index.js'
import {
  cleanupFinishedJobs, deleteFromActiveList, deleteJob, inActiveList, inActiveListByName, JOB, jobFromTemplate, jobName, jobRef,
  recordEvent, type JobWriter,
} from './jobs.js'
import { isKnownTimeZone, mostRecentScheduleTime, nextScheduleDelayMs, parseSchedule, type Schedule } from './schedule.js'

const CRONJOB = { apiVersion: 'batch/v1', kind: 'CronJob' }

type Outcome = { requeueAfterMs?: number; updateStatus: boolean; error?: unknown }

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Go's RFC1123Z in UTC: "Thu, 01 Jan 2026 00:05:00 +0000". */
const rfc1123z = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000')

/** The CronJob controller (kube-controller-manager's "cronjob" loop, v2). */
export function cronJobController(ctx: ControllerContext): Controller {
  const cronJobs = ctx.informers.of<CronJob>('batch/v1', 'CronJob')
  const jobs = ctx.informers.of<Job>('batch/v1', 'Job')
  const w: JobWriter = { client: ctx.client, recorder: ctx.recorder('cronjob-controller') }

  const ownerKey = (job: Cached<Job>): string[] => {
    const ref = job.metadata?.ownerReferences?.find((r) => r.controller === true)
    if (!ref || ref.kind !== 'CronJob') return []
    const cj = cronJobs.get(`${job.metadata?.namespace}/${ref.name}`)
    return cj?.metadata?.uid === ref.uid ? [keyOf(cj)] : []
  }
  const onJob = (ev: InformerEvent<Job>) => [...(ev.type === 'update' ? ownerKey(ev.old) : []), ...ownerKey(ev.obj)]

  /** The parsed schedule, with `timeZone` applied unless the schedule names its own zone. */
  function schedule(cj: CronJob): Schedule {
    const spec = cj.spec!.schedule
    if (spec.includes('TZ')) {
      recordEvent(w, cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(spec)} is not officially supported, ` +
        'see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details')
      return parseSchedule(spec)
    }
    const tz = cj.spec!.timeZone
    return tz !== undefined && tz !== null && isKnownTimeZone(tz) ? parseSchedule(spec, tz) : parseSchedule(spec)
  }

  async function syncCronJob(cj: CronJob, children: readonly Cached<Job>[], signal: AbortSignal): Promise<Outcome> {
    const now = ctx.now()
    let updateStatus = false
    const childUids = new Set<string>()
    for (const j of children) {
      childUids.add(j.metadata!.uid!)
      const found = inActiveList(cj, j.metadata?.uid)
      if (!found && !isJobFinished(j)) {
        // Our status may simply lag our own write: ask the server before complaining.
        const fresh = await ctx.client.get<CronJob>(CRONJOB, cj.metadata!.name!, cj.metadata!.namespace, { signal })
        if (inActiveList(fresh, j.metadata?.uid)) continue
        recordEvent(w, cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata!.name}`)
      } else if (found && isJobFinished(j)) {
        deleteFromActiveList(cj, j.metadata?.uid)
        recordEvent(w, cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata!.name}, status: ${finishedCondition(j)!.type}`)
        updateStatus = true
      }
      const completed = j.status?.completionTime
      if (isJobSucceeded(j) && completed) {
        const last = cj.status?.lastSuccessfulTime
        if (!last || Date.parse(completed) > Date.parse(last)) {
          cj.status = { ...cj.status, lastSuccessfulTime: completed }
          updateStatus = true
        }
      }
    }
    // An active Job that no longer exists would hold a Forbid CronJob back forever.
    for (const ref of [...(cj.status?.active ?? [])]) {
      if (childUids.has(ref.uid ?? '')) continue
      try {
        await ctx.client.get(JOB, ref.name!, ref.namespace, { signal })
      } catch (err) {
        if (!isNotFound(err)) return { updateStatus, error: err }
        recordEvent(w, cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`)
        deleteFromActiveList(cj, ref.uid)
        updateStatus = true
      }
    }
    if (cj.metadata?.deletionTimestamp) return { updateStatus }
    const tz = cj.spec?.timeZone
    if (tz !== undefined && tz !== null && !isKnownTimeZone(tz)) {
      recordEvent(w, cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`)
      return { updateStatus }
    }
    if (cj.spec?.suspend) return { updateStatus }
    let sched: Schedule
    try {
      sched = schedule(cj)
    } catch (err) {
      recordEvent(w, cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec!.schedule)} : ${messageOf(err)}`)
      return { updateStatus }
    }
    const earliest = () => Date.parse(cj.status?.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '') || now
    const next = () => ({ requeueAfterMs: nextScheduleDelayMs(earliest(), now, sched), updateStatus })

    const deadline = cj.spec?.startingDeadlineSeconds
    const recent = mostRecentScheduleTime(earliest(), now, sched, deadline)
    const scheduled = recent.mostRecentMs !== undefined && recent.mostRecentMs <= now ? recent.mostRecentMs : undefined
    if (scheduled !== undefined && recent.missed === 'many') {
      recordEvent(w, cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew')
    }
    if (scheduled === undefined && recent.error) {
      recordEvent(w, cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec!.schedule} : ${recent.error}`)
      return { updateStatus }
    }
    if (scheduled === undefined) return next() // woken early (a restart, an update): nothing is due
    if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < now) {
      recordEvent(w, cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`)
      return next()
    }
    const lastScheduled = cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : undefined
    if (inActiveListByName(cj, jobName(cj, scheduled)) || lastScheduled === scheduled) return next()
    if (cj.spec?.concurrencyPolicy === 'Forbid' && (cj.status?.active ?? []).length > 0) {
      recordEvent(w, cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid')
      return next()
    }
    if (cj.spec?.concurrencyPolicy === 'Replace') {
      for (const ref of [...(cj.status?.active ?? [])]) {
        let running: Job
        try {
          running = await ctx.client.get<Job>(JOB, ref.name!, ref.namespace, { signal })
        } catch (err) {
          recordEvent(w, cj, 'Warning', 'FailedGet', `Get job: ${messageOf(err)}`)
          return { updateStatus, error: err }
        }
        if (!(await deleteJob(w, cj, running, signal))) {
          return { updateStatus, error: new Error(`could not replace job ${ref.namespace}/${ref.name}`) }
        }
        updateStatus = true
      }
    }

    const request = jobFromTemplate(cj, scheduled)
    let created: Job
    try {
      created = await ctx.client.create(request, { signal })
      recordEvent(w, cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata!.name}`)
    } catch (err) {
      if (!isAlreadyExists(err)) {
        recordEvent(w, cj, 'Warning', 'FailedCreate', `Error creating job: ${messageOf(err)}`)
        return { updateStatus, error: err }
      }
      // We made it before but crashed (or lost a race) before recording it: record it now.
      try {
        created = await ctx.client.get<Job>(JOB, request.metadata!.name!, request.metadata!.namespace, { signal })
      } catch (getErr) {
        return { updateStatus, error: getErr }
      }
      const ours = created.metadata?.ownerReferences?.some((r) => r.controller === true && r.uid === cj.metadata?.uid)
      if (!ours || inActiveList(cj, created.metadata?.uid)) return { updateStatus }
    }
    cj.status = { ...cj.status, active: [...(cj.status?.active ?? []), jobRef(created)], lastScheduleTime: rfc3339(scheduled) }
    updateStatus = true
    return next()
  }

  return {
    name: 'cronjob',
    triggers: [cronJobs.on((ev) => [keyOf(ev.obj)]), jobs.on(onJob)],
    async sync(key, signal) {
      const shared = cronJobs.get(key)
      if (!shared) return
      const children = jobs.list(shared.metadata?.namespace).filter((j) => {
        const ref = j.metadata?.ownerReferences?.find((r) => r.controller === true)
        return ref?.kind === 'CronJob' && ref.name === shared.metadata?.name
      })
      const cj = copy(shared) as CronJob
      const cleaned = await cleanupFinishedJobs(w, cj, children, signal)
      const out = await syncCronJob(cj, children, signal)
      if (cleaned || out.updateStatus) await ctx.client.updateStatus(cj, { signal })
      if (out.requeueAfterMs !== undefined) return { requeueAfterMs: Math.max(0, out.requeueAfterMs) }
      if (out.error !== undefined) throw out.error
    },
  }
}

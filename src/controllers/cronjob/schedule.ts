/**
 * @module
 * CronJob schedules as upstream's cron library reads them: five fields, the @yearly ... @hourly
 * descriptors, `@every <duration>`, and a `TZ=`/`CRON_TZ=` prefix; evaluated in the CronJob's
 * time zone, or the controller's local one. Also the arithmetic of missed start times.
 */
// Upstream: github.com/robfig/cron/v3 (parser.go ParseStandard, parseDescriptor; constantdelay.go
// Every) and pkg/controller/cronjob/utils.go (mostRecentScheduleTime, nextScheduleTimeDuration,
// nextScheduleTime, nextScheduleDelta). Field matching is cron-parser's; it agrees with
// robfig/cron for everything validation admits.
import { createRequire } from 'node:module'
import type { CronExpressionParser as Parser } from 'cron-parser'
import { isKnownTimeZone, parseGoDuration } from '../../api/index.js'

// Loaded at the first schedule, not with the controller manager: cron-parser brings luxon, and
// the two are ~1.5 MB of heap that a cluster without CronJobs never uses.
let parser: typeof Parser | undefined
const cron = (): typeof Parser =>
  (parser ??= (createRequire(import.meta.url)('cron-parser') as typeof import('cron-parser')).CronExpressionParser)

/** When the schedule next fires strictly after a time (ms since the epoch). */
export type Schedule = { next(afterMs: number): number }

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
}

/** The zone the controller runs in: what a CronJob without `timeZone` is scheduled in. */
export const localTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'

const zoneName = (tz: string) => (tz === '' ? 'UTC' : tz === 'Local' ? localTimeZone() : tz)

/**
 * Parses a schedule, in `timeZone` unless the spec names its own with `TZ=`. Throws an Error
 * with the parser's complaint when it does not parse.
 */
export function parseSchedule(spec: string, timeZone = localTimeZone()): Schedule {
  let tz = timeZone
  let s = spec.trim()
  if (s === '') throw new Error('empty spec string')
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    const space = s.indexOf(' ')
    const name = s.slice(s.indexOf('=') + 1, space < 0 ? undefined : space)
    if (space < 0 || !isKnownTimeZone(name)) throw new Error(`provided bad location ${name}: unknown time zone ${name}`)
    tz = name
    s = s.slice(space).trim()
  }
  if (s.startsWith('@every ')) {
    const d = parseGoDuration(s.slice('@every '.length).trim())
    if (d === undefined) throw new Error(`failed to parse duration ${s}: time: invalid duration "${s.slice(7).trim()}"`)
    // Whole seconds, at least one; each run is that long after the previous (second-truncated) one.
    const delay = Math.max(1000, d - (d % 1000))
    return { next: (afterMs) => Math.floor(afterMs / 1000) * 1000 + delay }
  }
  if (s.startsWith('@')) {
    const fields = DESCRIPTORS[s]
    if (!fields) throw new Error(`unrecognized descriptor: ${s}`)
    s = fields
  }
  const n = s.split(/\s+/).length
  if (n !== 5) throw new Error(`expected exactly 5 fields, found ${n}: [${s}]`)
  const zone = zoneName(tz)
  cron().parse(s, { tz: zone }) // fail now, not at the first use
  return {
    next(afterMs) {
      try {
        return cron().parse(s, { currentDate: new Date(afterMs), tz: zone }).next().getTime()
      } catch {
        return NaN // no time in the next years matches (robfig's zero time)
      }
    },
  }
}

export type Missed = 'none' | 'few' | 'many'

/**
 * The most recent time the CronJob should have started at or before `nowMs` (undefined when
 * none since its last run), counting from its last schedule time (or creation), or from the
 * starting deadline when `withDeadline`; and how many start times were missed.
 */
export function mostRecentScheduleTime(earliestMs: number, nowMs: number, sched: Schedule, startingDeadlineSeconds?: number | null):
  { earliestMs: number; mostRecentMs?: number; missed: Missed; error?: string } {
  let earliest = earliestMs
  if (startingDeadlineSeconds !== undefined && startingDeadlineSeconds !== null) {
    // Nothing before the deadline will be started anyway.
    earliest = Math.max(earliest, nowMs - startingDeadlineSeconds * 1000)
  }
  const t1 = sched.next(earliest)
  const t2 = sched.next(t1)
  if (nowMs < t1) return { earliestMs: earliest, missed: 'none' }
  if (nowMs < t2) return { earliestMs: earliest, mostRecentMs: t1, missed: 'none' }
  const between = Math.round((t2 - t1) / 1000)
  if (!(between >= 1)) return { earliestMs: earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' }
  // A rough count: how many intervals fit between the first missed time and now.
  const elapsed = Math.trunc((nowMs - t1) / 1000)
  const missedCount = Math.trunc(elapsed / between) + 1
  // Start one interval early and let the schedule itself find the last time, so irregular
  // schedules (30 6-16/4 * * 1-5) and @every land exactly.
  let mostRecent: number | undefined
  for (let t = sched.next(t1 + (missedCount - 2) * between * 1000); t <= nowMs; t = sched.next(t)) mostRecent = t
  const missed: Missed = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none'
  return { earliestMs: earliest, mostRecentMs: mostRecent, missed }
}

/** Upstream pads requeues by 100 ms so clock skew never wakes the controller just before a start time. */
const NEXT_SCHEDULE_DELTA_MS = 100

/** Milliseconds from `nowMs` until the sync after the next start time; undefined when it never fires again. */
export function nextScheduleDelayMs(earliestMs: number, nowMs: number, sched: Schedule): number | undefined {
  const r = mostRecentScheduleTime(earliestMs, nowMs, sched)
  let from: number
  if (r.error) from = nowMs
  else if (r.mostRecentMs === undefined) from = r.missed === 'none' ? r.earliestMs : nowMs
  else from = r.mostRecentMs
  const delay = sched.next(from) + NEXT_SCHEDULE_DELTA_MS - nowMs
  return Number.isNaN(delay) ? undefined : delay
}

/** `ms` as RFC 3339 in the given zone ("2026-01-01T09:00:00+09:00"; "Z" at offset zero, as Go writes it). */
export function rfc3339InZone(ms: number, timeZone: string): string {
  const secs = Math.floor(ms / 1000) * 1000
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zoneName(timeZone), hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(secs)).map((p) => [p.type, p.value]))
  const wall = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!)
  const offsetMin = Math.round((wall - secs) / 60_000)
  const local = new Date(wall).toISOString().slice(0, 19)
  if (offsetMin === 0) return `${local}Z`
  const a = Math.abs(offsetMin)
  return `${local}${offsetMin < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`
}

export { isKnownTimeZone }

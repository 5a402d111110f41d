/**
 * @module
 * A light check of CronJob schedules with the error texts of the cron library upstream uses:
 * five fields (minute hour day-of-month month day-of-week) with lists, ranges, steps and
 * names, or a descriptor (@hourly, @daily, ..., @every <duration>), optionally behind TZ=.
 * It only validates; the CronJob controller does its own scheduling.
 */
// Upstream: github.com/robfig/cron/v3 parser.go (ParseStandard, getRange, parseDescriptor),
// called from pkg/apis/batch/validation/validation.go (validateScheduleFormat).

import { isKnownTimeZone } from '../../api/time-zones.js'

type Bounds = { min: number; max: number; names?: Record<string, number> }

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 }
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 }
const FIELDS: Bounds[] = [
  { min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, { min: 1, max: 12, names: MONTHS }, { min: 0, max: 6, names: DAYS },
]
const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'])
const GO_DURATION = /^[-+]?(0|([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+)$/


/** Go's strconv.Atoi plus the library's "negative number" rule. */
function parseInt(text: string): number | string {
  if (!/^[-+]?[0-9]+$/.test(text)) return `failed to parse int from ${text}: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`
  const n = Number(text)
  return n < 0 ? `negative number (${n}) not allowed: ${text}` : n
}

function parseIntOrName(text: string, b: Bounds): number | string {
  const named = b.names?.[text.toLowerCase()]
  return named ?? parseInt(text)
}

/** One comma-separated part of a field: `*`, `?`, `n`, `a-b`, each optionally `/step`. */
function rangeError(expr: string, b: Bounds): string | undefined {
  const rangeAndStep = expr.split('/')
  const lowAndHigh = rangeAndStep[0]!.split('-')
  let start: number
  let end: number
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min
    end = b.max
  } else {
    const s = parseIntOrName(lowAndHigh[0]!, b)
    if (typeof s === 'string') return s
    start = s
    if (lowAndHigh.length === 1) end = start
    else if (lowAndHigh.length === 2) {
      const e = parseIntOrName(lowAndHigh[1]!, b)
      if (typeof e === 'string') return e
      end = e
    } else return `too many hyphens: ${expr}`
  }
  let step = 1
  if (rangeAndStep.length === 2) {
    const st = parseInt(rangeAndStep[1]!)
    if (typeof st === 'string') return st
    step = st
    if (lowAndHigh.length === 1) end = b.max // "n/step" means n through the maximum
  } else if (rangeAndStep.length > 2) return `too many slashes: ${expr}`
  if (start < b.min) return `beginning of range (${start}) below minimum (${b.min}): ${expr}`
  if (end > b.max) return `end of range (${end}) above maximum (${b.max}): ${expr}`
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`
  if (step === 0) return `step of range should be a positive number: ${expr}`
  return undefined
}

/** The parse error upstream would report for `schedule`, or undefined when it parses. */
export function cronScheduleError(schedule: string): string | undefined {
  let spec = schedule
  if (spec.length === 0) return 'empty spec string'
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ')
    const zone = spec.slice(spec.indexOf('=') + 1, space < 0 ? undefined : space)
    if (space < 0 || !isKnownTimeZone(zone)) return `provided bad location ${zone}: unknown time zone ${zone}`
    spec = spec.slice(space).trim()
  }
  if (spec.startsWith('@')) {
    if (DESCRIPTORS.has(spec)) return undefined
    if (spec.startsWith('@every ')) {
      const d = spec.slice('@every '.length)
      return GO_DURATION.test(d) ? undefined : `failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(d)}`
    }
    return `unrecognized descriptor: ${spec}`
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '')
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`
  for (let i = 0; i < 5; i++) {
    for (const part of fields[i]!.split(',')) {
      const err = rangeError(part, FIELDS[i]!)
      if (err) return err
    }
  }
  return undefined
}

export { isKnownTimeZone }

/**
 * @module
 * Messages whose JSON form is not an object: times, durations, quantities, int-or-strings
 * and managed-fields sets. Each has a tiny table (decoded like any message, fields present
 * only when sent) and a function that turns the decoded fields into the JSON value.
 */
import type { Messages } from './types.js'

type Fields = Record<string, unknown>
export type Special = { toJson(fields: Fields): unknown }

const GO_ZERO_TIME_SECONDS = -62135596800 // 0001-01-01T00:00:00Z, Go's zero time.Time

/** `2006-01-02T15:04:05Z`, or with `.000000` microseconds when `micro`. */
function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19)
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`
}

/** Integer `v` divided by 10^digits, printed without trailing zeros: Go's fmtFrac. */
function decimal(v: number, digits: number): string {
  const scale = 10 ** digits
  const frac = String(v % scale).padStart(digits, '0').replace(/0+$/, '')
  return `${Math.floor(v / scale)}${frac ? `.${frac}` : ''}`
}

/** Go's time.Duration.String(): `1h2m3.5s`, `1.5ms`, `0s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s'
  const sign = ns < 0 ? '-' : ''
  let u = Math.abs(ns)
  if (u < 1e3) return `${sign}${u}ns`
  if (u < 1e6) return `${sign}${decimal(u, 3)}µs`
  if (u < 1e9) return `${sign}${decimal(u, 6)}ms`
  const h = Math.floor(u / 3.6e12)
  u -= h * 3.6e12
  const m = Math.floor(u / 6e10)
  u -= m * 6e10
  return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${decimal(u, 9)}s`
}

// Upstream: apimachinery pkg/apis/meta/v1/time_proto.go (Time.Unmarshal) keeps whole seconds
// only; an empty message is the zero time, which marshals to JSON null.
const time: Special = {
  toJson: ({ seconds }) =>
    seconds === undefined || seconds === GO_ZERO_TIME_SECONDS ? null : rfc3339(seconds as number, 0, false),
}
// Upstream: apimachinery pkg/apis/meta/v1/micro_time.go (MarshalJSON, RFC3339Micro).
const microTime: Special = {
  toJson: ({ seconds, nanos }) =>
    seconds === undefined || seconds === GO_ZERO_TIME_SECONDS ? null
      : rfc3339(seconds as number, (nanos as number | undefined) ?? 0, true),
}

/** Specials by qualified name. */
export const specials: ReadonlyMap<string, Special> = new Map<string, Special>([
  ['meta.Time', time],
  ['meta.MicroTime', microTime],
  ['meta.Duration', { toJson: ({ duration }) => goDuration((duration as number | undefined) ?? 0) }],
  // The managed-fields set is JSON already, carried as bytes (decoded base64 by the decoder).
  ['meta.FieldsV1', { toJson: ({ Raw }) => (Raw === undefined ? null : JSON.parse(Buffer.from(Raw as string, 'base64').toString('utf8'))) }],
  // Upstream: apimachinery pkg/api/resource/quantity_proto.go: the canonical string.
  ['resource.Quantity', { toJson: ({ string }) => (string === undefined || string === '' ? '0' : string) }],
  // Upstream: apimachinery pkg/util/intstr/intstr.go (MarshalJSON): type 1 is a string.
  ['intstr.IntOrString', {
    toJson: ({ type, intVal, strVal }) => (type === 1 ? (strVal ?? '') : (intVal ?? 0)),
  }],
])

// Field numbers: apimachinery meta/v1, api/resource and util/intstr generated.proto.
export const specialTables: Readonly<Record<string, Messages>> = {
  meta: {
    Time: [[1, 'seconds,omitempty', '*int64'], [2, 'nanos,omitempty', '*int32']],
    MicroTime: [[1, 'seconds,omitempty', '*int64'], [2, 'nanos,omitempty', '*int32']],
    Duration: [[1, 'duration,omitempty', '*int64']],
    FieldsV1: [[1, 'Raw,omitempty', '*bytes']],
  },
  resource: { Quantity: [[1, 'string,omitempty', '*string']] },
  intstr: {
    IntOrString: [[1, 'type,omitempty', '*int64'], [2, 'intVal,omitempty', '*int32'], [3, 'strVal,omitempty', '*string']],
  },
}

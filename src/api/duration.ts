/**
 * @module
 * Go duration strings ("32s", "1m30s", "500ms", "1.5h"), as clients send in `?timeout=` and
 * as kubelet and controller flags take them.
 */
// Upstream: Go's time.ParseDuration (units ns, us, µs, μs, ms, s, m, h; "0" needs no unit).

const UNIT_MS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
}
const TERM = /([0-9]*(?:\.[0-9]*)?)([a-zµμ]+)/y
// Go keeps durations in int64 nanoseconds: about 292 years.
const MAX_MS = 9223372036854.775

/** Milliseconds in a Go duration string, or undefined when absent or malformed. */
export function parseGoDuration(s: string | null | undefined): number | undefined {
  if (s === null || s === undefined || s === '') return undefined
  let i = 0
  let sign = 1
  if (s[0] === '-' || s[0] === '+') { sign = s[0] === '-' ? -1 : 1; i = 1 }
  const rest = s.slice(i)
  if (rest === '0') return 0
  if (rest === '') return undefined
  let total = 0
  TERM.lastIndex = 0
  let pos = 0
  while (pos < rest.length) {
    TERM.lastIndex = pos
    const m = TERM.exec(rest)
    if (!m) return undefined
    const [whole, num = '', unit = ''] = m
    // A number needs a digit somewhere ("." alone is not one), and the unit must be known.
    if (!/[0-9]/.test(num) || !(unit in UNIT_MS)) return undefined
    total += Number(num) * UNIT_MS[unit]!
    pos += whole.length
  }
  if (total > MAX_MS) return undefined
  return sign * total
}

/** Formats milliseconds as Go prints a duration: "1h2m3s", "1.5s", "500ms", "0s". */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s'
  const neg = ms < 0
  let rest = Math.abs(ms)
  let out: string
  if (rest < 1000) {
    out = rest >= 1 ? `${trim(rest)}ms` : rest >= 1e-3 ? `${trim(rest * 1e3)}µs` : `${trim(rest * 1e6)}ns`
  } else {
    const h = Math.floor(rest / 3_600_000)
    rest -= h * 3_600_000
    const m = Math.floor(rest / 60_000)
    rest -= m * 60_000
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trim(rest / 1000)}s`
  }
  return neg ? `-${out}` : out
}
const trim = (n: number) => String(Number(n.toFixed(9)))

/** Same as parseGoDuration; the name filters use for `?timeout=`. */
export const parseDuration = parseGoDuration

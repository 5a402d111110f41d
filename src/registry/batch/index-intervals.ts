/**
 * @module
 * The interval lists Indexed Jobs write indexes in ("1,3-5,7"), as the API server checks them:
 * `spec.successPolicy.rules[].succeededIndexes`, `status.completedIndexes` and
 * `status.failedIndexes`. The error texts are upstream's; they follow "error parsing ...: ".
 */
// Upstream: pkg/apis/batch/validation/validation.go (validateIndexesFormat, parseIndexInterval,
// validateFailedIndexesNotOverlapCompleted).

type Interval = { first: number; last: number }
type Parsed = { ok: true; interval: Interval } | { ok: false; error: string }

const INT64_MAX = 2n ** 63n - 1n

/** Go's strconv.Atoi on a 64-bit platform: an optional sign, decimal digits, in int64 range. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined
  const n = BigInt(s)
  if (n > INT64_MAX || n < -INT64_MAX - 1n) return undefined
  return Number(n)
}

/** One "x" or "x-y" fragment, each index below `completions` and x < y. */
function parseInterval(text: string, completions: number): Parsed {
  const limits = text.split('-')
  if (limits.length > 2) {
    return { ok: false, error: `the fragment ${JSON.stringify(text)} violates the requirement that an index interval can have at most two parts separated by '-'` }
  }
  const [xs, ys] = limits as [string, string | undefined]
  const x = atoi(xs)
  if (x === undefined) return { ok: false, error: `cannot convert string to integer for index: ${JSON.stringify(xs)}` }
  if (x >= completions) return { ok: false, error: `too large index: ${JSON.stringify(xs)}` }
  if (ys === undefined) return { ok: true, interval: { first: x, last: x } }
  const y = atoi(ys)
  if (y === undefined) return { ok: false, error: `cannot convert string to integer for index: ${JSON.stringify(ys)}` }
  if (y >= completions) return { ok: false, error: `too large index: ${JSON.stringify(ys)}` }
  if (x >= y) return { ok: false, error: `non-increasing order, previous: ${x}, current: ${y}` }
  return { ok: true, interval: { first: x, last: y } }
}

/** How many indexes the list names, or why it does not parse. The empty list names none. */
export function validateIndexesFormat(text: string, completions: number): { total: number; error?: undefined } | { total: 0; error: string } {
  if (text === '') return { total: 0 }
  let previous: number | undefined
  let total = 0
  for (const fragment of text.split(',')) {
    const p = parseInterval(fragment, completions)
    if (!p.ok) return { total: 0, error: p.error }
    const { first, last } = p.interval
    if (previous !== undefined && previous >= first) return { total: 0, error: `non-increasing order, previous: ${previous}, current: ${first}` }
    total += last - first + 1
    previous = last
  }
  return { total }
}

/**
 * The first index both lists name, as upstream's message words it; fragments that do not parse
 * are skipped here (the format check reports them).
 */
export function failedIndexesOverlapCompleted(completed: string, failed: string, completions: number): string | undefined {
  if (completed === '' || failed === '') return undefined
  const cs = completed.split(',')
  const fs = failed.split(',')
  let ci = 0
  let fi = 0
  let c = parseInterval(cs[0]!, completions)
  let f = parseInterval(fs[0]!, completions)
  while (ci < cs.length && fi < fs.length) {
    if (!c.ok) {
      if (++ci < cs.length) c = parseInterval(cs[ci]!, completions)
    } else if (!f.ok) {
      if (++fi < fs.length) f = parseInterval(fs[fi]!, completions)
    } else {
      const { first: cx, last: cy } = c.interval
      const { first: fx, last: fy } = f.interval
      if (cx <= fy && fx <= cy) return `failedIndexes and completedIndexes overlap at index: ${Math.max(cx, fx)}`
      if (cx <= fx) {
        if (++ci < cs.length) c = parseInterval(cs[ci]!, completions)
      } else if (++fi < fs.length) f = parseInterval(fs[fi]!, completions)
    }
  }
  return undefined
}

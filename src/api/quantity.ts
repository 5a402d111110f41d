/**
 * @module
 * Resource quantities ("500m", "1Gi", "1e3"): exact parsing, upstream's canonical form, and
 * the numbers schedulers and kubelets compare. Values are held as a bigint count of
 * nano-units, which is exact because upstream rounds every quantity up to a multiple of 1n.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go (ParseQuantity,
// CanonicalizeBytes, String, ScaledValue), suffix.go, amount.go.
import { badRequest } from './errors.js'

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent'
export type Quantity = {
  /** The value in units of 10^-9 (so "1" is 1_000_000_000n). */
  readonly nanos: bigint
  /** Which suffix family the value is written back in. */
  readonly format: QuantityFormat
  /** Upstream's String(): the input itself when already canonical, else the canonical form. */
  readonly text: string
}

const FORMAT_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*)([-+]?[0-9]*)$/
const formatWrong = () => badRequest(`quantities must match the regular expression '${FORMAT_PATTERN}'`)

const NANO = 1_000_000_000n
const MAX_INT64 = 9223372036854775807n
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL).map(([s, e]) => [e, s]))
const BINARY_BY_EXP = new Map(Object.entries(BINARY).map(([s, e]) => [e, s]))

const abs = (n: bigint) => (n < 0n ? -n : n)
const pow10 = (n: number) => 10n ** BigInt(n)

type Suffix = { base: 10 | 2; exponent: number; format: QuantityFormat }
function interpretSuffix(s: string): Suffix | undefined {
  if (s in DECIMAL) return { base: 10, exponent: DECIMAL[s]!, format: 'DecimalSI' }
  if (s in BINARY) return { base: 2, exponent: BINARY[s]!, format: 'BinarySI' }
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E') && /^[+-]?[0-9]+$/.test(s.slice(1))) {
    return { base: 10, exponent: Number(s.slice(1)), format: 'DecimalExponent' }
  }
  return undefined
}

/**
 * Parses a quantity (a JSON number is read from its text, as upstream's UnmarshalJSON does);
 * throws a 400 StatusError with upstream's message when malformed.
 */
export function parseQuantity(input: string | number): Quantity {
  const s = typeof input === 'number' ? String(input) : input
  if (s === '0') return { nanos: 0n, format: 'DecimalSI', text: '0' }
  const m = SHAPE.exec(s)
  // Like upstream's scanner, an empty number ("-", "Gi") reads as zero.
  if (!m || s === '') throw formatWrong()
  const [, sign, intDigits = '', fracDigits = '', letters = '', expDigits = ''] = m
  const suffix = interpretSuffix(letters + expDigits)
  if (!suffix) throw badRequest("unable to parse quantity's suffix")
  let format = suffix.format
  const digits = (intDigits + fracDigits).replace(/^0+/, '') || '0'
  // value = digits * 10^-len(frac) * base^exponent, rounded up (away from zero) to a whole nano.
  const num = BigInt(digits) * (suffix.base === 2 ? 1n << BigInt(suffix.exponent) : 1n)
  const exp10 = -fracDigits.length + (suffix.base === 10 ? suffix.exponent : 0)
  let nanos: bigint
  if (exp10 >= -9) nanos = num * pow10(exp10 + 9)
  else {
    const div = pow10(-9 - exp10)
    nanos = num / div + (num % div === 0n ? 0n : 1n)
  }
  if (format === 'BinarySI' && nanos > MAX_INT64 * NANO) nanos = MAX_INT64 * NANO
  if (format === 'BinarySI' && nanos > 0n && nanos < NANO) format = 'DecimalSI'
  if (sign === '-') nanos = -nanos
  return { nanos, format, text: isCanonicalInput(intDigits, fracDigits, suffix) ? s : formatQuantity(nanos, format) }
}

// Upstream keeps the caller's spelling (even "+1Gi" or "1E3") when its fast int64 path finds
// the input already canonical; these are those conditions.
function isCanonicalInput(intDigits: string, fracDigits: string, suffix: Suffix): boolean {
  const num = intDigits.replace(/^0+/, '') || '0'
  const shifted = num + fracDigits
  if (suffix.format === 'BinarySI') {
    if (fracDigits !== '') return false
    const precision = 15 - num.length - Math.trunc((suffix.exponent * 3) / 10) - 1
    if (precision < 0) return false
    const value = BigInt(shifted)
    return abs(value << BigInt(suffix.exponent)) <= MAX_INT64 && (value & 7n) !== 0n
  }
  if (18 - shifted.length < 0) return false
  const scale = suffix.exponent - fracDigits.length
  if (scale < -9) return false
  return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0'
}

/** Upstream's canonical text for a value: largest exponent, no fraction, format kept. */
export function formatQuantity(nanos: bigint, format: QuantityFormat = 'DecimalSI'): string {
  if (nanos === 0n) return '0'
  if (format === 'BinarySI') {
    // Under 1024 in magnitude, or not a whole number: binary suffixes would mislead or round.
    if (abs(nanos) < 1024n * NANO || nanos % NANO !== 0n) format = 'DecimalSI'
    else {
      let value = nanos / NANO
      let exp = 0
      while (abs(value) >= 1024n && value % 1024n === 0n) { value /= 1024n; exp += 10 }
      return `${value}${BINARY_BY_EXP.get(exp) ?? ''}`
    }
  }
  let mantissa = nanos
  let exp = -9
  while (mantissa % 10n === 0n) { mantissa /= 10n; exp++ }
  while (((exp % 3) + 3) % 3 !== 0) { mantissa *= 10n; exp-- }
  // Upstream drops a suffix it has no name for (DecimalSI beyond E); so do we.
  const suffix = format === 'DecimalExponent' ? (exp === 0 ? '' : `e${exp}`) : DECIMAL_BY_EXP.get(exp) ?? ''
  return `${mantissa}${suffix}`
}

/** The canonical form of a quantity string, e.g. "1000m" → "1", "1024Mi" → "1Gi". */
export const canonicalQuantity = (s: string): string => parseQuantity(s).text

/** A quantity from a count of milli-units (cpu), e.g. 1500 → "1500m". */
export const quantityFromMilli = (milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity => {
  const nanos = BigInt(milli) * 1_000_000n
  return { nanos, format, text: formatQuantity(nanos, format) }
}
/** A quantity from whole units (bytes, pods), e.g. (1073741824, 'BinarySI') → "1Gi". */
export const quantityFromValue = (value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity => {
  const nanos = BigInt(value) * NANO
  return { nanos, format, text: formatQuantity(nanos, format) }
}

const toQuantity = (q: Quantity | string) => (typeof q === 'string' ? parseQuantity(q) : q)
// Upstream's ScaledValue: divide, rounding any remainder away from zero.
function scaled(nanos: bigint, divisor: bigint): bigint {
  const q = nanos / divisor
  return nanos % divisor === 0n ? q : nanos > 0n ? q + 1n : q - 1n
}

/** Whole units, rounded up: "1500m" → 2, "1Gi" → 1073741824 (upstream's Value()). */
export const quantityValue = (q: Quantity | string): number => Number(scaled(toQuantity(q).nanos, NANO))
/** Milli-units, rounded up: "1" → 1000, "0.1m" → 1 (upstream's MilliValue()). */
export const quantityMilliValue = (q: Quantity | string): number => Number(scaled(toQuantity(q).nanos, 1_000_000n))
/** The value as a float (approximate for huge or very precise values). */
export const quantityToNumber = (q: Quantity | string): number => {
  const n = toQuantity(q).nanos
  return Number(n / NANO) + Number(n % NANO) / 1e9
}
/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareQuantities(a: Quantity | string, b: Quantity | string): -1 | 0 | 1 {
  const x = toQuantity(a).nanos
  const y = toQuantity(b).nanos
  return x < y ? -1 : x > y ? 1 : 0
}
/** Sum of quantities, in the format of the first (as upstream's Add keeps the receiver's). */
export function addQuantities(first: Quantity | string, ...rest: (Quantity | string)[]): Quantity {
  const head = toQuantity(first)
  const nanos = rest.reduce((sum, q) => sum + toQuantity(q).nanos, head.nanos)
  return { nanos, format: head.format, text: formatQuantity(nanos, head.format) }
}

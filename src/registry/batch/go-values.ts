/**
 * @module
 * batch values rendered as upstream's field errors print them: Go's `%#v` of the internal
 * types (`batch.SuccessPolicy{Rules:...}`, `[]int32{1, 2}`) and a `metav1.Time`'s String().
 * kubectl shows these verbatim in `The Job "x" is invalid: ...`, so they are reproduced.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go (Error.ErrorBody:
// %#v for structs and slices, String() for fmt.Stringers such as metav1.Time).
import type { PodFailurePolicy, SuccessPolicy, UncountedTerminatedPods } from 'kubernetes-types/batch/v1.js'
import type { FieldError } from '../../api/field-errors.js'

/** A Go string literal (JSON escaping matches Go's for printable text). */
const goQuote = (s: string): string => JSON.stringify(s)
const isNil = (v: unknown): v is undefined | null => v === undefined || v === null

/** A Go slice literal: `T(nil)` when absent, `T{a, b}` otherwise. */
function goSlice<V>(type: string, xs: readonly V[] | undefined | null, item: (v: V) => string): string {
  return isNil(xs) ? `${type}(nil)` : `${type}{${xs.map(item).join(', ')}}`
}

/**
 * A pointer field. Go prints the heap address, which differs on every request; a fixed
 * placeholder in Go's usual heap range stands in for it.
 */
const goPointer = (type: string, v: unknown) => `(*${type})(${isNil(v) ? 'nil' : '0xc000a1c000'})`

/** `[]int32{1, 2}` (exit codes). */
export const goInt32s = (xs: readonly number[] | undefined | null) => goSlice('[]int32', xs, String)

/** A `batch.UncountedTerminatedPods` value. */
export function goUncountedTerminatedPods(u: UncountedTerminatedPods): string {
  return `batch.UncountedTerminatedPods{Succeeded:${goSlice('[]types.UID', u.succeeded, goQuote)}, Failed:${goSlice('[]types.UID', u.failed, goQuote)}}`
}

/** A `batch.SuccessPolicy` value. */
export function goSuccessPolicy(p: SuccessPolicy): string {
  const rule = (r: SuccessPolicy['rules'][number]) =>
    `batch.SuccessPolicyRule{SucceededIndexes:${goPointer('string', r.succeededIndexes)}, SucceededCount:${goPointer('int32', r.succeededCount)}}`
  return `batch.SuccessPolicy{Rules:${goSlice('[]batch.SuccessPolicyRule', p.rules, rule)}}`
}

/** A `batch.PodFailurePolicy` value. */
export function goPodFailurePolicy(p: PodFailurePolicy): string {
  const pattern = (c: { type: string; status: string }) =>
    `batch.PodFailurePolicyOnPodConditionsPattern{Type:${goQuote(c.type ?? '')}, Status:${goQuote(c.status ?? '')}}`
  const rule = (r: PodFailurePolicy['rules'][number]) =>
    `batch.PodFailurePolicyRule{Action:${goQuote(r.action ?? '')}, OnExitCodes:${goPointer('batch.PodFailurePolicyOnExitCodesRequirement', r.onExitCodes)}, ` +
    `OnPodConditions:${goSlice('[]batch.PodFailurePolicyOnPodConditionsPattern', r.onPodConditions, pattern)}}`
  return `batch.PodFailurePolicy{Rules:${goSlice('[]batch.PodFailurePolicyRule', p.rules, rule)}}`
}

/** A `metav1.Time` as its String() prints it in a UTC server: `2024-01-01 00:00:00 +0000 UTC`. */
export function goTime(rfc3339: string): string {
  const ms = Date.parse(rfc3339)
  if (Number.isNaN(ms)) return rfc3339
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`
}

/** An Invalid error whose value upstream leaves out (`field.OmitValueType`): only the detail follows. */
export function invalidOmitted(field: string, detail: string): FieldError {
  const body = `Invalid value: ${detail}`
  return { type: 'FieldValueInvalid', field, message: body, error: `${field}: ${body}` }
}

/**
 * @module
 * Values rendered as Go's `%#v` prints them, for the field errors whose upstream message embeds
 * a Go value: a template's labels (`map[string]string{"app":"web"}`), a label selector
 * (`v1.LabelSelector{MatchLabels:..., MatchExpressions:...}`), an int-or-string.
 * kubectl users search for these exact strings, so they are reproduced, not paraphrased.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go (Error.ErrorBody
// falls back to %#v for values that are neither simple types nor fmt.Stringers).
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import type { FieldError } from '../../api/field-errors.js'

/** A Go string literal as %#v writes it (JSON escaping matches Go's for printable text). */
export const goQuote = (s: string): string => JSON.stringify(s)

/** `map[string]string{"a":"1", "b":"2"}` (keys sorted, as fmt sorts maps); nil when absent. */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (m === undefined || m === null) return 'map[string]string(nil)'
  const keys = Object.keys(m).sort()
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(m[k] ?? '')}`).join(', ')}}`
}

const goStrings = (xs: string[] | undefined | null) =>
  xs === undefined || xs === null ? '[]string(nil)' : `[]string{${xs.map(goQuote).join(', ')}}`

/** A metav1.LabelSelector value (what field errors print for a dereferenced `*LabelSelector`). */
export function goLabelSelector(sel: LabelSelector | undefined | null): string {
  if (!sel) return 'null'
  const exprs = sel.matchExpressions === undefined || sel.matchExpressions === null
    ? '[]v1.LabelSelectorRequirement(nil)'
    : `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((e) =>
      `v1.LabelSelectorRequirement{Key:${goQuote(e.key)}, Operator:${goQuote(e.operator)}, Values:${goStrings(e.values)}}`).join(', ')}}`
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`
}

/** An intstr.IntOrString value: Type 0 carries IntVal, Type 1 StrVal. */
export function goIntOrString(v: number | string | undefined | null): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`
  return `intstr.IntOrString{Type:0, IntVal:${v ?? 0}, StrVal:""}`
}

/** An Invalid error whose value is already rendered in Go syntax. */
export function invalidRendered(field: string, rendered: string, detail: string): FieldError {
  const body = `Invalid value: ${rendered}${detail ? `: ${detail}` : ''}`
  return { type: 'FieldValueInvalid', field, message: body, error: field ? `${field}: ${body}` : body }
}

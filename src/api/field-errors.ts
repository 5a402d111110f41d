/**
 * @module
 * Field errors: what a validator returns for one bad field, worded as upstream's
 * `field.Error`, so `kubectl` prints `spec.containers: Required value` as a real cluster does.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go.

export type FieldErrorType =
  | 'FieldValueNotFound' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueInvalid'
  | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany'
  | 'InternalError' | 'FieldValueTypeInvalid'

/** One invalid field. `error` is the whole line upstream prints for it. */
export type FieldError = { type: FieldErrorType; field: string; message: string; error: string }

/** A value whose Go rendering names its type (`[]networking.IngressRule(nil)`): printed as given. */
export class GoValue {
  constructor(readonly text: string) {}
}
export const goValue = (text: string) => new GoValue(text)

/** Renders a value as upstream's field errors quote it: strings quoted, numbers bare, and
 *  string lists in Go's %#v form (`[]string{"a", "b"}`), as apimachinery 1.32 prints them. */
export function quote(value: unknown): string {
  if (value instanceof GoValue) return value.text
  if (value === undefined || value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`
  }
  return JSON.stringify(value)
}

function make(type: FieldErrorType, field: string, message: string, error: string): FieldError {
  return { type, field, message, error: field ? `${field}: ${error}` : error }
}

/** `spec.containers: Required value` (with `: <detail>` when given). */
export const required = (field: string, detail = '') =>
  make('FieldValueRequired', field, detail ? `Required value: ${detail}` : 'Required value', detail ? `Required value: ${detail}` : 'Required value')
/** `metadata.name: Invalid value: "Bad": <detail>`. */
export const invalidValue = (field: string, value: unknown, detail: string) => {
  const body = `Invalid value: ${quote(value)}${detail ? `: ${detail}` : ''}`
  return make('FieldValueInvalid', field, detail ? `${body}` : body, body)
}
/** `spec.restartPolicy: Unsupported value: "x": supported values: "Always", "Never"`. */
export const notSupported = (field: string, value: unknown, supported: string[]) => {
  const body = `Unsupported value: ${quote(value)}${supported.length ? `: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : ''}`
  return make('FieldValueNotSupported', field, body, body)
}
export const duplicate = (field: string, value: unknown) =>
  make('FieldValueDuplicate', field, `Duplicate value: ${quote(value)}`, `Duplicate value: ${quote(value)}`)
export const forbiddenField = (field: string, detail: string) =>
  make('FieldValueForbidden', field, `Forbidden: ${detail}`, `Forbidden: ${detail}`)
export const notFoundField = (field: string, value: unknown) =>
  make('FieldValueNotFound', field, `Not found: ${quote(value)}`, `Not found: ${quote(value)}`)
export const tooLong = (field: string, value: unknown, max: number) =>
  make('FieldValueTooLong', field, `Too long: may not be more than ${max} bytes`, `Too long: may not be more than ${max} bytes`)
export const tooMany = (field: string, actual: number, max: number) =>
  make('FieldValueTooMany', field, `Too many: ${actual}: must have at most ${max} items`, `Too many: ${actual}: must have at most ${max} items`)
/** The error every changed immutable field gets: `spec.selector: Invalid value: ...: field is immutable`. */
export const immutable = (field: string, value: unknown) => invalidValue(field, value, 'field is immutable')

/** Joins a path: `path('spec', 'containers', 0, 'name')` → `spec.containers[0].name`. */
export function path(...parts: (string | number)[]): string {
  let out = ''
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`
    else if (p.startsWith('[')) out += p
    else out += out ? `.${p}` : p
  }
  return out
}

/**
 * @module
 * How patch failures reach the client: which HTTP code each kind of failure gets, and the
 * Go-flavoured renderings of values that upstream's messages embed (`map[name:web]`).
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
// (interpretStrategicMergePatchError, applyJSPatch); apimachinery pkg/api/errors
// (NewGenericServerResponse for 422), pkg/util/mergepatch/errors.go (message formats).
import { StatusError, badRequest } from '../errors.js'

export type JsonObject = { [key: string]: unknown }
/** A patch body: JSON already parsed, or the raw text or bytes as received. */
export type PatchInput = unknown

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * 422 for a well-formed patch that cannot be applied. Upstream answers these with a generic
 * message and no detail (kubectl prints "The request is invalid: the server rejected our
 * request due to an error in our request"); the specific reason travels as `cause`.
 */
export function cannotApply(reason: string): StatusError {
  return new StatusError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request', details: {},
  }, { cause: new Error(reason) })
}

/** 500 with an empty reason: what upstream's apiserver makes of a plain Go error. */
export function plainError(message: string): StatusError {
  return new StatusError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, reason: '', message,
  })
}

/** The patch body as JSON. Raw input that is not JSON gets `invalid` as a 400 message. */
export function readPatch(input: PatchInput, invalid: (syntaxError: string) => string): unknown {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return input
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input)
  try {
    return JSON.parse(text)
  } catch (err) {
    throw badRequest(invalid(err instanceof Error ? err.message : String(err)))
  }
}

/** Go's `reflect.TypeOf(v)` for a decoded JSON value, as upstream's messages print it. */
export function goType(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)'
  if (Array.isArray(v)) return '[]interface {}'
  if (typeof v === 'object') return 'map[string]interface {}'
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64'
  if (typeof v === 'boolean') return 'bool'
  return 'string'
}

/** Go's `%v` for a decoded JSON value: `map[a:1 b:[x y]]`, keys sorted. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>'
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`
  if (typeof v === 'object') {
    const o = v as JsonObject
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goFormat(o[k])}`).join(' ')}]`
  }
  return String(v)
}

/** Go's `%s` for a value of unknown type. */
export const goString = (v: unknown): string => (typeof v === 'string' ? v : `%!s(${goType(v)}=${goFormat(v)})`)

export const errNoMergeKey = (m: JsonObject, key: string) =>
  plainError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`)
export const errBadArgType = (expected: string, actual: unknown) =>
  plainError(`expected a ${expected}, but received a ${goType(actual)}`)
export const errBadPatchType = (t: unknown, m: JsonObject) =>
  plainError(`unknown patch type: ${goString(t)} in map: ${goFormat(m)}`)
// The mergepatch sentinel errors and the status each gets from the apiserver.
export const errBadPatchFormatForPrimitiveList = () => badRequest('invalid patch format of primitive list')
export const errBadPatchFormatForRetainKeys = () => badRequest('invalid patch format of retainKeys')
export const errBadPatchFormatForSetElementOrderList = () => badRequest('invalid patch format of setElementOrder list')
export const errNoListOfLists = () => cannotApply('lists of lists are not supported')

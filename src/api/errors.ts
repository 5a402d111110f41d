/**
 * @module
 * The API's one error type, `StatusError`, and one constructor per upstream reason.
 * Messages are worded as upstream's, because kubectl prints them verbatim.
 */
import type { Status, StatusCause } from 'kubernetes-types/meta/v1.js'
import type { FieldError } from './field-errors.js'

// Upstream: staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go (StatusReason).
export type Reason =
  | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'Expired' | 'Gone' | 'Timeout'
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'MethodNotAllowed' | 'NotAcceptable'
  | 'UnsupportedMediaType' | 'RequestEntityTooLarge' | 'TooManyRequests' | 'InternalError'
  | 'ServiceUnavailable' | 'ResourceExpired' | ''

/** The Status that goes on the wire, with the fields this server always fills. */
export type WireStatus = Status & { kind: 'Status'; apiVersion: 'v1'; reason: Reason; code: number }

/** The API's one error type: `status` is exactly the body the client receives. */
export class StatusError extends Error {
  override readonly name = 'StatusError'
  constructor(readonly status: WireStatus, options?: ErrorOptions) {
    super(status.message, options)
  }
}

/** Group and plural resource, e.g. `{group: 'apps', resource: 'deployments'}`. */
export type GroupResource = { group: string; resource: string }
/** Group and kind, e.g. `{group: 'apps', kind: 'Deployment'}`. */
export type GroupKind = { group: string; kind: string }

/** `deployments.apps`, or `pods` for the core group: upstream's GroupResource.String(). */
export const groupResourceString = (gr: GroupResource) =>
  gr.group ? `${gr.resource}.${gr.group}` : gr.resource
const groupKindString = (gk: GroupKind) => (gk.group ? `${gk.kind}.${gk.group}` : gk.kind)

function fail(code: number, reason: Reason, message: string, details?: Status['details'], cause?: unknown) {
  const status: WireStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }
  if (details) status.details = details
  return new StatusError(status, cause === undefined ? undefined : { cause })
}

// Upstream: staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go (NewNotFound, ...).
export const notFound = (gr: GroupResource, name: string) =>
  fail(404, 'NotFound', `${groupResourceString(gr)} "${name}" not found`, { name, group: gr.group || undefined, kind: gr.resource })
export const alreadyExists = (gr: GroupResource, name: string) =>
  fail(409, 'AlreadyExists', `${groupResourceString(gr)} "${name}" already exists`, { name, group: gr.group || undefined, kind: gr.resource })
/** 409 Conflict: "Operation cannot be fulfilled on deployments.apps "web": <why>". */
export const conflict = (gr: GroupResource, name: string, why: string) =>
  fail(409, 'Conflict', `Operation cannot be fulfilled on ${groupResourceString(gr)} "${name}": ${why}`, { name, group: gr.group || undefined, kind: gr.resource })
/** The optimistic-concurrency conflict every stale write gets. */
export const staleConflict = (gr: GroupResource, name: string) =>
  conflict(gr, name, 'the object has been modified; please apply your changes to the latest version and try again')

/** 422 Invalid: `Deployment.apps "web" is invalid: spec.selector: Required value`. */
export function invalid(gk: GroupKind, name: string, errs: FieldError[]) {
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: e.message, field: e.field }))
  const msgs = errs.map((e) => e.error)
  const unique = [...new Set(msgs)]
  const agg = unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`
  return fail(422, 'Invalid', `${groupKindString(gk)} "${name}" is invalid: ${agg}`,
    { name, group: gk.group || undefined, kind: gk.kind, causes })
}
export const badRequest = (message: string) => fail(400, 'BadRequest', message)
export const unauthorized = (message = 'Unauthorized') => fail(401, 'Unauthorized', message)
export const forbidden = (message: string) => fail(403, 'Forbidden', message)
export const methodNotSupported = (gr: GroupResource, verb: string) =>
  fail(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${groupResourceString(gr)}"`, { group: gr.group || undefined, kind: gr.resource })
export const notAcceptable = (message: string) => fail(406, 'NotAcceptable', message)
export const unsupportedMediaType = (contentType: string, accepted: string[]) =>
  fail(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, { causes: [{ message: contentType }] })
export const requestEntityTooLarge = (message = 'Request entity too large: limit is 3145728') =>
  fail(413, 'RequestEntityTooLarge', message)
/** 410 Expired: a watch or list from a revision that storage no longer has. */
export const expired = (message: string) => fail(410, 'Expired', message)
export const gone = (message: string) => fail(410, 'Gone', message)
export const tooManyRequests = (message: string, retryAfterSeconds?: number) =>
  fail(429, 'TooManyRequests', message, retryAfterSeconds ? { retryAfterSeconds } : undefined)
export const timedOut = (message: string, cause?: unknown) => fail(504, 'Timeout', message, undefined, cause)
export const serviceUnavailable = (message: string) => fail(503, 'ServiceUnavailable', message)
export const internalError = (err: unknown) =>
  fail(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
    { causes: [{ message: err instanceof Error ? err.message : String(err) }] }, err)

export const isStatusError = (err: unknown): err is StatusError => err instanceof StatusError
const hasReason = (reason: Reason) => (err: unknown) => err instanceof StatusError && err.status.reason === reason
export const isNotFound = hasReason('NotFound')
export const isAlreadyExists = hasReason('AlreadyExists')
export const isConflict = hasReason('Conflict')
export const isInvalid = hasReason('Invalid')

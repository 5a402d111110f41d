/**
 * @module
 * JSON Patch (RFC 6902, `application/json-patch+json`), with the apiserver's error codes:
 * a body that is not a list of operations is a 400, too many operations a 413, and an
 * operation that does not apply (missing path, failed test) a 422.
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go (applyJSPatch,
// maxJSONPatchOperations); the operations themselves come from fast-json-patch.
import { fastJsonPatch } from '../lazy.js'
import type { Operation } from 'fast-json-patch'
import { badRequest, requestEntityTooLarge } from '../errors.js'
import { cannotApply, type PatchInput, isObject, readPatch } from './errors.js'

/** The most operations one JSON patch may hold, as upstream. */
export const MAX_JSON_PATCH_OPERATIONS = 10_000

const goKind = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v

/** Applies an RFC 6902 patch to a copy of `obj`; neither input is changed. */
export function applyJsonPatch<T>(obj: T, patch: PatchInput): T {
  const ops = readPatch(patch, (msg) => msg)
  if (ops === null) return structuredClone(obj) // upstream decodes `null` as an empty patch
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${goKind(ops)} into Go value of type jsonpatch.Patch`)
  const bad = ops.find((op) => !isObject(op))
  if (bad !== undefined) throw badRequest(`json: cannot unmarshal ${goKind(bad)} into Go value of type jsonpatch.Operation`)
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`)
  }
  // Values from the patch are inserted by reference and later operations may edit them:
  // copy the operations so the caller's patch stays as it was.
  const copied = structuredClone(ops) as Operation[]
  try {
    return fastJsonPatch().applyPatch(obj, copied, true, false).newDocument
  } catch (err) {
    throw cannotApply(err instanceof Error ? err.message : String(err))
  }
}

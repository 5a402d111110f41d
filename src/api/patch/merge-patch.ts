/**
 * @module
 * JSON Merge Patch (RFC 7386, `application/merge-patch+json`): objects merge key by key,
 * `null` deletes, anything else replaces. What `kubectl label`, `annotate` and `scale` send.
 */
// Upstream: gopkg.in/evanphx/json-patch.v4 merge.go (MergePatch) as the apiserver calls it in
// staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go (applyJSPatch). Like upstream,
// nulls are pruned from objects the patch brings in, but kept as elements of arrays.
import { badRequest, invalid } from '../errors.js'
import { invalidValue } from '../field-errors.js'
import { type JsonObject, type PatchInput, isObject, readPatch } from './errors.js'

/** Copy of a patch value as it lands in the document: nulls dropped from objects. */
function pruned(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === null ? null : pruned(x)))
  if (!isObject(v)) return v
  const out: JsonObject = {}
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = pruned(x)
  return out
}

function merge(doc: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...doc }
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else if (isObject(v) && isObject(out[k])) out[k] = merge(out[k] as JsonObject, v)
    else out[k] = pruned(v)
  }
  return out
}

/** Applies an RFC 7386 merge patch to `obj`, returning a new object; inputs are not changed. */
export function applyMergePatch<T extends object>(obj: T, patch: PatchInput): T {
  const p = readPatch(patch, () => 'Invalid JSON Patch')
  if (isObject(p)) return structuredClone(merge(obj as JsonObject, p)) as T
  if (Array.isArray(p)) {
    // Upstream's merge turns the document into the array, which then fails to decode as an object.
    const json = JSON.stringify(pruned(p))
    throw invalid({ group: '', kind: '' }, '', [invalidValue('patch', json, 'json: cannot unmarshal array into Go value of type map[string]interface {}')])
  }
  throw badRequest('Invalid JSON Patch')
}

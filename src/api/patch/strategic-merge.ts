/**
 * @module
 * Strategic merge patch (`application/strategic-merge-patch+json`), what `kubectl apply`,
 * `edit`, `set` and `patch` send for built-in kinds. Maps merge and `null` deletes; lists merge
 * by key or are replaced, as the schema model's patch strategy says; and the directives
 * `$patch`, `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` apply.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go
// (StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls, mergeMap,
// mergePatchIntoOriginal, applyRetainKeysDirective, validatePatchWithSetOrderList).
// Deliberate differences: values the patch brings in whole also lose stray directive keys
// (`$retainKeys`, `$setElementOrder/…`), which upstream drops only later when decoding into a
// typed object; and `$patch: merge` on a map is accepted as the default it names.
import type { SchemaLookup } from '../schema/types.js'
import { badRequest } from '../errors.js'
import {
  type JsonObject, type PatchInput, errBadArgType, errBadPatchFormatForPrimitiveList,
  errBadPatchFormatForRetainKeys, errBadPatchFormatForSetElementOrderList, errBadPatchType, errNoMergeKey,
  goFormat, isObject, plainError, readPatch,
} from './errors.js'
import { type ListContext, mergeSlice, normalizeElementOrder, partition, sliceElementType } from './smp-lists.js'
import { type Shape, fieldMeta, listMeta } from './smp-schema.js'

const DELETE_FROM = '$deleteFromPrimitiveList'
const SET_ORDER = '$setElementOrder'
const isDirectiveKey = (k: string) =>
  k === '$retainKeys' || k.startsWith(`${SET_ORDER}/`) || k.startsWith(`${DELETE_FROM}/`)

/**
 * A value as it lands when the patch supplies it whole: nulls dropped from maps, directive
 * maps dropped (returns [] for "keep nothing", else [value]).
 */
function cleaned(v: unknown): unknown[] {
  if (Array.isArray(v)) return [v.flatMap((x) => (x === null ? [null] : cleaned(x)))]
  if (!isObject(v)) return [v]
  if (Object.hasOwn(v, '$patch')) return []
  const out: JsonObject = {}
  for (const [k, x] of Object.entries(v)) {
    if (x === null || isDirectiveKey(k)) continue
    const c = cleaned(x)
    if (c.length) out[k] = c[0]
  }
  return [out]
}

// "$setElementOrder/containers" → "containers"; a malformed directive key is a 400.
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/')
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === DELETE_FROM ? errBadPatchFormatForPrimitiveList() : errBadPatchFormatForSetElementOrderList()
  }
  return key.slice(slash + 1)
}

type Ctx = ListContext & { lookup: SchemaLookup }

function mergeMap(original: JsonObject, patch: JsonObject, shape: Shape, ctx: Ctx): JsonObject {
  if (Object.hasOwn(patch, '$patch')) {
    const directive = patch.$patch
    delete patch.$patch
    if (directive === 'replace') return cleaned(patch)[0] as JsonObject
    if (directive === 'delete') return {}
    if (directive !== 'merge') throw errBadPatchType(directive, { ...patch, $patch: directive })
  }
  applyRetainKeys(original, patch)
  applySetElementOrder(original, patch, shape, ctx)
  for (const [patchKey, patchV] of Object.entries(patch)) {
    const isDeleteList = patchKey.startsWith(DELETE_FROM)
    const k = isDeleteList ? extractKey(patchKey, DELETE_FROM) : patchKey
    if (patchV === null) { delete original[k]; continue }
    const origV = original[k]
    const bothMaps = isObject(origV) && isObject(patchV)
    const bothLists = Array.isArray(origV) && Array.isArray(patchV)
    if (!Object.hasOwn(original, k) || (!bothMaps && !bothLists)) {
      // Not there yet, or a different kind of value: the patch value replaces it.
      if (isDeleteList) continue
      const [v] = cleaned(patchV)
      if (v === undefined) delete original[k]
      else original[k] = v
    } else if (bothMaps) {
      const meta = fieldMeta(shape, k, ctx.lookup)
      original[k] = meta.strategy === 'replace' ? cleaned(patchV)[0] ?? {} : mergeMap(origV, patchV, meta.shape, ctx)
    } else {
      const meta = listMeta(shape, k, ctx.lookup)
      original[k] = mergeList(origV as unknown[], patchV as unknown[], meta.shape, meta.strategy, meta.mergeKey, isDeleteList, ctx)
    }
  }
  return original
}

function mergeList(original: unknown[], patch: unknown[], shape: Shape, strategy: string, mergeKey: string,
  isDeleteList: boolean, ctx: Ctx): unknown[] {
  // Deletion lists work the same whatever the field's strategy is.
  if (strategy === 'merge' || isDeleteList) return mergeSlice(original, patch, shape, mergeKey, isDeleteList, ctx)
  return cleaned(patch)[0] as unknown[]
}

// `$retainKeys: [...]` keeps only the listed keys of the original map, and the patch itself
// may only set keys it lists.
function applyRetainKeys(original: JsonObject, patch: JsonObject) {
  if (!Object.hasOwn(patch, '$retainKeys')) return
  const keys = patch.$retainKeys
  delete patch.$retainKeys
  if (!Array.isArray(keys)) throw errBadPatchFormatForRetainKeys()
  const retain = new Set(keys)
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM) || k.startsWith(SET_ORDER)) continue
    if (!retain.has(k)) throw errBadPatchFormatForRetainKeys()
  }
  for (const k of Object.keys(original)) if (!retain.has(k)) delete original[k]
}

// `$setElementOrder/<list>` gives the final order of that list: merge the patch list (if any),
// then order the items it names by it and fit the rest in by their current order.
function applySetElementOrder(original: JsonObject, patch: JsonObject, shape: Shape, ctx: Ctx) {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue
    const order = patch[key]
    delete patch[key]
    if (!Array.isArray(order)) throw errBadArgType('[]interface {}', order)
    const listKey = extractKey(key, SET_ORDER)
    const foundOriginal = Object.hasOwn(original, listKey)
    const foundPatch = Object.hasOwn(patch, listKey)
    if (!foundOriginal && !foundPatch) continue
    const originalList = original[listKey]
    const patchList = patch[listKey]
    if (foundOriginal && !Array.isArray(originalList)) throw errBadArgType('[]interface {}', originalList)
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType('[]interface {}', patchList)
    const origItems = (originalList as unknown[] | undefined) ?? []
    const patchItems = (patchList as unknown[] | undefined) ?? []
    const meta = listMeta(shape, listKey, ctx.lookup)
    checkOrderMatchesPatch(patchItems, order, meta.mergeKey)
    const merged = !foundPatch ? origItems
      : !foundOriginal ? (cleaned(patchItems)[0] as unknown[])
      : mergeList(origItems, patchItems, meta.shape, meta.strategy, meta.mergeKey, false, ctx)
    const [named, rest] = partition(merged, order, meta.mergeKey)
    const elementType = sliceElementType(originalList as unknown[] | undefined, patchList as unknown[] | undefined)
    original[listKey] = normalizeElementOrder(named, rest, order, origItems, meta.mergeKey, elementType)
    delete patch[listKey]
  }
}

// The patch list's items (deletions aside) must appear in the order list, in the same order.
function checkOrderMatchesPatch(patchList: unknown[], order: unknown[], mergeKey: string) {
  if (order.length === 0 || patchList.length === 0) return
  let items = patchList
  if (mergeKey) {
    for (const v of patchList) if (!isObject(v)) throw errBadArgType('map[string]interface {}', v)
    items = patchList.filter((v) => (v as JsonObject).$patch !== 'delete')
  }
  const same = (a: unknown, b: unknown) => {
    if (!mergeKey) return a === b
    if (!isObject(a)) throw errBadArgType('map[string]interface {}', a)
    if (!isObject(b)) throw errBadArgType('map[string]interface {}', b)
    if (!Object.hasOwn(a, mergeKey)) throw errNoMergeKey(a, mergeKey)
    if (!Object.hasOwn(b, mergeKey)) throw errNoMergeKey(b, mergeKey)
    return a[mergeKey] === b[mergeKey]
  }
  let p = 0
  for (let o = 0; p < items.length && o < order.length; o++) {
    while (p < items.length && isObject(items[p]) && Object.hasOwn(items[p] as JsonObject, '$patch')) p++
    if (p < items.length && same(items[p], order[o])) p++
  }
  if (p < items.length) {
    throw plainError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ORDER} list:\n${goFormat(order)}\n`)
  }
}

/**
 * Applies a strategic merge patch to `original`, a value of the schema type `typeName`
 * (e.g. 'io.k8s.api.apps.v1.Deployment'), returning a new object; inputs are not changed.
 * Failures throw StatusErrors with the apiserver's code: 400 for a malformed patch, 422 for
 * one that cannot apply, 500 (empty reason) for the rest, as upstream.
 */
export function applyStrategicMergePatch<T>(original: T, patch: PatchInput, typeName: string, lookup: SchemaLookup): T {
  const p = readPatch(patch, (msg) => msg)
  if (p === null) return structuredClone(original) // upstream decodes `null` as an empty patch
  if (!isObject(p)) {
    const kind = Array.isArray(p) ? 'array' : p === null ? 'null' : typeof p === 'boolean' ? 'bool' : typeof p
    throw badRequest(`json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`)
  }
  const ctx: Ctx = {
    lookup, cleaned,
    mergeMap: (o, q, shape) => mergeMap(o, q, shape, ctx),
  }
  const base = isObject(original) ? structuredClone(original) : {}
  return mergeMap(base, structuredClone(p), { kind: 'ref', name: typeName }, ctx) as T
}

/**
 * @module
 * Strategic merge of lists: merge lists keyed by a merge key, primitive merge lists (union),
 * the `$patch` directives inside list elements, and the ordering rules that decide where
 * merged, new and untouched elements end up.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go (mergeSlice,
// mergeSliceWithSpecialElements, mergeSliceWithoutSpecialElements, normalizeElementOrder,
// normalizeSliceOrder, mergeSortedSlice, partition*, sliceElementType, deleteFromSlice).
// Ordering consequence worth knowing: without `$setElementOrder`, elements new to a list are
// placed before the untouched ones (upstream's merge of the two sorted runs does this).
import {
  type JsonObject, errBadArgType, errBadPatchType, errNoListOfLists, errNoMergeKey, goFormat, goType, isObject, plainError,
} from './errors.js'
import type { Shape } from './smp-schema.js'

const MAP = 'map[string]interface {}'
const LIST = '[]interface {}'

/** What list merging needs from the map merge: recursion into matched elements, and cleanup. */
export type ListContext = {
  mergeMap(original: JsonObject, patch: JsonObject, shape: Shape): JsonObject
  cleaned(v: unknown): unknown[]
}

/** The Go element type shared by every element of the lists; upstream rejects mixtures. */
export function sliceElementType(...lists: (unknown[] | undefined)[]): string {
  let type: string | undefined
  for (const list of lists) {
    for (const v of list ?? []) {
      const t = goType(v)
      if (type === undefined) {
        if (t === LIST) throw errNoListOfLists()
        type = t
      } else if (t !== type) {
        throw plainError(`list element types are not identical: ${goFormat(lists.map((l) => l ?? []))}`)
      }
    }
  }
  if (type === undefined) throw plainError('no elements in any of the given slices')
  return type
}

// Go compares merge-key values with ==, where a missing key and null are both nil.
const keyOf = (item: unknown, mergeKey: string, isMap: boolean): unknown =>
  isMap ? (isObject(item) ? item[mergeKey] ?? null : null) : item

/** Positions of the first occurrence of each key in `list`, for O(1) ordering lookups. */
function positions(list: readonly unknown[], mergeKey: string, isMap: boolean): Map<unknown, number> {
  const at = new Map<unknown, number>()
  list.forEach((v, i) => { const k = keyOf(v, mergeKey, isMap); if (!at.has(k)) at.set(k, i) })
  return at
}

/** Index of the map in `list` whose `key` equals `value` (present and ===), or -1. */
export function findByKey(list: readonly unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i]
    if (!isObject(v)) throw plainError(`value for key ${i} is not a map`)
    if (Object.hasOwn(v, key) && v[key] === value) return i
  }
  return -1
}

function requireMergeKeys(mergeKey: string, ...lists: readonly unknown[][]) {
  for (const list of lists) {
    for (const item of list) {
      if (!isObject(item)) throw errBadArgType(MAP, item)
      if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey)
    }
  }
}

/** Splits `items` into those present in `by` and the rest, keeping their order. */
export function partition(items: unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inBy: unknown[] = []
  const rest: unknown[] = []
  if (!mergeKey) {
    const set = new Set(by)
    for (const v of items) (set.has(v) ? inBy : rest).push(v)
    return [inBy, rest]
  }
  for (const v of items) {
    if (!isObject(v)) throw errBadArgType(MAP, v)
    if (!Object.hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey)
    ;(findByKey(by, mergeKey, v[mergeKey]) >= 0 ? inBy : rest).push(v)
  }
  return [inBy, rest]
}

// Sorts `items` by their position in `order`. Upstream's comparator calls a pair ordered
// whenever either is missing from `order`; an insertion sort reproduces what that does.
function sortByOrder(items: unknown[], order: readonly unknown[], mergeKey: string, isMap: boolean): unknown[] {
  let toDelete: unknown[] = []
  if (isMap) {
    requireMergeKeys(mergeKey, items, order as unknown[])
    toDelete = items.filter((v) => (v as JsonObject).$patch === 'delete')
    items = items.filter((v) => (v as JsonObject).$patch !== 'delete')
  }
  const at = positions(order, mergeKey, isMap)
  const pos = (v: unknown) => at.get(keyOf(v, mergeKey, isMap)) ?? -1
  let sorted: unknown[]
  if (items.every((v) => pos(v) >= 0)) {
    sorted = items.map((v, i) => ({ v, p: pos(v), i })).sort((a, b) => a.p - b.p || a.i - b.i).map((x) => x.v)
  } else {
    sorted = [...items]
    const less = (a: unknown, b: unknown) => { const pa = pos(a); const pb = pos(b); return pa >= 0 && pb >= 0 ? pa < pb : true }
    for (let i = 1; i < sorted.length; i++) {
      for (let j = i; j > 0 && less(sorted[j], sorted[j - 1]); j--) [sorted[j], sorted[j - 1]] = [sorted[j - 1], sorted[j]]
    }
  }
  return [...sorted, ...toDelete]
}

/**
 * Orders a merged list: patch items by `patchOrder`, server-only items by `serverOrder`, then
 * interleaves the two runs, placing a server-only item first only when `serverOrder` shows it
 * before the patch item it is compared with.
 */
export function normalizeElementOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: readonly unknown[],
  serverOrder: readonly unknown[], mergeKey: string, elementType: string): unknown[] {
  const isMap = elementType === MAP
  const right = sortByOrder(patchItems, patchOrder, mergeKey, isMap)
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, isMap)
  const at = positions(serverOrder, mergeKey, isMap)
  const pos = (v: unknown) => at.get(keyOf(v, mergeKey, isMap)) ?? -1
  const out: unknown[] = []
  let i = 0
  let j = 0
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++])
    else if (j >= right.length) out.push(left[i++])
    else {
      const li = pos(left[i])
      const ri = pos(right[j])
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++])
      else out.push(right[j++])
    }
  }
  return out
}

/** Merges a patch list into a list whose field has the merge strategy (or a deletion list). */
export function mergeSlice(original: unknown[], patch: unknown[], shape: Shape, mergeKey: string,
  isDeleteList: boolean, ctx: ListContext): unknown[] {
  if (original.length === 0 && patch.length === 0) return original
  const elementType = sliceElementType(original, patch)
  let merged: unknown[]
  if (elementType !== MAP) {
    if (isDeleteList) {
      const gone = new Set(patch)
      return original.filter((v) => !gone.has(v))
    }
    merged = [...new Set([...original, ...patch])]
  } else {
    if (!mergeKey) throw plainError('cannot merge lists without merge key for struct')
    ;[original, patch] = applySpecialElements(original, patch, mergeKey, ctx)
    merged = [...original]
    for (const item of patch as JsonObject[]) {
      if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey)
      const i = findByKey(merged, mergeKey, item[mergeKey])
      if (i >= 0) merged[i] = ctx.mergeMap(merged[i] as JsonObject, item, shape)
      else merged.push(...ctx.cleaned(item))
    }
  }
  const [patchItems, serverOnly] = partition(merged, patch, mergeKey)
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, elementType)
}

// `$patch: delete` elements remove their match from `original`; `$patch: replace` makes the
// rest of the patch the whole list. Returns the new original and the patch without them.
function applySpecialElements(original: unknown[], patch: unknown[], mergeKey: string, ctx: ListContext): [unknown[], unknown[]] {
  const plain: unknown[] = []
  let replace = false
  for (const v of patch as JsonObject[]) {
    if (!Object.hasOwn(v, '$patch')) { plain.push(v); continue }
    const directive = v.$patch
    if (directive === 'delete') {
      if (!Object.hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey)
      const value = v[mergeKey]
      for (let i = findByKey(original, mergeKey, value); i >= 0; i = findByKey(original, mergeKey, value)) {
        original = [...original.slice(0, i), ...original.slice(i + 1)]
      }
    } else if (directive === 'replace') {
      replace = true
    } else if (directive === 'merge') {
      throw plainError('merging lists cannot yet be specified in the patch')
    } else {
      throw errBadPatchType(directive, v)
    }
  }
  return replace ? [plain.flatMap((v) => ctx.cleaned(v)), []] : [original, plain]
}

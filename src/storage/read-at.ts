/**
 * @module
 * Prefix lists over the in-memory index: at the latest revision, or at a recent revision by
 * undoing the changes the history ring holds after it (what paginated lists with a continue
 * token need, without keeping every version of every key).
 */
import { keyOf, type Change } from './history.js'
import type { SortedKeys } from './sorted-keys.js'
import { prefixEnd } from './sorted-keys.js'
import type { KeyValue } from './types.js'

export type Page = { kvs: KeyValue[]; more: boolean; remaining?: number }

/** What a list reads: the sorted keys and the latest value of each. */
export type Latest = { index: SortedKeys; values: Map<string, KeyValue> }

const startOf = (prefix: string, startKey?: string) =>
  startKey !== undefined && startKey > prefix ? startKey : prefix

/** A page of the latest values under `prefix`. */
export function listLatest(db: Latest, prefix: string, startKey?: string, limit = 0): Page {
  const end = prefixEnd(prefix)
  const kvs: KeyValue[] = []
  for (const key of db.index.range(startOf(prefix, startKey), end)) {
    if (limit > 0 && kvs.length === limit) {
      const remaining = db.index.countRange(kvs[kvs.length - 1]!.key + '\0', end)
      return { kvs, more: true, remaining }
    }
    kvs.push(db.values.get(key)!)
  }
  return { kvs, more: false, ...(limit > 0 ? { remaining: 0 } : {}) }
}

/** A page of the values as they were before `later` (every change after the wanted revision,
 *  oldest first) happened. */
export function listBefore(db: Latest, later: readonly Change[], prefix: string, startKey?: string, limit = 0): Page {
  const from = startOf(prefix, startKey)
  const end = prefixEnd(prefix)
  // The state at the wanted revision of every key changed since: the first change's "prev".
  const then = new Map<string, KeyValue | null>()
  for (const ev of later) {
    const key = keyOf(ev)
    if (!key.startsWith(prefix) || then.has(key)) continue
    then.set(key, ev.prev ?? null)
  }
  const valueOf = (key: string) => (then.has(key) ? then.get(key) ?? undefined : db.values.get(key))
  // Keys live then but gone now are not in the index: merge them in, in order.
  const gone = [...then.entries()]
    .filter(([k, v]) => v !== null && !db.values.has(k) && k >= from)
    .map(([k]) => k)
    .sort()
  const kvs: KeyValue[] = []
  const keys = db.index.range(from, end)
  let next = keys.next()
  let g = 0
  for (;;) {
    let key: string
    if (!next.done && (g >= gone.length || next.value < gone[g]!)) {
      key = next.value
      next = keys.next()
    } else if (g < gone.length) key = gone[g++]!
    else break
    const kv = valueOf(key)
    if (!kv) continue
    if (limit > 0 && kvs.length === limit) {
      const after = kvs[kvs.length - 1]!.key + '\0'
      let remaining = db.index.countRange(after, end)
      for (const [k, v] of then) {
        if (k < after || (end !== undefined && k >= end)) continue
        if (v !== null && !db.values.has(k)) remaining++
        else if (v === null && db.values.has(k)) remaining--
      }
      return { kvs, more: true, remaining }
    }
    kvs.push(kv)
  }
  return { kvs, more: false, ...(limit > 0 ? { remaining: 0 } : {}) }
}

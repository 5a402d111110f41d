/**
 * @module
 * A binary heap with keyed entries, so a queued pod can be found, updated or removed in
 * O(log n) — what activeQ and backoffQ both need.
 */
// Upstream: pkg/scheduler/backend/heap/heap.go.

export type Heap<T> = ReturnType<typeof newHeap<T>>

export function newHeap<T>(keyOf: (item: T) => string, less: (a: T, b: T) => boolean) {
  const items: T[] = []
  const index = new Map<string, number>()

  const swap = (i: number, j: number) => {
    const a = items[i]!
    const b = items[j]!
    items[i] = b
    items[j] = a
    index.set(keyOf(b), i)
    index.set(keyOf(a), j)
  }
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!less(items[i]!, items[parent]!)) break
      swap(i, parent)
      i = parent
    }
  }
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let best = i
      if (l < items.length && less(items[l]!, items[best]!)) best = l
      if (r < items.length && less(items[r]!, items[best]!)) best = r
      if (best === i) return
      swap(i, best)
      i = best
    }
  }
  const removeAt = (i: number): T => {
    const item = items[i]!
    const last = items.length - 1
    if (i !== last) swap(i, last)
    items.pop()
    index.delete(keyOf(item))
    if (i < items.length) {
      down(i)
      up(i)
    }
    return item
  }

  return {
    get size() {
      return items.length
    },
    has: (key: string) => index.has(key),
    get: (key: string): T | undefined => {
      const i = index.get(key)
      return i === undefined ? undefined : items[i]
    },
    /** Adds, or replaces the entry with the same key. */
    addOrUpdate(item: T) {
      const k = keyOf(item)
      const i = index.get(k)
      if (i === undefined) {
        items.push(item)
        index.set(k, items.length - 1)
        up(items.length - 1)
      } else {
        items[i] = item
        down(i)
        up(i)
      }
    },
    delete(key: string): T | undefined {
      const i = index.get(key)
      return i === undefined ? undefined : removeAt(i)
    },
    peek: (): T | undefined => items[0],
    pop: (): T | undefined => (items.length ? removeAt(0) : undefined),
    list: (): readonly T[] => items,
  }
}

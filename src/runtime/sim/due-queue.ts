/**
 * @module
 * One timeline for the whole fleet: each key (a node's heartbeat, a pod) has at most one
 * due time, kept in a binary heap. Thousands of nodes then cost one timer, not thousands.
 * Rescheduling a key replaces its time; stale heap entries are skipped when they surface.
 */

type Entry = { atMs: number; key: string; seq: number }

/** An empty timeline. */
export function dueQueue() {
  const heap: Entry[] = []
  const current = new Map<string, number>() // key → seq of its live entry
  let seq = 0

  const less = (a: Entry, b: Entry) => a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq)
  const swap = (i: number, j: number) => {
    const t = heap[i]!
    heap[i] = heap[j]!
    heap[j] = t
  }
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!less(heap[i]!, heap[p]!)) return
      swap(i, p)
      i = p
    }
  }
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r
      if (m === i) return
      swap(i, m)
      i = m
    }
  }
  const pop = () => {
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length) {
      heap[0] = last
      down(0)
    }
    return top
  }
  const isLive = (e: Entry) => current.get(e.key) === e.seq
  // Drops dead entries from the top so that `nextAtMs` tells the truth.
  const prune = () => {
    while (heap.length && !isLive(heap[0]!)) pop()
  }

  return {
    /** Sets `key` to come due at `atMs`, replacing any earlier or later time it had. */
    schedule(key: string, atMs: number) {
      const e = { atMs, key, seq: ++seq }
      current.set(key, e.seq)
      heap.push(e)
      up(heap.length - 1)
      // Rescheduling leaves dead entries behind; rebuild before they outnumber the live ones.
      if (heap.length > 1024 && heap.length > 4 * current.size) {
        const live = heap.filter(isLive)
        heap.length = 0
        for (const x of live) {
          heap.push(x)
          up(heap.length - 1)
        }
      }
    },
    cancel: (key: string) => void current.delete(key),
    has: (key: string) => current.has(key),
    /** Removes and returns every key due at or before `nowMs`, earliest first. */
    takeDue(nowMs: number): string[] {
      const out: string[] = []
      prune()
      while (heap.length && heap[0]!.atMs <= nowMs) {
        const e = pop()
        current.delete(e.key)
        out.push(e.key)
        prune()
      }
      return out
    },
    /** When the earliest key comes due, or undefined when none is scheduled. */
    nextAtMs(): number | undefined {
      prune()
      return heap[0]?.atMs
    },
    size: () => current.size,
  }
}
export type DueQueue = ReturnType<typeof dueQueue>

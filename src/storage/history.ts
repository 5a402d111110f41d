/**
 * @module
 * The ring of recent events that serves watch replay and reads at a recent revision. Every
 * revision is exactly one event, so an event's slot follows from its revision.
 */
import type { Revision, WatchEvent } from './types.js'

/** A change: a put or a delete (never a progress event). */
export type Change = Exclude<WatchEvent, { type: 'progress' }>

export const revisionOf = (ev: Change): Revision => (ev.type === 'put' ? ev.kv.modRevision : ev.revision)
export const keyOf = (ev: Change): string => (ev.type === 'put' ? ev.kv.key : ev.key)

/** A bounded ring of the latest `capacity` changes. `coveredAfter` is the oldest revision after
 *  which the ring holds every change. */
export function historyRing(capacity: number, coveredAfter: Revision) {
  const slots: (Change | undefined)[] = new Array(Math.max(1, capacity))
  let start = 0 // slot of the oldest change
  let count = 0
  let covered = coveredAfter

  function push(ev: Change): void {
    if (count === slots.length) {
      // Evicting the oldest: watches from before it can no longer be replayed from here.
      covered = revisionOf(slots[start]!)
      slots[start] = undefined
      start = (start + 1) % slots.length
      count--
    }
    slots[(start + count) % slots.length] = ev
    count++
  }

  /** Changes with revision > `after`, oldest first; `after` must be >= `coveredAfter`. */
  function since(after: Revision): Change[] {
    const out: Change[] = []
    if (count === 0) return out
    const first = revisionOf(slots[start]!)
    for (let i = Math.max(0, after + 1 - first); i < count; i++) out.push(slots[(start + i) % slots.length]!)
    return out
  }

  /** Forgets changes at or before `upTo` (compaction). */
  function dropThrough(upTo: Revision): void {
    while (count > 0 && revisionOf(slots[start]!) <= upTo) {
      covered = revisionOf(slots[start]!)
      slots[start] = undefined
      start = (start + 1) % slots.length
      count--
    }
    covered = Math.max(covered, upTo)
  }

  return { push, since, dropThrough, get coveredAfter() { return covered }, get size() { return count } }
}
export type HistoryRing = ReturnType<typeof historyRing>

/**
 * @module
 * Expectations: writes a controller has made that its informer has not shown it yet.
 * Without them a second sync right after a create would see too few pods and create again.
 */
// Upstream: pkg/controller/controller_utils.go (ControllerExpectations). Same semantics,
// including the 5-minute expiry; the clock is a parameter, as upstream's TODO asks.
const TTL_MS = 5 * 60_000

/** One controller's record of in-flight creates and deletes, keyed like its queue. */
export function newExpectations(now: () => number = Date.now) {
  const pending = new Map<string, { adds: number; deletes: number; sinceMs: number }>()
  return {
    expectCreations: (key: string, n: number) => void pending.set(key, { adds: n, deletes: 0, sinceMs: now() }),
    expectDeletions: (key: string, n: number) => void pending.set(key, { adds: 0, deletes: n, sinceMs: now() }),
    /** Creations and deletions at once (a DaemonSet sync may do both). */
    setExpectations: (key: string, adds: number, deletes: number) => void pending.set(key, { adds, deletes, sinceMs: now() }),
    /** Writes that will not happen after all (a slow-start batch stopped early). */
    lowerExpectations(key: string, adds: number, deletes: number) {
      const p = pending.get(key)
      if (p) {
        p.adds -= adds
        p.deletes -= deletes
      }
    },
    creationObserved(key: string) {
      const p = pending.get(key)
      if (p) p.adds--
    },
    deletionObserved(key: string) {
      const p = pending.get(key)
      if (p) p.deletes--
    },
    /** True once every recorded write for `key` was seen, or the record went stale. */
    satisfied(key: string): boolean {
      const p = pending.get(key)
      // Without the expiry, a create that vanished without an error would park this key forever.
      return !p || (p.adds <= 0 && p.deletes <= 0) || now() - p.sinceMs > TTL_MS
    },
    delete: (key: string) => void pending.delete(key),
  }
}
export type Expectations = ReturnType<typeof newExpectations>

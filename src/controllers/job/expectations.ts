/**
 * @module
 * Tracking finalizer removals the Job controller has written but its pod informer has not
 * shown it yet (by pod UID). A sync that ignored them would see the finalizer still on a
 * finished pod and count it twice. (Counted pod creations and deletions use the shared
 * expectations from the client.)
 */
// Upstream: pkg/controller/job/tracking_utils.go (uidTrackingExpectations).

/** Pod UIDs per Job key whose tracking finalizer removal has not been observed yet. */
export function newFinalizerExpectations() {
  const sets = new Map<string, Set<string>>()
  return {
    expectRemoved(key: string, uids: readonly string[]) {
      let s = sets.get(key)
      if (!s) sets.set(key, (s = new Set()))
      for (const u of uids) s.add(u)
    },
    observed: (key: string, uid: string) => void sets.get(key)?.delete(uid),
    expected: (key: string): ReadonlySet<string> => new Set(sets.get(key)),
    delete: (key: string) => void sets.delete(key),
  }
}
export type FinalizerExpectations = ReturnType<typeof newFinalizerExpectations>

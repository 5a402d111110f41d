/**
 * @module
 * Pod expectations that remember which pods a deletion waits for, so that a pod seen first
 * with a deletionTimestamp and then as deleted is counted once, not twice.
 */
// Upstream: pkg/controller/controller_utils.go (UIDTrackingControllerExpectations), over the
// lead's ControllerExpectations (src/client/expectations.ts).
import { newExpectations } from '../../client/index.js'

/** Creations are counted; deletions are tracked per pod key ("namespace/name"). */
export function podExpectations(now: () => number) {
  const counts = newExpectations(now)
  const deleting = new Map<string, Set<string>>()
  return {
    expectCreations(key: string, n: number) {
      deleting.delete(key)
      counts.expectCreations(key, n)
    },
    creationObserved: (key: string) => counts.creationObserved(key),
    expectDeletions(key: string, podKeys: string[]) {
      deleting.set(key, new Set(podKeys))
      counts.expectDeletions(key, podKeys.length)
    },
    /** Lowers the count only the first time `podKey` is seen going away. */
    deletionObserved(key: string, podKey: string) {
      if (deleting.get(key)?.delete(podKey)) counts.deletionObserved(key)
    },
    satisfied: (key: string) => counts.satisfied(key),
    delete(key: string) {
      deleting.delete(key)
      counts.delete(key)
    },
  }
}
export type PodExpectations = ReturnType<typeof podExpectations>

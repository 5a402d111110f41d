/**
 * @module
 * Expectations with creations and deletions counted together, as upstream's SetExpectations
 * does: one syncNodes call may both create pods on new nodes and delete pods elsewhere.
 */
// Upstream: pkg/controller/controller_utils.go (ControllerExpectations.SetExpectations,
// LowerExpectations), over the shared counter in src/client (which records creations and
// deletions under separate keys here).
import { newExpectations } from '../../client/index.js'

const deletions = (key: string) => `${key}#deletions`

/** In-flight pod creates and deletes per DaemonSet key. */
export function daemonExpectations(now: () => number) {
  const e = newExpectations(now)
  return {
    setExpectations(key: string, adds: number, dels: number) {
      e.expectCreations(key, adds)
      e.expectDeletions(deletions(key), dels)
    },
    creationObserved: (key: string) => e.creationObserved(key),
    deletionObserved: (key: string) => e.deletionObserved(deletions(key)),
    /** Creations that will not happen after all (a slow-start batch stopped). */
    lowerCreations(key: string, n: number) {
      for (let i = 0; i < n; i++) e.creationObserved(key)
    },
    satisfied: (key: string) => e.satisfied(key) && e.satisfied(deletions(key)),
    delete(key: string) {
      e.delete(key)
      e.delete(deletions(key))
    },
  }
}
export type DaemonExpectations = ReturnType<typeof daemonExpectations>

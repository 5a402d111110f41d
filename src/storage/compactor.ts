/**
 * @module
 * Periodic compaction, so the log and the watch history do not grow without bound while the
 * last `retainRevisions` revisions stay watchable.
 *
 * Upstream: staging/src/k8s.io/apiserver/pkg/storage/etcd3/compact.go (compactor): every
 * 5 minutes. Difference: upstream compacts to the revision it saw one interval earlier; here
 * the bound is a revision count, which keeps a steady history whatever the write rate.
 */
import type { Backend } from './types.js'

export type CompactorOptions = { intervalMs?: number; retainRevisions?: number }

/** Compacts `backend` every `intervalMs` to `currentRevision - retainRevisions`. */
export function startCompactor(backend: Backend, { intervalMs = 5 * 60_000, retainRevisions = 10_000 }: CompactorOptions = {}): { stop(): void } {
  let running = false
  const timer = setInterval(function compactTick() {
    const upTo = backend.currentRevision() - retainRevisions
    if (running || upTo <= backend.compactedRevision()) return
    running = true
    // A failed round (e.g. the store was closed) is retried at the next tick, never thrown.
    backend.compact(upTo).catch(() => {}).finally(() => { running = false })
  }, intervalMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}

/**
 * @module
 * Periodic compaction, so the log and the watch history do not grow without bound.
 *
 * Upstream: staging/src/k8s.io/apiserver/pkg/storage/etcd3/compact.go (compactor): every
 * interval (5 minutes by default), compact to the revision seen one interval earlier, so a
 * client always has at least one interval to resume a watch.
 */
import type { Backend } from './types.js'

export type CompactorOptions = {
  intervalMs?: number
  /** Keep at least this many recent revisions, even if they are older than one interval. */
  retainRevisions?: number
}

/** Every `intervalMs`, compacts `backend` to the revision it had at the previous tick. */
export function startCompactor(backend: Backend, { intervalMs = 5 * 60_000, retainRevisions = 0 }: CompactorOptions = {}): { stop(): void } {
  let running = false
  let seen = backend.currentRevision()
  const timer = setInterval(function compactTick() {
    const upTo = Math.min(seen, backend.currentRevision() - retainRevisions)
    seen = backend.currentRevision()
    if (running || upTo <= backend.compactedRevision()) return
    running = true
    // A failed round (e.g. the store was closed) is retried at the next tick, never thrown.
    backend.compact(upTo).catch(() => {}).finally(() => { running = false })
  }, intervalMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}

/**
 * @module
 * The kubelet's restart back-off: per key (a container of a pod, or an image), a delay that
 * starts at 10 s and doubles to 5 min, and is forgotten once nothing failed for twice the
 * maximum (10 min), so a container that ran for a while starts over at 10 s.
 */
// Upstream: client-go util/flowcontrol/backoff.go (Backoff: Next, IsInBackOffSince, hasExpired
// with 2 × maxDuration) as used by kuberuntime_manager.go doBackOff and images/image_manager.go.

export type BackoffOptions = { initialMs?: number; maxMs?: number; now?: () => number }

type Entry = { backoffMs: number; lastUpdateMs: number }

/** A keyed back-off: `next` after a failure, `inBackoffSince` to ask whether to wait. */
export function createBackoff({ initialMs = 10_000, maxMs = 300_000, now = Date.now }: BackoffOptions = {}) {
  const entries = new Map<string, Entry>()
  const expired = (e: Entry, atMs: number) => atMs - e.lastUpdateMs > 2 * maxMs
  return {
    /** Records a failure at `eventMs`: the first (or first after a long calm) waits `initialMs`, later ones twice the last. */
    next(key: string, eventMs: number = now()): void {
      const e = entries.get(key)
      if (!e || expired(e, eventMs)) entries.set(key, { backoffMs: initialMs, lastUpdateMs: eventMs })
      else entries.set(key, { backoffMs: Math.min(e.backoffMs * 2, maxMs), lastUpdateMs: eventMs })
    },
    /** True while the delay recorded for `key` has not passed since `eventMs` (the failure's time). */
    inBackoffSince(key: string, eventMs: number): boolean {
      const e = entries.get(key)
      if (!e || expired(e, eventMs)) return false
      return now() - eventMs < e.backoffMs
    },
    /** When the last failure of `key` was recorded. */
    lastAt(key: string): number | undefined {
      return entries.get(key)?.lastUpdateMs
    },
    /** The current delay of `key` (0 when none). */
    get(key: string): number {
      return entries.get(key)?.backoffMs ?? 0
    },
    /** When a back-off that began at `eventMs` ends, or undefined when `key` has none. */
    dueAt(key: string, eventMs: number): number | undefined {
      const e = entries.get(key)
      return e ? eventMs + e.backoffMs : undefined
    },
    reset(key: string): void {
      entries.delete(key)
    },
    /** Forgets every key that starts with `prefix` (a pod's containers when it goes away). */
    resetPrefix(prefix: string): void {
      for (const k of entries.keys()) if (k.startsWith(prefix)) entries.delete(k)
    },
  }
}
export type Backoff = ReturnType<typeof createBackoff>

/** Go's time.Duration formatting for whole seconds and minutes ("10s", "5m0s", "2m40s"). */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return `${m}m${s % 60}s`
}

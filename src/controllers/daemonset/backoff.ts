/**
 * @module
 * Per-node backoff for replacing failed daemon pods: a kubelet that keeps rejecting a pod
 * would otherwise see it deleted and recreated in a tight loop.
 */
// Upstream: client-go/util/flowcontrol/backoff.go (Backoff: IsInBackOffSinceUpdate, Next, Get),
// with the DaemonSet controller's 1 s initial and 15 min maximum delay.
const INITIAL_MS = 1_000
const MAX_MS = 15 * 60_000

/** Exponential backoff per key, on the controller's clock. */
export function failedPodsBackoff(now: () => number, initialMs = INITIAL_MS, maxMs = MAX_MS) {
  const entries = new Map<string, { delayMs: number; lastUpdateMs: number }>()
  return {
    /** Still inside the delay that started at the last `next`. */
    inBackoff(key: string): boolean {
      const e = entries.get(key)
      return !!e && now() - e.lastUpdateMs < e.delayMs
    },
    /** Starts (or doubles) the delay; an entry idle for twice the maximum starts over. */
    next(key: string): void {
      const e = entries.get(key)
      const t = now()
      if (!e || t - e.lastUpdateMs > 2 * maxMs) entries.set(key, { delayMs: initialMs, lastUpdateMs: t })
      else entries.set(key, { delayMs: Math.min(e.delayMs * 2, maxMs), lastUpdateMs: t })
    },
    delay: (key: string) => entries.get(key)?.delayMs ?? 0,
    /** Forgets entries idle for twice the maximum (upstream's periodic GC). */
    gc(): void {
      const t = now()
      for (const [k, e] of entries) if (t - e.lastUpdateMs > 2 * maxMs) entries.delete(k)
    },
  }
}

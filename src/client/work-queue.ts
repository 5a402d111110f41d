/**
 * @module
 * The rate-limited work queue: a key is queued at most once, handed to one worker at a
 * time, and re-queued after `done` if it was added again while being processed.
 */
// Upstream: client-go util/workqueue (Type, delaying_queue, ItemExponentialFailureRateLimiter
// 5 ms → 1000 s). The overall token bucket (10 qps) is left out: our writes are in process.

export type WorkQueue = ReturnType<typeof workQueue>

export function workQueue(opts: { baseDelayMs?: number; maxDelayMs?: number } = {}) {
  const base = opts.baseDelayMs ?? 5
  const max = opts.maxDelayMs ?? 1_000_000
  const queue: string[] = []
  let head = 0
  const queued = new Set<string>()
  const processing = new Set<string>()
  const dirty = new Set<string>()
  const failures = new Map<string, number>()
  const timers = new Map<string, NodeJS.Timeout>()
  const waiters: ((key: string | undefined) => void)[] = []
  let shutDown = false

  const q = {
    add(key: string) {
      if (shutDown) return
      if (processing.has(key)) {
        dirty.add(key)
        return
      }
      if (queued.has(key)) return
      queued.add(key)
      const w = waiters.shift()
      if (w) {
        queued.delete(key)
        processing.add(key)
        w(key)
      } else queue.push(key)
    },
    /** Adds `key` after `ms` (an earlier pending add wins). */
    addAfter(key: string, ms: number) {
      if (shutDown) return
      if (ms <= 0) return q.add(key)
      const existing = timers.get(key)
      if (existing) clearTimeout(existing)
      const t = setTimeout(() => {
        timers.delete(key)
        q.add(key)
      }, ms)
      t.unref()
      timers.set(key, t)
    },
    /** Adds `key` after its exponential back-off: base · 2^failures, capped. */
    addRateLimited(key: string) {
      const n = failures.get(key) ?? 0
      failures.set(key, n + 1)
      q.addAfter(key, Math.min(base * 2 ** n, max))
    },
    forget: (key: string) => void failures.delete(key),
    failures: (key: string) => failures.get(key) ?? 0,
    /** The next key, or undefined once the queue is shut down. */
    get(): Promise<string | undefined> {
      if (head < queue.length) {
        const key = queue[head++]!
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head)
          head = 0
        }
        queued.delete(key)
        processing.add(key)
        return Promise.resolve(key)
      }
      if (shutDown) return Promise.resolve(undefined)
      return new Promise((resolve) => waiters.push(resolve))
    },
    done(key: string) {
      processing.delete(key)
      if (dirty.delete(key)) q.add(key)
    },
    len: () => queue.length - head,
    shutDown() {
      shutDown = true
      for (const t of timers.values()) clearTimeout(t)
      timers.clear()
      for (const w of waiters.splice(0)) w(undefined)
    },
  }
  return q
}

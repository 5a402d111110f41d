/**
 * @module
 * The reconcile loop, written once: triggers fill a work queue with keys; workers take one
 * key at a time and call `sync`; a thrown error retries with back-off, `{requeueAfterMs}`
 * comes back later, success forgets the key's failures.
 */
// Upstream: kubernetes/sample-controller controller.go (runWorker, processNextWorkItem).
import type { Controller, Informers } from './types.js'
import { workQueue } from './work-queue.js'

export type RunOptions = {
  workers?: number
  signal: AbortSignal
  /** Waited for before the first sync, so a sync never acts on a half-filled cache. */
  informers?: Informers
  onError?: (controller: string, key: string, err: unknown) => void
}

export async function runController(c: Controller, opts: RunOptions): Promise<void> {
  const { signal } = opts
  const queue = workQueue()
  const unsubscribe = c.triggers.map((t) => t.subscribe((key) => queue.add(key)))
  const onError = opts.onError ?? defaultOnError
  signal.addEventListener('abort', () => queue.shutDown(), { once: true })
  try {
    if (opts.informers) await opts.informers.waitForSync(signal)
    if (signal.aborted) return
    let tick: NodeJS.Timeout | undefined
    if (c.tick) {
      const { everyMs, run } = c.tick
      let running = false
      const fire = () => {
        if (running || signal.aborted) return
        running = true
        run(signal).catch((err) => onError(c.name, '(tick)', err)).finally(() => (running = false))
      }
      tick = setInterval(fire, everyMs)
      tick.unref()
      fire()
    }
    const worker = async () => {
      for (;;) {
        const key = await queue.get()
        if (key === undefined) return
        try {
          const r = await c.sync(key, signal)
          queue.forget(key)
          if (r && r.requeueAfterMs !== undefined) queue.addAfter(key, r.requeueAfterMs)
        } catch (err) {
          if (signal.aborted) return
          onError(c.name, key, err)
          queue.addRateLimited(key)
        } finally {
          queue.done(key)
        }
      }
    }
    await Promise.all(Array.from({ length: opts.workers ?? 1 }, worker))
    if (tick) clearInterval(tick)
  } finally {
    for (const u of unsubscribe) u()
  }
}

// Conflicts are the normal cost of optimistic concurrency: retried quietly.
function defaultOnError(controller: string, key: string, err: unknown) {
  const e = err as { status?: { reason?: string }; message?: string }
  if (e?.status?.reason === 'Conflict' || e?.status?.reason === 'NotFound' || e?.status?.reason === 'AlreadyExists') return
  if (process.env.KUBELITE_DEBUG || !e?.status) console.error(`controller ${controller}: sync ${key}: ${e?.message ?? err}`)
}

/**
 * @module
 * In-process watch fan-out. Each watcher has its own buffer, filled synchronously when a batch
 * commits, so a slow reader never blocks writers or other watchers; a reader that falls too far
 * behind is ended with 'Compacted' (the API server answers 410 and the client re-lists) instead
 * of growing memory without bound.
 */
import { keyOf, revisionOf, type Change } from './history.js'
import { StorageError, type Revision, type WatchEvent } from './types.js'

type Subscriber = {
  prefix: string
  queue: Change[]
  head: number
  failed?: StorageError
  wake?: () => void
}

/** The set of live watchers; `publish` delivers a committed batch to each. */
export function watchHub(maxBuffered: number) {
  const subs = new Set<Subscriber>()

  function subscribe(prefix: string): Subscriber {
    const sub: Subscriber = { prefix, queue: [], head: 0 }
    subs.add(sub)
    return sub
  }

  function fail(sub: Subscriber, err: StorageError): void {
    subs.delete(sub)
    sub.failed = err
    sub.queue = []
    sub.head = 0
    sub.wake?.()
  }

  function publish(changes: readonly Change[]): void {
    for (const sub of subs) {
      const before = sub.queue.length
      for (const ev of changes) if (keyOf(ev).startsWith(sub.prefix)) sub.queue.push(ev)
      if (sub.queue.length === before) continue
      if (sub.queue.length - sub.head > maxBuffered) {
        fail(sub, new StorageError('Compacted', `watcher fell more than ${maxBuffered} events behind`))
      } else sub.wake?.()
    }
  }

  return {
    subscribe,
    publish,
    unsubscribe: (sub: Subscriber) => void subs.delete(sub),
    /** Ends every watcher with `err` (used by close). */
    failAll: (err: StorageError) => { for (const sub of [...subs]) fail(sub, err) },
    get size() { return subs.size },
  }
}
export type WatchHub = ReturnType<typeof watchHub>

/** Where a watch's history before "now" comes from; called synchronously at subscription. */
export type Backlog = {
  /** Pages of older changes fetched lazily (e.g. from the sqlite log), oldest first. */
  pages?: () => AsyncIterable<Change[]> | Iterable<Change[]>
  /** Changes already in memory, after the pages. */
  recent: Change[]
}

export type WatchParams = {
  hub: WatchHub
  prefix: string
  after: Revision
  signal: AbortSignal
  progressMs?: number
  /** Validates `after` and returns the history to replay; throws 'Compacted'. */
  backlog: (prefix: string, after: Revision) => Backlog
  currentRevision: () => Revision
}

/** One watch: replays history after `after`, then streams live changes until the signal aborts. */
export async function* runWatch(p: WatchParams): AsyncGenerator<WatchEvent> {
  const { hub, prefix, signal, progressMs } = p
  if (signal.aborted) return
  // Backlog and subscription are taken in the same synchronous step, so no commit falls between.
  const backlog = p.backlog(prefix, p.after)
  const sub = hub.subscribe(prefix)
  let last = p.after
  const onAbort = () => sub.wake?.()
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    if (backlog.pages) {
      for await (const page of backlog.pages()) {
        for (const ev of page) {
          if (signal.aborted) return
          if (!keyOf(ev).startsWith(prefix)) continue
          last = revisionOf(ev)
          yield ev
        }
      }
    }
    for (const ev of backlog.recent) {
      if (signal.aborted) return
      if (revisionOf(ev) <= last || !keyOf(ev).startsWith(prefix)) continue
      last = revisionOf(ev)
      yield ev
    }
    let quietSince = Date.now()
    while (!signal.aborted) {
      if (sub.failed) throw sub.failed
      if (sub.head < sub.queue.length) {
        const ev = sub.queue[sub.head++]!
        // Release consumed slots now and then so a long-lived watch does not hold all it saw.
        if (sub.head > 1024 && sub.head * 2 > sub.queue.length) {
          sub.queue = sub.queue.slice(sub.head)
          sub.head = 0
        }
        quietSince = Date.now()
        yield ev
        continue
      }
      const waitMs = progressMs ? Math.max(0, quietSince + progressMs - Date.now()) : undefined
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        sub.wake = resolve
        // Not unref'd: a watch someone is waiting on is live work, like the socket it serves.
        if (waitMs !== undefined) timer = setTimeout(resolve, waitMs)
      })
      sub.wake = undefined
      clearTimeout(timer)
      if (progressMs && !signal.aborted && !sub.failed && sub.head === sub.queue.length &&
        Date.now() - quietSince >= progressMs) {
        quietSince = Date.now()
        // Every committed change under the prefix is already delivered, so "now" is a safe bookmark.
        yield { type: 'progress', revision: p.currentRevision() }
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort)
    hub.unsubscribe(sub)
  }
}

/**
 * @module
 * Shared informers: one list+watch per kind, feeding a local cache that every controller
 * reads. Watches resume from the last resourceVersion seen (bookmarks keep it fresh) and
 * re-list when the server says it is too old (410), as client-go's reflector does.
 */
import { isStatusError, type Cached, type KubeObject } from '../api/index.js'
import { informerCache, type InformerCache } from './cache.js'
import type { Client, Informer, Informers, KindRef } from './types.js'

export type InformersOptions = {
  /** Replays every cached object as an update this often (0: never). */
  resyncMs?: number
  /** Page size of the initial list. */
  pageSize?: number
  onError?: (kind: KindRef, err: unknown) => void
  /** Field selectors by kind (`'v1/Pod': 'spec.nodeName=node-1'`): a kubelet watches only its own pods. */
  fieldSelectors?: Record<string, string>
}

// Upstream: client-go tools/cache/reflector.go (ListAndWatch). Watches time out after a
// random 5–10 minutes so that a stuck connection is noticed.
const MIN_WATCH_TIMEOUT_S = 300

export function createInformers(client: Client, opts: InformersOptions = {}): Informers {
  const caches = new Map<string, InformerCache<KubeObject>>()
  const synced = new Map<string, Promise<void>>()
  let startSignal: AbortSignal | undefined
  const onError = opts.onError ?? ((kind, err) => console.error(`informer ${kind.kind}:`, err instanceof Error ? err.message : err))

  const run = (cache: InformerCache<KubeObject>, signal: AbortSignal) => {
    let markSynced!: () => void
    synced.set(`${cache.kind.apiVersion}/${cache.kind.kind}`, new Promise<void>((resolve) => (markSynced = resolve)))
    void (async () => {
      let needList = true
      let backoffMs = 100
      while (!signal.aborted) {
        try {
          if (needList) {
            await listInto(client, cache, opts.pageSize ?? 1000, signal, opts.fieldSelectors?.[`${cache.kind.apiVersion}/${cache.kind.kind}`])
            markSynced()
            needList = false
          }
          const timeoutSeconds = MIN_WATCH_TIMEOUT_S + Math.floor(Math.random() * MIN_WATCH_TIMEOUT_S)
          const events = client.watch<KubeObject>(cache.kind, {
            fieldSelector: opts.fieldSelectors?.[`${cache.kind.apiVersion}/${cache.kind.kind}`],
            resourceVersion: cache.lastResourceVersion(), allowWatchBookmarks: true, timeoutSeconds, signal,
          })
          for await (const ev of events) {
            backoffMs = 100
            const obj = ev.object as Cached<KubeObject>
            if (ev.type === 'BOOKMARK') cache.setResourceVersion(obj.metadata?.resourceVersion ?? cache.lastResourceVersion())
            else if (ev.type === 'DELETED') cache.remove(obj)
            else cache.upsert(obj)
          }
        } catch (err) {
          if (signal.aborted) return
          if (isStatusError(err) && (err.status.code === 410)) {
            needList = true // our resourceVersion was compacted away: start over from a list
            continue
          }
          onError(cache.kind, err)
          await sleep(backoffMs, signal)
          backoffMs = Math.min(backoffMs * 2, 30_000)
        }
      }
    })()
    if (opts.resyncMs) {
      const t = setInterval(() => cache.resync(), opts.resyncMs)
      t.unref()
      signal.addEventListener('abort', () => clearInterval(t), { once: true })
    }
  }

  return {
    of<T extends KubeObject>(apiVersion: string, kind: string): Informer<T> {
      const id = `${apiVersion}/${kind}`
      let c = caches.get(id)
      if (!c) {
        caches.set(id, (c = informerCache<KubeObject>({ apiVersion, kind })))
        if (startSignal) run(c, startSignal)
      }
      return c as unknown as Informer<T>
    },
    start(signal) {
      if (startSignal) return
      startSignal = signal
      for (const c of caches.values()) run(c, signal)
    },
    async waitForSync(signal) {
      // Informers asked for while waiting are waited for too.
      for (;;) {
        const pending = [...synced.values()]
        await (signal ? Promise.race([Promise.all(pending), aborted(signal)]) : Promise.all(pending))
        if (signal?.aborted || synced.size === pending.length) return
      }
    },
  }
}

async function listInto(client: Client, cache: InformerCache<KubeObject>, pageSize: number, signal: AbortSignal, fieldSelector?: string) {
  const items: Cached<KubeObject>[] = []
  let cont: string | undefined
  let rv = ''
  do {
    const page = await client.list<KubeObject>(cache.kind, { limit: pageSize, continue: cont, fieldSelector, signal })
    for (const it of page.items) {
      // Lists omit each item's apiVersion and kind; handlers expect them.
      it.apiVersion ??= cache.kind.apiVersion
      it.kind ??= cache.kind.kind
      items.push(it as Cached<KubeObject>)
    }
    cont = page.metadata.continue || undefined
    rv = page.metadata.resourceVersion ?? rv
  } while (cont)
  cache.replace(items, rv)
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms)
  signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
})

const aborted = (signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))

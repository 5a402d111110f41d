/**
 * @module
 * The log-structured core shared by every local backend: an in-memory index of the latest value
 * per key (serves get, list and count), one global revision, a ring of recent changes (watch
 * replay, reads at a recent revision) and in-process watch fan-out. A backend supplies only
 * persistence: how a batch of changes becomes durable, and optionally older history.
 *
 * Revisions: like etcd, an empty store is at revision 1 and the first write gets revision 2, so
 * no object ever has resourceVersion "0" (which Kubernetes reads as "any").
 *
 * Writes: each write is decided at once, in call order, against the committed state plus the
 * writes still pending in the current batch (so two concurrent creates of one key have exactly
 * one winner). Decisions are delivered, and reads and watchers see the changes, only after the
 * batch's `append` returned (group commit).
 */
import { historyRing, type Change } from './history.js'
import { listBefore, listLatest, type Page } from './read-at.js'
import { sortedKeys, prefixEnd } from './sorted-keys.js'
import { StorageError, type Backend, type KeyValue, type ListResult, type Revision, type Swap } from './types.js'
import { runWatch, watchHub, type Backlog } from './watch.js'

/** How a backend makes changes durable and serves history older than the ring. */
export type Persistence = {
  /** Makes the batch durable before returning; throws when it could not. */
  append(changes: readonly Change[]): void
  /** Forgets history up to `upTo` (already recorded as the compacted revision by the core). */
  compact?(upTo: Revision): Promise<void> | void
  /** Changes with revision in (after, upTo], in pages, oldest first; for watches older than the ring. */
  replay?(after: Revision, upTo: Revision): AsyncIterable<Change[]> | Iterable<Change[]>
  /** A list at an older revision than the ring covers. */
  listAt?(prefix: string, at: Revision, startKey: string | undefined, limit: number): Page
  close(): void
  /** When a batch is committed: right after the current task (memory) or on the next event-loop
   *  turn, which gathers every write that arrived in this turn (files). */
  flushOn: 'microtask' | 'immediate'
}

/** What a backend loaded on open. */
export type CoreState = {
  revision: Revision
  compacted: Revision
  kvs: KeyValue[]
  /** The ring starts complete after this revision (0 for a fresh memory store). */
  historyAfter: Revision
}

export type CoreOptions = {
  /** Changes kept in memory for watch replay. Default 20,000. */
  historyEvents?: number
  /** Events a watcher may have unread before it is ended. Default 100,000. */
  watcherBuffer?: number
  /** A batch this large is committed at once instead of waiting for the tick. Default 2,000. */
  maxBatch?: number
}

type Entry = { change?: Change; value?: unknown; error?: StorageError; resolve(v: unknown): void; reject(e: unknown): void }

/** A Backend over `persistence`, starting from `state`. */
export function logCore(persistence: Persistence, state: CoreState, opts: CoreOptions = {}): Backend {
  const { historyEvents = 20_000, watcherBuffer = 100_000, maxBatch = 2_000 } = opts
  const values = new Map<string, KeyValue>()
  for (const kv of state.kvs) values.set(kv.key, kv)
  const db = { index: sortedKeys([...values.keys()]), values }
  const ring = historyRing(historyEvents, state.historyAfter)
  const hub = watchHub(watcherBuffer)
  let committed = state.revision
  let compacted = state.compacted
  let tip = committed
  const pending = new Map<string, KeyValue | null>() // decided, not yet committed; null: deleted
  let batch: Entry[] = []
  let scheduled = false
  let closed = false

  const tipGet = (key: string) => (pending.has(key) ? pending.get(key) ?? undefined : values.get(key))
  const closedError = () => new StorageError('Closed', 'storage is closed')

  function enqueue<T>(entry: Omit<Entry, 'resolve' | 'reject'>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      batch.push({ ...entry, resolve: resolve as (v: unknown) => void, reject })
      if (batch.length >= maxBatch) flush()
      else if (!scheduled) {
        scheduled = true
        if (persistence.flushOn === 'microtask') queueMicrotask(flush)
        else setImmediate(flush)
      }
    })
  }

  function flush(): void {
    scheduled = false
    const entries = batch
    batch = []
    if (entries.length === 0) return
    const changes: Change[] = []
    for (const e of entries) if (e.change) changes.push(e.change)
    try {
      if (changes.length > 0) persistence.append(changes)
    } catch (err) {
      // Everything pending was decided against this batch: none of it happened.
      pending.clear()
      tip = committed
      const failure = new StorageError('Internal', `commit failed: ${(err as Error).message}`, { cause: err })
      for (const e of entries) e.reject(failure)
      return
    }
    for (const ev of changes) {
      if (ev.type === 'put') {
        if (!values.has(ev.kv.key)) db.index.insert(ev.kv.key)
        values.set(ev.kv.key, ev.kv)
      } else {
        values.delete(ev.key)
        db.index.remove(ev.key)
      }
      ring.push(ev)
    }
    committed = tip
    pending.clear()
    hub.publish(changes)
    for (const e of entries) {
      if (e.error) e.reject(e.error)
      else e.resolve(e.value)
    }
  }

  function write<T>(decide: () => Omit<Entry, 'resolve' | 'reject'>): Promise<T> {
    if (closed) return Promise.reject(closedError())
    return enqueue<T>(decide())
  }

  function checkAt(at: Revision): void {
    if (at > committed) throw new StorageError('FutureRevision', `revision ${at} is newer than the current revision ${committed}`)
    if (at < compacted) throw new StorageError('Compacted', `revision ${at} has been compacted (oldest available: ${compacted})`)
  }

  function backlog(prefix: string, after: Revision): Backlog {
    if (closed) throw closedError()
    if (after < compacted) throw new StorageError('Compacted', `revision ${after} has been compacted (oldest available: ${compacted})`)
    if (after > committed) throw new StorageError('FutureRevision', `revision ${after} is newer than the current revision ${committed}`)
    const inRing = ring.coveredAfter
    if (after >= inRing) return { recent: ring.since(after) }
    const replay = persistence.replay
    if (!replay) throw new StorageError('Compacted', `revision ${after} is older than the retained history (oldest available: ${inRing})`)
    const recent = ring.since(inRing)
    return { recent, pages: () => replay(after, inRing) }
  }

  const backend: Backend = {
    currentRevision: () => committed,
    compactedRevision: () => (persistence.replay ? compacted : Math.max(compacted, ring.coveredAfter)),

    async get(key) {
      if (closed) throw closedError()
      return { revision: committed, kv: values.get(key) }
    },

    async list(prefix, opts = {}): Promise<ListResult> {
      if (closed) throw closedError()
      const at = opts.at ?? committed
      checkAt(at)
      let page: Page
      if (at === committed) page = listLatest(db, prefix, opts.startKey, opts.limit)
      else if (at >= ring.coveredAfter) page = listBefore(db, ring.since(at), prefix, opts.startKey, opts.limit)
      else if (persistence.listAt) page = persistence.listAt(prefix, at, opts.startKey, opts.limit ?? 0)
      else throw new StorageError('Compacted', `revision ${at} is older than the retained history (oldest available: ${ring.coveredAfter})`)
      return { revision: at, ...page }
    },

    async count(prefix) {
      if (closed) throw closedError()
      return db.index.countRange(prefix, prefixEnd(prefix))
    },

    create(key, value) {
      return write<KeyValue>(() => {
        if (tipGet(key)) return { error: new StorageError('KeyExists', `key already exists: ${key}`) }
        const rev = ++tip
        const kv: KeyValue = { key, value: new Uint8Array(value), createRevision: rev, modRevision: rev }
        pending.set(key, kv)
        return { change: { type: 'put', kv }, value: kv }
      })
    },

    update(key, value, expected) {
      return write<Swap>(() => {
        const cur = tipGet(key)
        if (!cur || cur.modRevision !== expected) return { value: { ok: false, current: cur } }
        const rev = ++tip
        const kv: KeyValue = { key, value: new Uint8Array(value), createRevision: cur.createRevision, modRevision: rev }
        pending.set(key, kv)
        return { change: { type: 'put', kv, prev: cur }, value: { ok: true, kv } }
      })
    },

    delete(key, expected) {
      return write<Swap>(() => {
        const cur = tipGet(key)
        if (!cur || (expected !== undefined && cur.modRevision !== expected)) return { value: { ok: false, current: cur } }
        const rev = ++tip
        pending.set(key, null)
        // `kv` of a successful delete is the value it removed (what the API server returns).
        return { change: { type: 'delete', key, revision: rev, prev: cur }, value: { ok: true, kv: cur } }
      })
    },

    watch(prefix, after, signal, wopts = {}) {
      return runWatch({ hub, prefix, after, signal, progressMs: wopts.progressMs, backlog, currentRevision: () => committed })
    },

    async compact(upTo) {
      if (closed) throw closedError()
      if (upTo > committed) throw new StorageError('FutureRevision', `cannot compact to ${upTo}: current revision is ${committed}`)
      if (upTo <= compacted) return
      // Recorded first, so watches and reads racing the deletion fail instead of seeing gaps.
      compacted = upTo
      ring.dropThrough(upTo)
      await persistence.compact?.(upTo)
    },

    async close() {
      if (closed) return
      flush() // writes already accepted still complete
      closed = true
      hub.failAll(closedError())
      persistence.close()
    },
  }
  return backend
}

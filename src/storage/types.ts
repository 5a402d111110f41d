/**
 * @module
 * The storage contract: a revisioned key-value store with the semantics the API server needs
 * from etcd. It speaks only keys, bytes and revisions; Kubernetes objects never appear here.
 */

export type Revision = number

export type KeyValue = {
  key: string
  value: Uint8Array
  /** Revision of the write that created this key (since its last delete). */
  createRevision: Revision
  /** Revision of the write that produced this value. Becomes the object's resourceVersion. */
  modRevision: Revision
}

export type WatchEvent =
  | { type: 'put'; kv: KeyValue; prev?: KeyValue }
  | { type: 'delete'; key: string; revision: Revision; prev: KeyValue }
  /** A bookmark: nothing changed under the prefix up to this revision. */
  | { type: 'progress'; revision: Revision }

/** Losing a compare-and-swap is an answer, not an exception. `current` is the winner (absent
 *  when the key does not exist). */
export type Swap = { ok: true; kv: KeyValue } | { ok: false; current?: KeyValue }

export type ListOptions = {
  /** Read as of this revision (must not be compacted). Default: the latest. */
  at?: Revision
  /** Start from this key (inclusive): pagination continues from the last key returned + '\0'. */
  startKey?: string
  /** At most this many. 0 or absent: all. */
  limit?: number
}

export type ListResult = { revision: Revision; kvs: KeyValue[]; more: boolean; remaining?: number }

export interface Backend {
  /** The latest revision that is durable and visible to reads. */
  currentRevision(): Revision
  get(key: string): Promise<{ revision: Revision; kv?: KeyValue }>
  list(prefix: string, opts?: ListOptions): Promise<ListResult>
  /** Count of live keys under prefix. */
  count(prefix: string): Promise<number>
  /** Throws StorageError 'KeyExists' when the key is live. Resolves after the write is durable. */
  create(key: string, value: Uint8Array): Promise<KeyValue>
  /** Compare-and-swap on modRevision. Resolves after the write is durable. */
  update(key: string, value: Uint8Array, expected: Revision): Promise<Swap>
  /** Deletes; with `expected`, only if modRevision matches. */
  delete(key: string, expected?: Revision): Promise<Swap>
  /** Events under `prefix` with revision > `after`, in revision order, until `signal` aborts.
   *  Throws StorageError 'Compacted' when `after` predates what is retained. Progress events
   *  are emitted when `progressMs` is set and nothing else happened for that long. */
  watch(prefix: string, after: Revision, signal: AbortSignal, opts?: { progressMs?: number }): AsyncIterable<WatchEvent>
  /** Drops history up to and including `upTo`; later watches and reads before it fail with 'Compacted'. */
  compact(upTo: Revision): Promise<void>
  /** The oldest revision a watch may start after. */
  compactedRevision(): Revision
  close(): Promise<void>
}

export type StorageErrorCode = 'KeyExists' | 'KeyNotFound' | 'Compacted' | 'FutureRevision' | 'Closed' | 'Internal'

export class StorageError extends Error {
  override readonly name = 'StorageError'
  constructor(readonly code: StorageErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
  }
}
export const isStorageError = (err: unknown, code?: StorageErrorCode): err is StorageError =>
  err instanceof StorageError && (code === undefined || err.code === code)

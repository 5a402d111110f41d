/**
 * @module
 * The memory backend: the shared core with nothing to persist. For tests and `sim`; its history
 * is only the in-memory ring, so watches older than the ring get 'Compacted'.
 */
import { logCore, type CoreOptions } from './core.js'
import type { Backend } from './types.js'

export type MemoryOptions = CoreOptions

/** Opens an empty in-memory store. */
export async function openMemory(opts: MemoryOptions = {}): Promise<Backend> {
  return logCore(
    { append() {}, close() {}, flushOn: 'microtask' },
    { revision: 1, compacted: 0, kvs: [], historyAfter: 0 },
    opts,
  )
}

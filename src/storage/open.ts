/**
 * @module
 * Opens a backend from a storage URL. The scheme picks the backend from one table; nothing
 * registers itself at import time.
 */
import { isAbsolute } from 'node:path'
import { openMemory } from './memory.js'
import { openSqlite } from './sqlite.js'
import type { Backend } from './types.js'

const backends: Record<string, (rest: string, url: string) => Promise<Backend>> = {
  memory: () => openMemory(),
  sqlite(path, url) {
    if (!isAbsolute(path)) throw new Error(`storage URL ${url}: want sqlite:<absolute path to the database file>`)
    return openSqlite(path)
  },
  etcd(_rest, url) {
    throw new Error(`storage URL ${url}: the etcd backend is not implemented yet`)
  },
}

/** Opens `memory:` or `sqlite:/abs/path/file.db` (creating the parent directory). */
export async function openStorage(url: string): Promise<Backend> {
  const colon = url.indexOf(':')
  const scheme = colon > 0 ? url.slice(0, colon) : ''
  const open = Object.hasOwn(backends, scheme) ? backends[scheme] : undefined
  if (!open) throw new Error(`storage URL ${url}: unknown scheme (want one of ${Object.keys(backends).map((s) => s + ':').join(', ')})`)
  return open(url.slice(colon + 1), url)
}

/**
 * @module
 * The sqlite backend: the shared core over one append-only log table. Each row is one revision;
 * the latest values, the current revision and the compacted revision are rebuilt from it on
 * open. Batches are committed in one transaction (WAL, synchronous=FULL) before any write of
 * the batch is acknowledged, so a `kill -9` never loses an acknowledged write.
 *
 * Upstream: k3s-io/kine pkg/logstructured/sqllog (the log-of-revisions table; compaction keeps
 * the latest row of every live key). Differences: one process owns the file (exclusive lock),
 * and reads are served from memory, so there is no polling.
 *
 * Key order in SQL is SQLite's byte order, which equals JavaScript's for the ASCII keys
 * Kubernetes uses; reads older than the ring (below) rely on that.
 */
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { logCore, type CoreOptions, type Persistence } from './core.js'
import type { Change } from './history.js'
import type { Page } from './read-at.js'
import { prefixEnd } from './sorted-keys.js'
import { StorageError, type Backend, type KeyValue, type Revision } from './types.js'

export type SqliteOptions = CoreOptions

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  revision INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  value BLOB,                      -- NULL for a delete
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER,           -- modRevision of the value this write replaced
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS log_key ON log (key, revision);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`
const REPLAY_PAGE = 1_000
const COMPACT_CHUNK = 5_000

type Row = { revision: number; key: string; value: Buffer | null; create_revision: number; prev_revision: number | null;
  deleted: number; prev_value?: Buffer | null; prev_create?: number | null }

const toBuffer = (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)
const toKv = (r: Row): KeyValue => ({ key: r.key, value: r.value ?? new Uint8Array(), createRevision: r.create_revision, modRevision: r.revision })

function toChange(r: Row): Change {
  const prev: KeyValue | undefined = r.prev_revision === null ? undefined : {
    key: r.key,
    value: r.prev_value ?? new Uint8Array(),
    createRevision: (r.deleted ? r.create_revision : r.prev_create) ?? r.create_revision,
    modRevision: r.prev_revision,
  }
  if (r.deleted) return { type: 'delete', key: r.key, revision: r.revision, prev: prev! }
  return prev ? { type: 'put', kv: toKv(r), prev } : { type: 'put', kv: toKv(r) }
}

/** Opens (creating if needed) the store in the database file at `path`. */
export async function openSqlite(path: string, opts: SqliteOptions = {}): Promise<Backend> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  // A short busy timeout: a database held by another process fails the open quickly.
  const db = new Database(path, { timeout: 1_000 })
  try {
    // One process owns the file: a second server on the same data directory fails here.
    db.pragma('locking_mode = EXCLUSIVE')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    // Reads are served from the in-memory index, so sqlite's own page cache only helps the
    // rare read of old history: 512 KiB instead of the 2 MiB default keeps idle memory down.
    db.pragma('cache_size = -512')
    db.exec(SCHEMA)
  } catch (err) {
    db.close()
    throw new StorageError('Internal', `cannot open ${path}: ${(err as Error).message}`, { cause: err })
  }
  const metaGet = db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?')
  const metaSet = db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value')
  let compacted = metaGet.get('compacted')?.value ?? 0
  const maxRow = (db.prepare('SELECT MAX(revision) AS r FROM log').get() as { r: number | null }).r ?? 0
  // Compaction may have removed the newest rows (tombstones); the compacted revision bounds them.
  const revision = Math.max(1, maxRow, compacted)
  const kvs = (db.prepare(`SELECT l.* FROM log l JOIN (SELECT key, MAX(revision) AS r FROM log GROUP BY key) m
    ON l.revision = m.r WHERE l.deleted = 0`).all() as Row[]).map(toKv)

  const insert = db.prepare('INSERT INTO log (revision, key, value, create_revision, prev_revision, deleted) VALUES (?, ?, ?, ?, ?, ?)')
  const appendAll = db.transaction((changes: readonly Change[]) => {
    for (const c of changes) {
      if (c.type === 'put') insert.run(c.kv.modRevision, c.kv.key, toBuffer(c.kv.value), c.kv.createRevision, c.prev?.modRevision ?? null, 0)
      else insert.run(c.revision, c.key, null, c.prev.createRevision, c.prev.modRevision, 1)
    }
  })
  const replayPage = db.prepare<[number, number, number], Row>(`SELECT l.*, p.value AS prev_value, p.create_revision AS prev_create
    FROM log l LEFT JOIN log p ON p.revision = l.prev_revision
    WHERE l.revision > ? AND l.revision <= ? ORDER BY l.revision LIMIT ?`)
  const atFilter = `l.key >= @from AND (@end IS NULL OR l.key < @end) AND l.revision <= @at AND l.deleted = 0
    AND l.revision = (SELECT MAX(m.revision) FROM log m WHERE m.key = l.key AND m.revision <= @at)`
  const listAtStmt = db.prepare(`SELECT l.* FROM log l WHERE ${atFilter} ORDER BY l.key LIMIT @limit`)
  const countAtStmt = db.prepare(`SELECT COUNT(*) AS n FROM log l WHERE ${atFilter}`)
  const chunkEnd = db.prepare<[number, number], { revision: number }>('SELECT revision FROM log WHERE revision > ? ORDER BY revision LIMIT 1 OFFSET ?')
  const compactChunk = db.prepare(`DELETE FROM log WHERE revision > @lo AND revision <= @hi AND (deleted = 1 OR
    revision < (SELECT MAX(m.revision) FROM log m WHERE m.key = log.key AND m.revision <= @upTo))`)

  const stillOpen = () => { if (!db.open) throw new StorageError('Closed', 'storage is closed') }

  const persistence: Persistence = {
    flushOn: 'immediate',
    append: (changes) => appendAll(changes),

    *replay(after: Revision, upTo: Revision) {
      let from = after
      while (from < upTo) {
        stillOpen()
        // A compaction that started after this watch began may have removed rows it needs.
        if (from < compacted) throw new StorageError('Compacted', `revision ${from} has been compacted (oldest available: ${compacted})`)
        const rows = replayPage.all(from, upTo, REPLAY_PAGE)
        if (rows.length > 0) yield rows.map(toChange)
        if (rows.length < REPLAY_PAGE) return
        from = rows[rows.length - 1]!.revision
      }
    },

    listAt(prefix, at, startKey, limit): Page {
      stillOpen()
      const from = startKey !== undefined && startKey > prefix ? startKey : prefix
      const end = prefixEnd(prefix) ?? null
      const rows = listAtStmt.all({ from, end, at, limit: limit > 0 ? limit + 1 : -1 }) as Row[]
      const kvs = rows.slice(0, limit > 0 ? limit : undefined).map(toKv)
      if (!(limit > 0)) return { kvs, more: false }
      if (rows.length <= limit) return { kvs, more: false, remaining: 0 }
      const next = kvs[kvs.length - 1]!.key + '\0'
      const { n } = countAtStmt.get({ from: next, end, at }) as { n: number }
      return { kvs, more: true, remaining: n }
    },

    async compact(upTo) {
      stillOpen()
      compacted = upTo
      metaSet.run('compacted', upTo)
      // In ascending slices, yielding between them, so writers are not held up for long. Order
      // matters: a tombstone goes only after the older rows of its key were judged.
      let lo = 0
      while (lo < upTo && db.open) {
        const hi = Math.min(upTo, chunkEnd.get(lo, COMPACT_CHUNK - 1)?.revision ?? upTo)
        compactChunk.run({ lo, hi, upTo })
        lo = hi
        if (lo < upTo) await nextTurn()
      }
    },

    close: () => db.close(),
  }
  return logCore(persistence, { revision, compacted, kvs, historyAfter: revision }, opts)
}

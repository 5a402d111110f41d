/**
 * @module
 * Watch streams: chunked JSON lines of ADDED/MODIFIED/DELETED/BOOKMARK/ERROR events, filtered
 * by selectors, as Tables when asked, ended after timeoutSeconds.
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/watch.go and
// storage/cacher (initial events, bookmarks, selector transitions ADDED/DELETED).
import { randomInt } from 'node:crypto'
import { apiVersionOf, expired, forbiddenField, invalid, notSupported, type FieldError, type KubeObject } from '../../api/index.js'
import { isStorageError, type KeyValue, type WatchEvent } from '../../storage/index.js'
import { objectFilter } from '../filters.js'
import { responseShape } from '../negotiation.js'
import { columnDefinitions, parseIncludeObject, tableRow } from '../table.js'
import { decodeShared, listPrefix } from '../store/codec.js'
import type { ApiRequest, Served } from './context.js'

const BOOKMARK_EVERY_MS = 30_000

// The JSON of a stored value as one served version sends it, made once however many
// watchers receive it (a hundred watchers would otherwise serialise each event a hundred times).
// Only recent values are kept, in two generations of at most half the budget each (a half holds
// a full commit batch of 2,000 ordinary objects): the watchers of an event send it close
// together, while keeping the JSON of every value still referenced (every live object and the
// history ring) cost 45 MB with 10,000 pods on 5,000 nodes. A watcher further behind serialises
// again. Entries name the served version by a number, so a closed server's stores are not kept.
const JSON_CACHE_CHARS = 8 * 1024 * 1024
type SharedJson = { served: number; json: string }
let recentJson = new Map<KeyValue, SharedJson>()
let olderJson = new Map<KeyValue, SharedJson>()
let recentChars = 0
const servedIds = new WeakMap<Served, number>()
let lastServedId = 0
function servedId(served: Served): number {
  let id = servedIds.get(served)
  if (id === undefined) servedIds.set(served, (id = ++lastServedId))
  return id
}
function sharedJson(kv: KeyValue, served: Served): string {
  const id = servedId(served)
  const hit = recentJson.get(kv) ?? olderJson.get(kv)
  if (hit?.served === id) return hit.json
  const obj = decodeShared(kv)
  const json = JSON.stringify(served.out(served.rt.conversion ? structuredClone(obj) : { ...obj }))
  recentJson.set(kv, { served: id, json })
  recentChars += json.length
  if (recentChars > JSON_CACHE_CHARS / 2) {
    olderJson = recentJson
    recentJson = new Map()
    recentChars = 0
  }
  return json
}
const MAX_UNSENT_BYTES = 32 * 1024 * 1024

const INITIAL_EVENTS_END = 'k8s.io/initial-events-end'

// Upstream: staging/src/k8s.io/apimachinery/pkg/apis/meta/internalversion/validation
// (validateWatchOptions), with the WatchList feature on, as in 1.32.
function watchOptions(query: URLSearchParams): { sendInitialEvents?: boolean } {
  const raw = query.get('sendInitialEvents')
  const sendInitialEvents = raw === null ? undefined : raw === 'true'
  const match = query.get('resourceVersionMatch') ?? ''
  const errs: FieldError[] = []
  if (sendInitialEvents !== undefined && match !== 'NotOlderThan') {
    errs.push(forbiddenField('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'))
  }
  if (match) {
    if (sendInitialEvents === undefined) errs.push(forbiddenField('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'))
    if (match !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']))
  }
  if (errs.length) throw invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errs)
  return { sendInitialEvents }
}

/** GET .../pods/x?watch=true watches one object: the name joins the field selector. */
function withNameSelector(query: URLSearchParams, name: string): URLSearchParams {
  const q = new URLSearchParams(query)
  const fs = q.get('fieldSelector')
  q.set('fieldSelector', fs ? `${fs},metadata.name=${name}` : `metadata.name=${name}`)
  return q
}

export async function handleWatch(r: ApiRequest) {
  const { rt, store } = r.served
  const shape = responseShape(r.req.headers.accept)
  const filter = objectFilter(rt, r.info.name ? withNameSelector(r.query, r.info.name) : r.query)
  const include = parseIncludeObject(r.query.get('includeObject'))
  const bookmarks = r.query.get('allowWatchBookmarks') === 'true'
  const timeoutSeconds = Number.parseInt(r.query.get('timeoutSeconds') ?? '', 10)
  // Without a timeout, upstream ends a watch after a random 30–60 minutes so load spreads.
  const timeoutMs = Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds * 1000 : randomInt(1800, 3600) * 1000
  const rvParam = r.query.get('resourceVersion') ?? ''
  const opts = watchOptions(r.query)
  // Without sendInitialEvents, a watch from "" or "0" starts with the current state, as ever.
  const initialEvents = opts.sendInitialEvents ?? (rvParam === '' || rvParam === '0')
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), timeoutMs)
  r.res.on('close', () => abort.abort())

  r.res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' })
  r.res.flushHeaders()
  let sentColumns = false
  const tableVersion = shape.table ? shape.version : 'v1'
  const render = (obj: KubeObject): unknown => {
    if (!shape.table) return obj
    const table: Record<string, unknown> = {
      kind: 'Table', apiVersion: `meta.k8s.io/${tableVersion}`, metadata: { resourceVersion: obj.metadata?.resourceVersion },
      columnDefinitions: sentColumns ? null : columnDefinitions(rt),
      rows: [tableRow(rt, obj, Date.now(), include, tableVersion)],
    }
    sentColumns = true
    return table
  }
  const send = (type: string, obj: unknown) => writeLine(`{"type":"${type}","object":${JSON.stringify(obj)}}\n`)
  /** A stored value as this watch sends it: plain JSON is shared by every watcher of the version. */
  const sendKv = (type: string, kv: KeyValue) => {
    if (shape.table) return send(type, render(out(decodeShared(kv))))
    writeLine(`{"type":"${type}","object":${sharedJson(kv, r.served)}}\n`)
  }
  const writeLine = (line: string) => {
    r.res.write(line)
    // A client this far behind is not reading: end its watch (it re-watches from its last
    // revision), as upstream drops watchers that cannot keep up, rather than buffer forever.
    if (r.res.writableLength > MAX_UNSENT_BYTES) abort.abort()
  }
  const out = (obj: KubeObject) => r.served.out(rt.conversion ? structuredClone(obj) : { ...obj })

  try {
    let from: number
    if (initialEvents) {
      // Start with the current state as ADDED events, then follow from that revision.
      let startKey: string | undefined
      from = 0
      for (;;) {
        const page = await store.listRaw(r.info.namespace, { startKey, limit: 1000 })
        from ||= page.revision
        for (const kv of page.kvs) {
          const obj = store.decodeShared(kv)
          if (filter.matches(obj)) sendKv('ADDED', kv)
        }
        if (!page.more || !page.kvs.length) break
        startKey = page.kvs[page.kvs.length - 1]!.key + '\0'
      }
      // A streaming list (sendInitialEvents) learns where the initial state ends from a bookmark.
      if (opts.sendInitialEvents && bookmarks) {
        send('BOOKMARK', { kind: rt.kind, apiVersion: apiVersionOf(rt.group, rt.version), metadata: { resourceVersion: String(from), annotations: { [INITIAL_EVENTS_END]: 'true' } } })
      }
    } else if (rvParam === '' || rvParam === '0') {
      from = r.backend.currentRevision() // sendInitialEvents=false: changes from now on
    } else {
      from = Number.parseInt(rvParam, 10)
      if (!Number.isFinite(from) || from < 0) throw expired(`too old resource version: ${rvParam}`)
    }
    const prefix = listPrefix(rt, r.info.namespace)
    const events = r.backend.watch(prefix, from, abort.signal, bookmarks ? { progressMs: BOOKMARK_EVERY_MS } : undefined)
    for await (const ev of events) {
      const sent = deliver(ev)
      if (sent === false) break
    }
  } catch (err) {
    if (isStorageError(err, 'Compacted')) {
      const e = expired(`too old resource version: ${rvParam} (${r.backend.compactedRevision()})`)
      send('ERROR', e.status)
    } else if (!abort.signal.aborted) {
      const status = (err as { status?: unknown }).status
      send('ERROR', status ?? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: String(err), reason: 'InternalError', code: 500 })
    }
  } finally {
    clearTimeout(timer)
    abort.abort()
    if (!r.res.writableEnded) r.res.end()
  }

  function deliver(ev: WatchEvent): boolean | void {
    if (ev.type === 'progress') {
      if (bookmarks) send('BOOKMARK', { kind: rt.kind, apiVersion: apiVersionOf(rt.group, rt.version), metadata: { resourceVersion: String(ev.revision) } })
      return
    }
    const prev = ev.prev
    const prevObj = prev ? decodeShared(prev) : undefined
    const prevMatch = prevObj ? filter.matches(prevObj) : false
    if (ev.type === 'delete') {
      if (!prevMatch || !prevObj) return
      // The deleted object carries the revision of its deletion, as upstream sends it.
      const gone = { ...prevObj, metadata: { ...prevObj.metadata, resourceVersion: String(ev.revision) } }
      send('DELETED', render(out(gone)))
      return
    }
    const obj = decodeShared(ev.kv)
    const match = filter.matches(obj)
    if (match && prevMatch) sendKv('MODIFIED', ev.kv)
    else if (match) sendKv('ADDED', ev.kv)
    else if (prevMatch) sendKv('DELETED', ev.kv)
  }
}

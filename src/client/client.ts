/**
 * @module
 * The Client over any Transport: paths built from the kind → resource table, JSON bodies,
 * non-2xx replies turned back into the server's StatusError, watch streams split into events.
 */
import { StatusError, type KubeObject, type WireStatus } from '../api/index.js'
import { kindOf, resourceFor, resourcePath } from './resources.js'
import type { Client, DeleteOptions, KindRef, ListOptions, PatchType, Transport, TransportResponse, WatchEvent, WatchOptions, WriteOptions } from './types.js'

const PATCH_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
}

export type ClientOptions = { fieldManager?: string }

/** A Client over `transport`. `fieldManager` names this component's writes in managedFields. */
export function createClient(transport: Transport, opts: ClientOptions = {}): Client {
  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal) => {
    const res = await transport.request({
      method, path, signal,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return decode(res, method, path)
  }
  const writeQuery = (o?: WriteOptions) => {
    const q = new URLSearchParams()
    if (o?.dryRun) q.set('dryRun', 'All')
    const fm = o?.fieldManager ?? opts.fieldManager
    if (fm) q.set('fieldManager', fm)
    if (o?.force) q.set('force', 'true')
    const s = q.toString()
    return s ? `?${s}` : ''
  }
  const objectPath = (obj: KubeObject, sub?: string) =>
    resourcePath(resourceFor(kindOf(obj)), obj.metadata?.namespace, obj.metadata?.name ?? '', sub)

  return {
    get: (kind, name, namespace, o) => call('GET', resourcePath(resourceFor(kind), namespace, name), undefined, undefined, o?.signal) as never,
    list: (kind, o) => call('GET', resourcePath(resourceFor(kind), o?.namespace) + listQuery(o), undefined, undefined, o?.signal) as never,
    create(obj, o) {
      const ref = resourceFor(kindOf(obj))
      return call('POST', resourcePath(ref, obj.metadata?.namespace) + writeQuery(o), obj, undefined, o?.signal) as never
    },
    update: (obj, o) => call('PUT', objectPath(obj, o?.subresource) + writeQuery(o), obj, undefined, o?.signal) as never,
    updateStatus: (obj, o) => call('PUT', objectPath(obj, 'status') + writeQuery(o), obj, undefined, o?.signal) as never,
    patch: (kind, name, namespace, patch, o) =>
      call('PATCH', resourcePath(resourceFor(kind), namespace, name, o?.subresource) + writeQuery(o), patch, PATCH_TYPES[o?.type ?? 'merge'], o?.signal) as never,
    delete(kind, name, namespace, o) {
      const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' }
      if (o?.propagationPolicy) body.propagationPolicy = o.propagationPolicy
      if (o?.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds
      if (o?.preconditions) body.preconditions = o.preconditions
      if (o?.dryRun) body.dryRun = ['All']
      return call('DELETE', resourcePath(resourceFor(kind), namespace, name), body, undefined, o?.signal) as never
    },
    createSubresource: (kind, name, namespace, sub, body, o) =>
      call('POST', resourcePath(resourceFor(kind), namespace, name, sub) + writeQuery(o), body, undefined, o?.signal) as never,
    watch: (kind, o) => watchStream(transport, kind, o) as never,
    getPath: (path, o) => call('GET', path, undefined, undefined, o?.signal) as never,
  }
}

function listQuery(o?: ListOptions | WatchOptions, watch = false): string {
  const q = new URLSearchParams()
  if (watch) q.set('watch', 'true')
  if (o?.labelSelector) q.set('labelSelector', o.labelSelector)
  if (o?.fieldSelector) q.set('fieldSelector', o.fieldSelector)
  if (o?.limit) q.set('limit', String(o.limit))
  if (o?.continue) q.set('continue', o.continue)
  if (o?.resourceVersion !== undefined) q.set('resourceVersion', o.resourceVersion)
  if (o?.resourceVersionMatch) q.set('resourceVersionMatch', o.resourceVersionMatch)
  const w = o as WatchOptions | undefined
  if (w?.allowWatchBookmarks) q.set('allowWatchBookmarks', 'true')
  if (w?.timeoutSeconds !== undefined) q.set('timeoutSeconds', String(w.timeoutSeconds))
  const s = q.toString()
  return s ? `?${s}` : ''
}

function decode(res: TransportResponse, method: string, path: string): unknown {
  let body: unknown
  try {
    body = res.body.length ? JSON.parse(res.body.toString('utf8')) : undefined
  } catch {
    body = undefined
  }
  if (res.status >= 200 && res.status < 300) return body
  throw statusErrorFrom(res.status, body, `${method} ${path}`)
}

/** The server's Status as an error; a reply that is not a Status becomes one with its code. */
export function statusErrorFrom(code: number, body: unknown, what: string): StatusError {
  const b = body as Partial<WireStatus> | undefined
  if (b && b.kind === 'Status') return new StatusError({ ...b, code: b.code ?? code } as WireStatus)
  return new StatusError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason: code === 404 ? 'NotFound' : 'InternalError',
    message: `${what}: the server answered ${code}` } as WireStatus)
}

async function* watchStream(transport: Transport, kind: KindRef, o: WatchOptions & { signal: AbortSignal }): AsyncIterable<WatchEvent<KubeObject>> {
  const ref = resourceFor(kind)
  const path = resourcePath(ref, o.namespace) + listQuery(o, true)
  const res = await transport.stream({ method: 'GET', path, headers: { accept: 'application/json' }, signal: o.signal })
  if (res.status !== 200) {
    const chunks: Buffer[] = []
    for await (const c of res.chunks) chunks.push(c)
    throw statusErrorFrom(res.status, safeParse(Buffer.concat(chunks)), `watch ${path}`)
  }
  let rest = ''
  for await (const chunk of res.chunks) {
    rest += chunk.toString('utf8')
    let nl: number
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl)
      rest = rest.slice(nl + 1)
      if (!line.trim()) continue
      const ev = JSON.parse(line) as { type: string; object: KubeObject }
      if (ev.type === 'ERROR') {
        const s = ev.object as unknown as WireStatus
        throw new StatusError({ ...s, code: s.code ?? 500 })
      }
      yield ev as WatchEvent<KubeObject>
    }
    if (o.signal.aborted) return
  }
}

const safeParse = (b: Buffer) => {
  try {
    return JSON.parse(b.toString('utf8'))
  } catch {
    return undefined
  }
}

export type { DeleteOptions }

/**
 * @module
 * GET of one object or a list: selectors, pagination with continue tokens, and the Table form.
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go (GetList, continue tokens)
// and apiserver handlers/get.go.
import { badRequest, expired, type KubeObject } from '../../api/index.js'
import { isStorageError } from '../../storage/index.js'
import { objectFilter } from '../filters.js'
import { responseShape } from '../negotiation.js'
import { buildTable, parseIncludeObject } from '../table.js'
import { sendJson } from '../http-util.js'
import type { ApiRequest } from './context.js'

type ContinueToken = { v: string; rv: number; start: string }

// Upstream: staging/src/k8s.io/apiserver/pkg/storage/errors.go (the continue-expired message).
const CONTINUE_EXPIRED = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.'

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken
    if (t.v !== 'meta.k8s.io/v1' || typeof t.start !== 'string' || typeof t.rv !== 'number') throw new Error('bad token')
    return t
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)')
  }
}
const encodeContinue = (t: ContinueToken) => Buffer.from(JSON.stringify(t)).toString('base64url')

export async function listObjects(r: ApiRequest): Promise<{ items: KubeObject[]; rv: number; continue?: string; remaining?: number }> {
  const { store } = r.served
  const filter = objectFilter(r.served.rt, r.query)
  const limit = Math.max(0, Number.parseInt(r.query.get('limit') ?? '0', 10) || 0)
  const token = r.query.get('continue')
  const cont = token ? decodeContinue(token) : undefined
  if (cont && cont.rv < r.backend.compactedRevision()) throw expired(CONTINUE_EXPIRED)
  const ns = r.info.namespace
  const items: KubeObject[] = []
  let startKey = cont?.start
  let rv = 0
  let nextStart: string | undefined
  let remaining: number | undefined
  for (;;) {
    // Without a selector a page holds exactly what is asked; with one, read ahead in batches.
    const pageLimit = limit ? (filter.empty ? limit - items.length : Math.max(limit, 256)) : 0
    // Every page of one list reads the snapshot of its first page, as upstream's do.
    const page = await store.listRaw(ns, { startKey, limit: pageLimit, at: cont?.rv }).catch((err) => {
      if (isStorageError(err, 'Compacted')) throw expired(CONTINUE_EXPIRED)
      throw err
    })
    rv ||= page.revision
    let i = 0
    for (; i < page.kvs.length; i++) {
      const kv = page.kvs[i]!
      const obj = store.decodeShared(kv)
      if (!filter.matches(obj)) continue
      items.push(obj)
      if (limit && items.length >= limit) {
        if (i < page.kvs.length - 1 || page.more) nextStart = kv.key + '\0'
        if (filter.empty && page.remaining !== undefined) remaining = page.remaining + (page.kvs.length - 1 - i)
        break
      }
    }
    if (nextStart || !page.more || (limit && items.length >= limit)) break
    startKey = page.kvs[page.kvs.length - 1]!.key + '\0'
  }
  const out = items.map((o) => r.served.out(r.served.rt.conversion ? structuredClone(o) : { ...o }))
  const result: { items: KubeObject[]; rv: number; continue?: string; remaining?: number } = { items: out, rv: cont?.rv ?? rv }
  if (nextStart) {
    result.continue = encodeContinue({ v: 'meta.k8s.io/v1', rv: cont?.rv ?? rv, start: nextStart })
    if (remaining !== undefined && remaining > 0) result.remaining = remaining
  }
  return result
}

export async function handleList(r: ApiRequest) {
  const shape = responseShape(r.req.headers.accept)
  const { items, rv, continue: cont, remaining } = await listObjects(r)
  const { rt } = r.served
  if (shape.table) {
    const table = buildTable(rt, items, {
      include: parseIncludeObject(r.query.get('includeObject')), version: shape.version, now: r.now,
      resourceVersion: String(rv), continue: cont, remainingItemCount: remaining,
    })
    return sendJson(r.res, 200, table, warningHeaders(r))
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) }
  if (cont) metadata.continue = cont
  if (remaining !== undefined) metadata.remainingItemCount = remaining
  // Items carry no kind/apiVersion in a real server's lists; clients take them from the list.
  for (const o of items) {
    delete o.kind
    delete o.apiVersion
  }
  const apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version
  sendJson(r.res, 200, { kind: `${rt.kind}List`, apiVersion, metadata, items }, warningHeaders(r))
}

export async function handleGet(r: ApiRequest) {
  const shape = responseShape(r.req.headers.accept)
  const obj = r.served.out(await r.served.store.get(r.info.namespace, r.info.name))
  if (shape.table) {
    const table = buildTable(r.served.rt, [obj], {
      include: parseIncludeObject(r.query.get('includeObject')), version: shape.version, now: r.now,
      resourceVersion: obj.metadata?.resourceVersion,
    })
    return sendJson(r.res, 200, table)
  }
  sendJson(r.res, 200, obj)
}

export function warningHeaders(r: ApiRequest): Record<string, string> {
  return r.warnings.length ? { Warning: [...new Set(r.warnings)].map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } : {}
}

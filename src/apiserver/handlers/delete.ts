/**
 * @module
 * DELETE of one object and of a collection. DeleteOptions come from the body and the query.
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/delete.go.
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js'
import { badRequest, type KubeObject } from '../../api/index.js'
import { readBody, sendJson } from '../http-util.js'
import { parseDocument, mediaType } from '../negotiation.js'
import { deleteObject } from '../store/delete.js'
import { writeContext, type ApiRequest } from './context.js'
import { listObjects, warningHeaders } from './list.js'

async function deleteOptions(r: ApiRequest): Promise<DeleteOptions> {
  const body = await readBody(r.req)
  let opts: DeleteOptions = {}
  if (body.length) {
    const doc = parseDocument(body, mediaType(r.req.headers['content-type']) || 'application/json')
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) opts = doc as DeleteOptions
    else throw badRequest('DeleteOptions must be an object')
  }
  const grace = r.query.get('gracePeriodSeconds')
  if (grace !== null) opts.gracePeriodSeconds = Number.parseInt(grace, 10)
  const policy = r.query.get('propagationPolicy')
  if (policy) opts.propagationPolicy = policy
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    opts.gracePeriodSeconds = opts.gracePeriodSeconds < 0 ? 1 : 0 // upstream: negative grace becomes 1s
  }
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw badRequest(`DeleteOptions.propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`)
  }
  if (opts.dryRun?.length) for (const d of opts.dryRun) r.query.append('dryRun', d)
  return opts
}

/** Objects whose store returns the deleted object itself (upstream ReturnDeletedObject). */
const RETURNS_OBJECT = new Set(['pods', 'namespaces', 'services'])


export async function handleDelete(r: ApiRequest) {
  const opts = await deleteOptions(r)
  const { store, rt } = r.served
  const ctx = writeContext(r)
  const { obj, deleted } = await deleteObject(r.backend, store, r.info.namespace, r.info.name, opts, ctx)
  if (!deleted || (RETURNS_OBJECT.has(rt.resource) && !rt.group)) return sendJson(r.res, 200, r.served.out(obj), warningHeaders(r))
  sendJson(r.res, 200, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: { name: r.info.name, group: rt.group || undefined, kind: rt.resource, uid: obj.metadata?.uid },
  }, warningHeaders(r))
}

export async function handleDeleteCollection(r: ApiRequest) {
  const opts = await deleteOptions(r)
  const ctx = writeContext(r)
  const { items, rv } = await listObjects(r)
  const { rt } = r.served
  const deleted: KubeObject[] = []
  for (const item of items) {
    try {
      const { obj } = await deleteObject(r.backend, r.served.store, item.metadata?.namespace ?? '', item.metadata?.name ?? '', opts, ctx)
      deleted.push(r.served.out(obj))
    } catch (err) {
      if ((err as { status?: { code?: number } }).status?.code !== 404) throw err
    }
  }
  const apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version
  sendJson(r.res, 200, { kind: `${rt.kind}List`, apiVersion, metadata: { resourceVersion: String(rv) }, items: deleted })
}

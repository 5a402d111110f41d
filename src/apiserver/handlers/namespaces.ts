/**
 * @module
 * PUT namespaces/x/finalize: the namespace controller's way to clear spec.finalizers; a
 * terminating namespace with none left is deleted.
 */
// Upstream: pkg/registry/core/namespace/storage/storage.go (FinalizeREST).
import type { Namespace } from 'kubernetes-types/core/v1.js'
import { readBody, sendJson } from '../http-util.js'
import { decodeObjectBody } from '../negotiation.js'
import { writeContext, type ApiRequest } from './context.js'

export async function handleFinalize(r: ApiRequest) {
  const body = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type']) as Namespace
  const ctx = writeContext(r)
  const { store } = r.served
  const { obj } = await store.update('', r.info.name, (cur) => {
    const ns = cur as Namespace
    ns.spec = { ...ns.spec, finalizers: body.spec?.finalizers ?? [] }
    if (body.metadata?.resourceVersion) ns.metadata = { ...ns.metadata, resourceVersion: body.metadata.resourceVersion }
    return ns as never
  }, ctx)
  const ns = obj as Namespace
  if (ns.metadata?.deletionTimestamp && !ns.spec?.finalizers?.length && !ns.metadata.finalizers?.length && !ctx.dryRun) {
    const kv = await store.getRaw('', r.info.name)
    if (kv) await store.remove('', r.info.name, kv.modRevision, obj)
  }
  sendJson(r.res, 200, r.served.out(obj))
}

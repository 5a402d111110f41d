/**
 * @module
 * Dispatches a resource request by verb and subresource to its handler.
 */
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js'
import { badRequest, methodNotSupported, notFound } from '../../api/index.js'
import type { Authenticator } from '../options.js'
import { readBody, sendJson } from '../http-util.js'
import { decodeObjectBody } from '../negotiation.js'
import { answerReview, isReview } from '../reviews.js'
import type { ApiRequest, Served } from './context.js'
import { handleDelete, handleDeleteCollection } from './delete.js'
import { handleGet, handleList } from './list.js'
import { handleBinding, handleEviction, handleNodeStream } from './pods.js'
import { handleScale } from './scale.js'
import { handleWatch } from './watch.js'
import { handleCreate, handlePatch, handleUpdate } from './write.js'
import { handleFinalize } from './namespaces.js'
import { handleTokenRequest } from './token.js'
import type { TokenIssuer } from '../serviceaccount-tokens.js'

export type Services = {
  served(group: string, version: string, resource: string): Served | undefined
  authenticator: Authenticator
  tokens: TokenIssuer
}

const NODE_STREAMS = new Set(['log', 'exec', 'attach', 'portforward', 'proxy'])

export async function handleResource(r: ApiRequest, deps: Services) {
  const { rt } = r.served
  const { verb, subresource } = r.info
  const gr = { group: rt.group, resource: rt.resource }
  if (isReview(rt)) {
    if (verb !== 'create') throw methodNotSupported(gr, verb)
    const body = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type'])
    return sendJson(r.res, 201, answerReview(rt, body, r.user, deps.authenticator))
  }
  if (!subresource) {
    switch (verb) {
      case 'get': return handleGet(r)
      case 'list': return handleList(r)
      case 'watch': return handleWatch(r)
      case 'create':
        // POST .../bindings is a pod binding by another name.
        if (rt.resource === 'bindings' && !rt.group) return handleBinding(podsOf(r, deps), await bindingTarget(r))
        return handleCreate(r)
      case 'update': return handleUpdate(r)
      case 'patch': return handlePatch(r)
      case 'delete': return handleDelete(r)
      case 'deletecollection': return handleDeleteCollection(r)
      default: throw methodNotSupported(gr, verb)
    }
  }
  const sub = { group: rt.group, resource: `${rt.resource}/${subresource}` }
  if (subresource === 'status' && rt.subresources?.status) {
    if (verb === 'get') return handleGet(r)
    if (verb === 'update') return handleUpdate(r)
    if (verb === 'patch') return handlePatch(r)
    throw methodNotSupported(sub, verb)
  }
  if (subresource === 'scale' && rt.subresources?.scale) return handleScale(r)
  const core = !rt.group
  if (core && rt.resource === 'pods') {
    if (subresource === 'binding' && verb === 'create') return handleBinding(r, r.info.name)
    if (subresource === 'eviction' && verb === 'create') return handleEviction(r, () => pdbsIn(r, deps))
    if (NODE_STREAMS.has(subresource) || subresource.startsWith('proxy/')) return handleNodeStream(r)
  }
  if (core && rt.resource === 'namespaces' && subresource === 'finalize' && verb === 'update') return handleFinalize(r)
  if (core && rt.resource === 'serviceaccounts' && subresource === 'token' && verb === 'create') return handleTokenRequest(r, deps.tokens)
  throw notFound(sub, r.info.name)
}

function podsOf(r: ApiRequest, deps: Services): ApiRequest {
  const pods = deps.served('', 'v1', 'pods')!
  return { ...r, served: pods }
}

async function bindingTarget(r: ApiRequest): Promise<string> {
  // readBody keeps the bytes, so the binding handler reads the same body again.
  const body = await readBody(r.req)
  const obj = await decodeObjectBody(body, r.req.headers['content-type'])
  const name = obj.metadata?.name
  if (!name) throw badRequest('Binding metadata.name is required: it names the pod to bind')
  return name
}

async function pdbsIn(r: ApiRequest, deps: Services): Promise<PodDisruptionBudget[]> {
  const pdbs = deps.served('policy', 'v1', 'poddisruptionbudgets')
  if (!pdbs) return []
  const page = await pdbs.store.listRaw(r.info.namespace, {})
  return page.kvs.map((kv) => pdbs.store.decodeShared(kv) as PodDisruptionBudget)
}

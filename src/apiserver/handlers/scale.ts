/**
 * @module
 * The scale subresource: an autoscaling/v1 Scale view of an object's replicas and selector.
 */
// Upstream: pkg/registry/apps/deployment/storage/storage.go (ScaleREST) and scaleFromDeployment.
import { applyJsonPatch, applyMergePatch, badRequest, copy, notFound, type KubeObject } from '../../api/index.js'
import { formatLabelSelector } from '../../registry/printers.js'
import type { ScaleSubresource } from '../../registry/types.js'
import { readBody, sendJson } from '../http-util.js'
import { decodeObjectBody, mediaType, parseDocument, PATCH_TYPES } from '../negotiation.js'
import { writeContext, type ApiRequest } from './context.js'

const getPath = (obj: unknown, path: string[]): unknown =>
  path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj)

function setPath(obj: Record<string, unknown>, path: string[], value: unknown) {
  let o = obj
  for (const k of path.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>
  o[path[path.length - 1]!] = value
}

function selectorString(obj: KubeObject, scale: ScaleSubresource): string {
  if (!scale.labelSelectorPath) return ''
  const sel = getPath(obj, scale.labelSelectorPath) as Parameters<typeof formatLabelSelector>[0]
  // ReplicationControllers keep a plain map selector.
  const asMeta = sel && !('matchLabels' in sel) && !('matchExpressions' in sel) ? { matchLabels: sel as Record<string, string> } : sel
  const s = formatLabelSelector(asMeta)
  return s === '<none>' ? '' : s
}

export function scaleOf(obj: KubeObject, scale: ScaleSubresource) {
  const m = obj.metadata ?? {}
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: (getPath(obj, scale.specReplicasPath) as number | undefined) ?? 0 },
    status: { replicas: (getPath(obj, scale.statusReplicasPath) as number | undefined) ?? 0, selector: selectorString(obj, scale) },
  }
}

export async function handleScale(r: ApiRequest) {
  const scale = r.served.rt.subresources?.scale
  if (!scale) throw notFound({ group: r.served.rt.group, resource: `${r.served.rt.resource}/scale` }, r.info.name)
  const { store } = r.served
  if (r.info.verb === 'get') {
    return sendJson(r.res, 200, scaleOf(r.served.out(await store.get(r.info.namespace, r.info.name)), scale))
  }
  let body: KubeObject | undefined
  let patch: unknown
  let type = ''
  if (r.info.verb === 'update') body = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type'])
  else if (r.info.verb === 'patch') {
    type = mediaType(r.req.headers['content-type'])
    patch = parseDocument(await readBody(r.req), type)
  } else throw badRequest(`${r.info.verb} is not supported on scale`)
  const { obj } = await store.update(r.info.namespace, r.info.name, (stored) => {
    const current = r.served.out(stored)
    const cur = scaleOf(current, scale)
    let next: ReturnType<typeof scaleOf>
    if (body) next = body as unknown as ReturnType<typeof scaleOf>
    else if (type === PATCH_TYPES.json) next = applyJsonPatch(cur, patch) as typeof cur
    else next = applyMergePatch(cur, patch) as typeof cur // merge and strategic are the same on a Scale
    const replicas = next.spec?.replicas
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw badRequest(`Scale.autoscaling "${r.info.name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`)
    }
    const updated = copy(current)
    setPath(updated as Record<string, unknown>, scale.specReplicasPath, replicas)
    // A Scale's resourceVersion is the object's: a stale one is a conflict, as upstream.
    updated.metadata = { ...updated.metadata, resourceVersion: next.metadata?.resourceVersion || undefined }
    if (!updated.metadata.resourceVersion) delete updated.metadata.resourceVersion
    return r.served.in(updated)
  }, writeContext(r))
  sendJson(r.res, 200, scaleOf(r.served.out(obj), scale))
}

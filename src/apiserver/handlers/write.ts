/**
 * @module
 * POST, PUT and PATCH: decode the body, check it against the URL and the schema
 * (fieldValidation), then hand it to the store.
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/{create,update,patch,rest}.go.
import {
  applyJsonPatch, applyMergePatch, applyStrategicMergePatch, badRequest, copy, unsupportedMediaType,
  type KubeObject,
} from '../../api/index.js'
import { findUnknownFields, firstTypeError, lookupSchema, schemaNameForKind } from '../../api/schema/index.js'
import { readBody, sendJson } from '../http-util.js'
import { decodeObjectBody, mediaType, parseDocument, PATCH_TYPES } from '../negotiation.js'
import { writeContext, type ApiRequest } from './context.js'
import { warningHeaders } from './list.js'

type FieldValidation = 'Strict' | 'Warn' | 'Ignore'

function fieldValidation(r: ApiRequest): FieldValidation {
  const v = r.query.get('fieldValidation') ?? 'Warn'
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v
  throw badRequest(`fieldValidation parameter unsupported: ${v}`)
}

/** A value its field's Go type cannot hold: always 400, as upstream's decoder refuses it. */
function checkTypes(r: ApiRequest, obj: KubeObject) {
  const { rt } = r.served
  const typeName = schemaNameForKind(rt.group, rt.version, rt.kind)
  const err = typeName && firstTypeError(obj, typeName)
  if (err) throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: ${err}`)
}

/** Unknown fields: 400 under Strict, a warning under Warn (upstream's default), nothing under Ignore. */
function checkFields(r: ApiRequest, obj: KubeObject) {
  checkTypes(r, obj)
  const mode = fieldValidation(r)
  if (mode === 'Ignore') return
  const { rt } = r.served
  const typeName = schemaNameForKind(rt.group, rt.version, rt.kind)
  if (!typeName) return
  const unknown = findUnknownFields(obj, typeName).map((p) => `unknown field "${p}"`)
  if (!unknown.length) return
  if (mode === 'Strict') {
    throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${unknown.join(', ')}`)
  }
  r.warnings.push(...unknown)
}

/** The body's apiVersion and kind must name what the URL addresses. */
function checkTypeMeta(r: ApiRequest, obj: KubeObject) {
  const { rt } = r.served
  const want = rt.group ? `${rt.group}/${rt.version}` : rt.version
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`)
  }
  if (obj.kind !== undefined && obj.kind !== rt.kind) {
    throw badRequest(`${obj.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: no kind "${obj.kind}" is registered for version "${want}" in scheme`)
  }
  obj.apiVersion = want
  obj.kind = rt.kind
}

function checkNamespace(r: ApiRequest, obj: KubeObject) {
  const ns = obj.metadata?.namespace
  if (r.served.rt.namespaced && ns && ns !== r.info.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
  }
}

export async function handleCreate(r: ApiRequest) {
  const obj = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type'])
  checkTypeMeta(r, obj)
  checkNamespace(r, obj)
  checkFields(r, obj)
  const ctx = writeContext(r)
  const created = await r.served.store.create(r.served.in(obj), r.info.namespace, ctx)
  sendJson(r.res, 201, r.served.out(created), warningHeaders(r))
}

export async function handleUpdate(r: ApiRequest) {
  const obj = await decodeObjectBody(await readBody(r.req), r.req.headers['content-type'])
  checkTypeMeta(r, obj)
  checkNamespace(r, obj)
  if (obj.metadata?.name && obj.metadata.name !== r.info.name) {
    throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${r.info.name})`)
  }
  checkFields(r, obj)
  const ctx = writeContext(r)
  const subresource = r.info.subresource === 'status' ? 'status' : ''
  const stored = r.served.in(obj)
  const { obj: result, created } = await r.served.store.update(r.info.namespace, r.info.name, () => copy(stored), ctx, {
    subresource,
    create: r.served.rt.allowCreateOnUpdate ? () => r.served.store.create(copy(stored), r.info.namespace, ctx) : undefined,
  })
  sendJson(r.res, created ? 201 : 200, r.served.out(result), warningHeaders(r))
}

/**
 * Whether a patch sets metadata.resourceVersion, which makes it a precondition (upstream's
 * patcher); a patch that does not is applied to whatever is stored, retried on a lost race.
 */
function patchNamesResourceVersion(patch: unknown, type: string): boolean {
  if (type === PATCH_TYPES.json) {
    return Array.isArray(patch) && patch.some((op: { path?: unknown }) => op?.path === '/metadata/resourceVersion' || op?.path === '/metadata')
  }
  const meta = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata
  return meta?.resourceVersion !== undefined && meta.resourceVersion !== null && meta.resourceVersion !== ''
}

export async function handlePatch(r: ApiRequest) {
  const type = mediaType(r.req.headers['content-type'])
  const accepted = Object.values(PATCH_TYPES) as string[]
  if (!accepted.includes(type)) throw unsupportedMediaType(type, accepted)
  const body = await readBody(r.req)
  const patch = parseDocument(body, type)
  const { rt } = r.served
  if (type !== PATCH_TYPES.json && (patch === null || typeof patch !== 'object' || Array.isArray(patch))) {
    throw badRequest(`error decoding patch: json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`)
  }
  const ctx = writeContext(r)
  const subresource = r.info.subresource === 'status' ? 'status' : ''
  const typeName = schemaNameForKind(rt.group, rt.version, rt.kind)
  const apply = (current: KubeObject): KubeObject => {
    switch (type) {
      case PATCH_TYPES.json: return applyJsonPatch(current, patch) as KubeObject
      case PATCH_TYPES.merge: return applyMergePatch(current, patch) as KubeObject
      // Server-side apply without managed fields yet: the applied configuration is merged
      // strategically into the live object (field removal needs managedFields; see README).
      default: return applyStrategicMergePatch(current, patch, typeName ?? '', lookupSchema) as KubeObject
    }
  }
  const create = type === PATCH_TYPES.apply
    ? async () => {
      const obj = copy(patch) as KubeObject
      checkTypeMeta(r, obj)
      checkNamespace(r, obj)
      checkFields(r, obj)
      obj.metadata = { ...obj.metadata, name: r.info.name }
      return r.served.store.create(r.served.in(obj), r.info.namespace, ctx)
    }
    : undefined
  const { obj, created } = await r.served.store.update(r.info.namespace, r.info.name, (stored) => {
    const current = r.served.out(stored)
    const patched = apply(current)
    checkTypeMeta(r, patched)
    checkFields(r, patched)
    return r.served.in(patched)
  }, ctx, { subresource, create, unconditional: !patchNamesResourceVersion(patch, type) })
  sendJson(r.res, created ? 201 : 200, r.served.out(obj), warningHeaders(r))
}

/**
 * @module
 * Builds the OpenAPI documents: one v3 document per group-version (upstream's
 * /openapi/v3/apis/<group>/<version>) and one swagger 2.0 document for everything (/openapi/v2).
 * Shape follows upstream's published api/openapi-spec, so kubectl's explain, client-side apply
 * patch computation and fieldValidation probe all read them as they read a real cluster's.
 */
import { lookupSchema } from '../../api/schema/index.js'
import type { ResourceType } from '../../registry/types.js'
import { gvIdentifier, gvPath, META, QUERY_PARAMETERS, resourceOperations } from './operations.js'
import type { Operation } from './operations.js'
import { patchBodySchema, reachableTypes, refTo, typeToOpenApi } from './schemas.js'
import type { JsonObject, OpenApiFlavor } from './schemas.js'

const INFO = { title: 'Kubernetes', version: 'v1.32.0' }
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json',
  'application/merge-patch+json', 'application/strategic-merge-patch+json']
const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']
const BEARER = { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer token: "Bearer <token>".' }

/** 'api/v1' or 'apis/apps/v1': the key of a group-version in the v3 root document. */
export const gvKey = (group: string, version: string) => gvPath(group, version).slice(1)

/** The v3 document of one group-version, from the resources served in it. */
export function groupVersionDocument(group: string, version: string, resources: ResourceType[]): JsonObject {
  const ops = resources.flatMap(resourceOperations)
  const paths: Record<string, JsonObject> = {
    [`${gvPath(group, version)}/`]: { get: { tags: [tagOf(group, version)], description: 'get available resources',
      operationId: `get${gvIdentifier(group, version)}APIResources`,
      responses: { 200: response(META + 'APIResourceList', 'v3'), 401: { description: 'Unauthorized' } } } },
  }
  addOperations(paths, ops, 'v3')
  return { openapi: '3.0.0', info: INFO, paths,
    components: { schemas: componentSchemas(ops, 'v3'), securitySchemes: { BearerToken: BEARER } },
    security: [{ BearerToken: [] }] }
}

/** The swagger 2.0 document of every resource. */
export function swaggerDocument(resources: ResourceType[]): JsonObject {
  const ops = resources.flatMap(resourceOperations)
  const paths: Record<string, JsonObject> = {}
  addOperations(paths, ops, 'v2')
  return { swagger: '2.0', info: INFO, paths, definitions: componentSchemas(ops, 'v2'),
    securityDefinitions: { BearerToken: BEARER }, security: [{ BearerToken: [] }] }
}

function componentSchemas(ops: Operation[], flavor: OpenApiFlavor): JsonObject {
  const roots = new Set<string>([META + 'Status', META + 'DeleteOptions', META + 'APIResourceList'])
  for (const op of ops) {
    if (op.body && op.body !== 'patch') roots.add(op.body)
    if (op.response) roots.add(op.response)
  }
  const schemas: JsonObject = { [META + 'Patch']: patchBodySchema }
  for (const name of reachableTypes(roots)) schemas[name] = typeToOpenApi(lookupSchema(name)!, flavor)
  return Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : 1)))
}

function addOperations(paths: Record<string, JsonObject>, ops: Operation[], flavor: OpenApiFlavor): void {
  for (const op of ops) {
    const entry = (paths[op.path] ??= { parameters: pathParameters(op, flavor) })
    entry[op.method] = renderOperation(op, flavor)
  }
}

const tagOf = (group: string, version: string) => {
  const id = gvIdentifier(group, version)
  return `${id.charAt(0).toLowerCase()}${id.slice(1, -version.length)}_${version}`
}

/** The tag of the group-version a path is under: '/apis/apps/v1/...' → 'apps_v1'. */
function tagOfPath(path: string): string {
  const parts = path.split('/')
  return parts[1] === 'api' ? tagOf('', parts[2]) : tagOf(parts[2], parts[3])
}

function parameter(name: string, where: 'query' | 'path', flavor: OpenApiFlavor): JsonObject {
  const [type, description] = where === 'path'
    ? ['string', name === 'name' ? 'name of the object' : 'object name and auth scope, such as for teams and projects']
    : QUERY_PARAMETERS[name]
  const base = { name, in: where, description, ...(where === 'path' ? { required: true } : {}) }
  return flavor === 'v3' ? { ...base, schema: { type, uniqueItems: true } } : { ...base, type, uniqueItems: true }
}

function pathParameters(op: Operation, flavor: OpenApiFlavor): JsonObject[] {
  const out: JsonObject[] = []
  if (op.named) out.push(parameter('name', 'path', flavor))
  if (op.namespaced) out.push(parameter('namespace', 'path', flavor))
  out.push(parameter('pretty', 'query', flavor))
  return out
}

function response(type: string | undefined, flavor: OpenApiFlavor): JsonObject {
  if (!type) return { description: 'OK' }
  if (flavor === 'v2') return { description: 'OK', schema: refTo(type, flavor) }
  return { description: 'OK', content: Object.fromEntries(PRODUCES.map((t) => [t, { schema: refTo(type, flavor) }])) }
}

function renderOperation(op: Operation, flavor: OpenApiFlavor): JsonObject {
  const out: JsonObject = {
    tags: [tagOfPath(op.path)],
    description: op.description,
    operationId: op.operationId,
    parameters: op.query.map((q) => parameter(q, 'query', flavor)),
  }
  if (op.body) {
    const patch = op.body === 'patch'
    // Strategic merge patch is advertised only when kubectl can find the kind's schema: with a
    // GVK-less or missing schema it would fail to compute the patch (contract §2, option b).
    const types = patch ? PATCH_TYPES.filter((t) => !t.includes('strategic') || !!op.response) : ['*/*']
    const bodyType = patch ? META + 'Patch' : op.body
    if (flavor === 'v3') {
      const content = Object.fromEntries(types.map((t) => [t, { schema: refTo(bodyType, flavor) }]))
      out.requestBody = { content, required: !op.body.endsWith('DeleteOptions') }
    } else {
      const body = { name: 'body', in: 'body', required: !op.body.endsWith('DeleteOptions'), schema: refTo(bodyType, flavor) }
      out.parameters = [body, ...(out.parameters as JsonObject[])]
      out.consumes = types
    }
  }
  if (flavor === 'v2') { out.produces = PRODUCES; out.schemes = ['https'] }
  const ok = response(op.response, flavor)
  out.responses = op.method === 'post'
    ? { 200: ok, 201: { ...ok, description: 'Created' }, 202: { ...ok, description: 'Accepted' }, 401: { description: 'Unauthorized' } }
    : op.method === 'put' ? { 200: ok, 201: { ...ok, description: 'Created' }, 401: { description: 'Unauthorized' } }
      : op.method === 'delete' ? { 200: ok, 202: { ...ok, description: 'Accepted' }, 401: { description: 'Unauthorized' } }
        : { 200: ok, 401: { description: 'Unauthorized' } }
  out['x-kubernetes-action'] = op.action
  out['x-kubernetes-group-version-kind'] = op.gvk
  return out
}

/**
 * @module
 * The REST operations of one resource, as upstream's OpenAPI lists them: collection list/create/
 * deletecollection, item read/replace/patch/delete, the cross-namespace list, and the status,
 * scale and other subresources. Flavour-neutral: documents.ts renders them as v3 or v2.
 */
import { schemaNameForKind } from '../../api/schema/index.js'
import type { ResourceType } from '../../registry/types.js'

export type Gvk = { group: string; version: string; kind: string }

/** One operation: its HTTP method, upstream's action name, and the types it reads and writes. */
export type Operation = {
  path: string
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  action: 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection'
  operationId: string
  description: string
  /** Names from QUERY_PARAMETERS. */
  query: string[]
  /** Whether the path has {namespace} / {name}. */
  namespaced: boolean
  named: boolean
  /** Request body type name; 'patch' for the PATCH body. */
  body?: string
  /** Response type name (absent: the kind has no schema, e.g. a CRD). */
  response?: string
  gvk: Gvk
}

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.'
const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const WRITE = ['dryRun', 'fieldManager', 'fieldValidation']
const LIST = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion',
  'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch']
const DELETE = ['dryRun', 'gracePeriodSeconds', 'ignoreStoreReadErrorWithClusterBreakingPotential',
  'orphanDependents', 'propagationPolicy']

/** '/api/v1' or '/apis/apps/v1'. */
export const gvPath = (group: string, version: string) => (group ? `/apis/${group}/${version}` : `/api/${version}`)

/** Upstream's operation-id infix: 'CoreV1', 'AppsV1', 'RbacAuthorizationV1'. */
export function gvIdentifier(group: string, version: string): string {
  const parts = group ? group.replace(/\.k8s\.io$/, '').split('.') : ['core']
  return parts.map(upperFirst).join('') + upperFirst(version)
}

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/** Every operation upstream would list for `r`, limited to its verbs. */
export function resourceOperations(r: ResourceType): Operation[] {
  const verbs = new Set(r.verbs ?? ALL_VERBS)
  const gvk: Gvk = { group: r.group, version: r.version, kind: r.kind }
  const schema = r.schema ?? schemaNameForKind(r.group, r.version, r.kind)
  const list = schema && schemaNameForKind(r.group, r.version, `${r.kind}List`)
  const base = gvPath(r.group, r.version) + (r.namespaced ? '/namespaces/{namespace}/' : '/') + r.resource
  const id = (verb: string, suffix = '', collection = false) =>
    `${verb}${gvIdentifier(r.group, r.version)}${collection ? 'Collection' : ''}${r.namespaced ? 'Namespaced' : ''}${r.kind}${suffix}`
  const ns = r.namespaced
  const ops: Operation[] = []
  const add = (op: Omit<Operation, 'namespaced' | 'gvk'> & { gvk?: Gvk }) => ops.push({ namespaced: ns, gvk, ...op })
  if (verbs.has('list')) {
    add({ path: base, method: 'get', action: 'list', operationId: id('list'), named: false, query: LIST,
      description: `list or watch objects of kind ${r.kind}`, response: list })
  }
  if (verbs.has('create')) {
    add({ path: base, method: 'post', action: 'post', operationId: id('create'), named: false, query: WRITE,
      description: `create a ${r.kind}`, body: schema, response: schema })
  }
  if (verbs.has('deletecollection')) {
    add({ path: base, method: 'delete', action: 'deletecollection', operationId: id('delete', '', true), named: false,
      query: [...DELETE, ...LIST.filter((q) => q !== 'watch' && q !== 'allowWatchBookmarks')],
      description: `delete collection of ${r.kind}`, body: META + 'DeleteOptions', response: META + 'Status' })
  }
  const item = `${base}/{name}`
  if (verbs.has('get')) {
    add({ path: item, method: 'get', action: 'get', operationId: id('read'), named: true, query: [],
      description: `read the specified ${r.kind}`, response: schema })
  }
  if (verbs.has('update')) {
    add({ path: item, method: 'put', action: 'put', operationId: id('replace'), named: true, query: WRITE,
      description: `replace the specified ${r.kind}`, body: schema, response: schema })
  }
  if (verbs.has('patch')) {
    add({ path: item, method: 'patch', action: 'patch', operationId: id('patch'), named: true, query: [...WRITE, 'force'],
      description: `partially update the specified ${r.kind}`, body: 'patch', response: schema })
  }
  if (verbs.has('delete')) {
    add({ path: item, method: 'delete', action: 'delete', operationId: id('delete'), named: true, query: DELETE,
      description: `delete a ${r.kind}`, body: META + 'DeleteOptions', response: META + 'Status' })
  }
  if (ns && verbs.has('list')) {
    ops.push({ path: `${gvPath(r.group, r.version)}/${r.resource}`, method: 'get', action: 'list', namespaced: false,
      named: false, gvk, query: LIST, description: `list or watch objects of kind ${r.kind}`, response: list,
      operationId: `list${gvIdentifier(r.group, r.version)}${r.kind}ForAllNamespaces` })
  }
  const sub = (name: string, kindGvk: Gvk, type: string | undefined, subVerbs: string[], what: string) => {
    const path = `${item}/${name}`
    const suffix = upperFirst(name)
    if (subVerbs.includes('get')) add({ path, method: 'get', action: 'get', operationId: id('read', suffix), named: true,
      query: [], description: `read ${what} of the specified ${r.kind}`, response: type, gvk: kindGvk })
    if (subVerbs.includes('create')) add({ path, method: 'post', action: 'post', operationId: id('create', suffix),
      named: true, query: WRITE, description: `create ${what} of a ${r.kind}`, body: type, response: type, gvk: kindGvk })
    if (subVerbs.includes('update')) add({ path, method: 'put', action: 'put', operationId: id('replace', suffix),
      named: true, query: WRITE, description: `replace ${what} of the specified ${r.kind}`, body: type, response: type,
      gvk: kindGvk })
    if (subVerbs.includes('patch')) add({ path, method: 'patch', action: 'patch', operationId: id('patch', suffix),
      named: true, query: [...WRITE, 'force'], description: `partially update ${what} of the specified ${r.kind}`,
      body: 'patch', response: type, gvk: kindGvk })
  }
  if (r.subresources?.status) sub('status', gvk, schema, ['get', 'update', 'patch'], 'status')
  if (r.subresources?.scale) {
    sub('scale', { group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'io.k8s.api.autoscaling.v1.Scale',
      ['get', 'update', 'patch'], 'scale')
  }
  for (const x of r.subresources?.extra ?? []) {
    const g: Gvk = { group: x.group ?? r.group, version: x.version ?? r.version, kind: x.kind }
    const type = schemaNameForKind(g.group, g.version, g.kind)
    if (type) sub(x.name, g, type, x.verbs, x.name)
  }
  return ops
}

/** Query parameters: name → [type, our own short description]. */
export const QUERY_PARAMETERS: Record<string, ['string' | 'integer' | 'boolean', string]> = {
  allowWatchBookmarks: ['boolean', 'Asks for BOOKMARK watch events; the server may send them.'],
  continue: ['string', 'The continue token of the previous page of a paged list.'],
  dryRun: ['string', 'When present (All), the request is processed but nothing is persisted.'],
  fieldManager: ['string', 'The name of the actor making the change, for field ownership.'],
  fieldSelector: ['string', 'Restricts the returned objects by their fields.'],
  fieldValidation: ['string', 'How to treat unknown or duplicate fields in the body: Ignore, Warn or Strict.'],
  force: ['boolean', 'For apply patches: take ownership of conflicting fields.'],
  gracePeriodSeconds: ['integer', 'Seconds before the object is deleted; 0 deletes at once.'],
  ignoreStoreReadErrorWithClusterBreakingPotential: ['boolean', 'Deletes an object that cannot be decoded.'],
  labelSelector: ['string', 'Restricts the returned objects by their labels.'],
  limit: ['integer', 'Most objects to return in one page of a list.'],
  orphanDependents: ['boolean', 'Deprecated: use propagationPolicy.'],
  pretty: ['string', 'When true, the output is indented.'],
  propagationPolicy: ['string', 'Garbage collection of dependents: Orphan, Background or Foreground.'],
  resourceVersion: ['string', 'Which version of the data a list or watch reads from.'],
  resourceVersionMatch: ['string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'],
  sendInitialEvents: ['boolean', 'For watches: start with the current state as synthetic events.'],
  timeoutSeconds: ['integer', 'Ends a list or watch call after this many seconds.'],
  watch: ['boolean', 'Watch for changes instead of listing.'],
}

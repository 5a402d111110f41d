/**
 * @module
 * Serves /openapi/v3 (root: one entry per group-version with a content-hash URL), each
 * /openapi/v3/<group-version> document, and /openapi/v2 (JSON, or gnostic protobuf: the only
 * form kubectl asks for). Documents are built on first request, so start-up pays nothing;
 * hashes make kubectl's disk cache safe. A built document is held only weakly (a few MB in all,
 * and kubectl keeps its own copy by hash): the next full GC may drop it, and a later request
 * builds it again, byte for byte the same.
 */
import { createHash } from 'node:crypto'
import type { ResourceType } from '../../registry/types.js'
import { groupVersionDocument, gvKey, swaggerDocument } from './documents.js'
import { swaggerToProtobuf } from './v2-protobuf.js'

/** What the handler answers; `undefined` from the handler means "not an OpenAPI path". */
export type OpenApiResponse = { status: number; headers: Record<string, string>; body: string | Buffer }
export type OpenApiHandler = (path: string, query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>) => OpenApiResponse | undefined

type Doc = { body: Buffer; hash: string }

const YEAR_MS = 365 * 24 * 3600_000
const V3 = '/openapi/v3'
const JSON_TYPE = 'application/json'
// Upstream: kube-openapi pkg/handler/handler.go (RegisterOpenAPIVersionedService): kubectl asks
// for the deprecated "@v1.0" subtype; both subtypes are answered with the ".v1.0" one.
const PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'
const V2_FORMATS: [subtype: string, format: 'json' | 'protobuf'][] = [['json', 'json'],
  ['com.github.proto-openapi.spec.v2@v1.0+protobuf', 'protobuf'], ['com.github.proto-openapi.spec.v2.v1.0+protobuf', 'protobuf']]

// Upstream: kube-openapi pkg/handler3/handler.go (computeETag): upper-case hex SHA-512.
const docOf = (value: unknown): Doc => {
  const body = Buffer.from(JSON.stringify(value))
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() }
}

/** A document built on demand and held weakly; its hash is kept, for the v3 root's URLs. */
function weakDoc(build: () => Doc): () => Doc {
  let ref: WeakRef<Doc> | undefined
  return () => {
    const cached = ref?.deref()
    if (cached) return cached
    const doc = build()
    ref = new WeakRef(doc)
    return doc
  }
}

/** The OpenAPI endpoints for `resources` (each listed under its own group-version). */
export function openApiV3(resources: ResourceType[]): OpenApiHandler {
  const byGv = new Map<string, ResourceType[]>()
  for (const r of resources) {
    const key = gvKey(r.group, r.version)
    byGv.set(key, [...(byGv.get(key) ?? []), r])
  }
  const docs = new Map<string, () => Doc>()
  let root: Doc | undefined
  const gvDoc = (key: string): Doc => {
    let doc = docs.get(key)
    if (!doc) {
      const [first] = byGv.get(key) as ResourceType[]
      doc = weakDoc(() => docOf(groupVersionDocument(first.group, first.version, byGv.get(key) as ResourceType[])))
      docs.set(key, doc)
    }
    return doc()
  }
  const v2Doc = weakDoc(() => docOf(swaggerDocument(resources)))
  // Encoded from the served JSON, as upstream does, so both forms always say the same; upstream
  // also gives both the JSON's ETag (Vary: Accept keeps caches apart).
  const v2Protobuf = weakDoc(() => {
    const v2 = v2Doc()
    return { body: Buffer.from(swaggerToProtobuf(JSON.parse(v2.body.toString()))), hash: v2.hash }
  })
  // Upstream: kube-openapi pkg/handler3/handler.go (HandleDiscovery, HandleGroupVersion).
  return function openApi(path, query, headers) {
    if (path === V3 || path === `${V3}/`) {
      const keys = [...byGv.keys()].sort()
      root ??= docOf({ paths: Object.fromEntries(keys.map((k) => [k, { serverRelativeURL: `${V3}/${k}?hash=${gvDoc(k).hash}` }])) })
      return serve(root, headers, false)
    }
    if (path.startsWith(`${V3}/`)) {
      const key = path.slice(V3.length + 1).replace(/\/$/, '')
      if (!byGv.has(key)) return notFound(path)
      if (!acceptsJson(headers)) return { status: 406, headers: {}, body: '' }
      const doc = gvDoc(key)
      const hash = query.get('hash')
      if (hash && hash !== doc.hash) {
        const location = `${V3}/${key}?hash=${doc.hash}`
        return { status: 301, headers: { location, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache, private' },
          body: `<a href="${location}">Moved Permanently</a>.\n` }
      }
      return serve(doc, headers, !!hash)
    }
    if (path === '/openapi/v2') {
      const format = v2Format(headers)
      if (!format) return { status: 406, headers: { vary: 'Accept' }, body: '' }
      if (format === 'json') return serve(v2Doc(), headers, false)
      return serve(v2Protobuf(), headers, false, PROTOBUF_TYPE)
    }
    return undefined
  }
}

function serve(doc: Doc, headers: Record<string, string | string[] | undefined>, immutable: boolean,
  contentType = JSON_TYPE): OpenApiResponse {
  const etag = `"${doc.hash}"`
  const out: Record<string, string> = { 'content-type': contentType, etag, vary: 'Accept' }
  if (immutable) {
    out['cache-control'] = 'public, immutable'
    out.expires = new Date(Date.now() + YEAR_MS).toUTCString()
  } else {
    out['cache-control'] = 'no-cache, private'
  }
  const match = headers['if-none-match']
  if (match && String(match).split(/\s*,\s*/).includes(etag)) return { status: 304, headers: out, body: '' }
  return { status: 200, headers: out, body: doc.body }
}

function acceptsJson(headers: Record<string, string | string[] | undefined>): boolean {
  const accept = String(headers.accept ?? '*/*')
  return /(^|,)\s*(application\/json|application\/\*|\*\/\*)\s*(;|,|$)/.test(accept)
}

/**
 * Which /openapi/v2 form the Accept header prefers (undefined: none, 406). Clauses are taken by
 * quality, highest first; a wildcard takes JSON.
 */
function v2Format(headers: Record<string, string | string[] | undefined>): 'json' | 'protobuf' | undefined {
  const clauses = String(headers.accept || '*/*').split(',').map((clause) => {
    const [range = '', ...params] = clause.split(';').map((p) => p.trim())
    const q = params.find((p) => /^q=/i.test(p))
    const [type = '', subtype = ''] = range.toLowerCase().split('/')
    return { type, subtype, q: q ? Number(q.slice(2)) : 1 }
  }).filter((c) => c.q > 0).sort((a, b) => b.q - a.q) // stable: equal q keeps the client's order
  for (const c of clauses) {
    if (c.type !== 'application' && c.type !== '*') continue
    const hit = V2_FORMATS.find(([subtype]) => c.subtype === subtype || c.subtype === '*')
    if (hit) return hit[1]
  }
  return undefined
}

function notFound(path: string): OpenApiResponse {
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404,
    message: `the server could not find the requested resource (get ${path})` }
  return { status: 404, headers: { 'content-type': 'application/json', 'cache-control': 'no-cache, private' },
    body: JSON.stringify(status) }
}

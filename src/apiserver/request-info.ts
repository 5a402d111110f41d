/**
 * @module
 * Parses a request path into what it addresses, as upstream's RequestInfoFactory does:
 * group, version, namespace, resource, name, subresource and the verb.
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go (NewRequestInfo).

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'connect'

export type ResourceRequest = {
  kind: 'resource'
  group: string
  version: string
  namespace: string
  resource: string
  name: string
  subresource: string
  verb: Verb
  /** The path prefix: 'api' or 'apis'. */
  prefix: 'api' | 'apis'
}

export type RequestInfo = ResourceRequest | { kind: 'nonResource'; path: string }

const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy'])

export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const parts = pathname.split('/').filter((p) => p !== '')
  const prefix = parts[0]
  if (prefix !== 'api' && prefix !== 'apis') return { kind: 'nonResource', path: pathname }
  let i = 1
  let group = ''
  if (prefix === 'apis') {
    if (parts.length < 3) return { kind: 'nonResource', path: pathname }
    group = parts[i++]!
  } else if (parts.length < 2) {
    return { kind: 'nonResource', path: pathname }
  }
  const version = parts[i++]!
  let rest = parts.slice(i).map(decodeURIComponent)
  if (rest.length === 0) return { kind: 'nonResource', path: pathname }
  let namespace = ''
  // /namespaces/{ns}/{resource}... addresses namespaced resources; /namespaces/{name} is the namespace itself.
  // ... except /namespaces/{name}/status and /finalize, the namespace's own subresources.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1]!
    rest = rest.slice(2)
  }
  const resource = rest[0] ?? ''
  const name = rest[1] ?? ''
  const subresource = rest.slice(2).join('/')
  let verb: Verb
  const watch = query.get('watch')
  const isWatch = watch === 'true' || watch === '1'
  switch (method) {
    case 'POST': verb = CONNECT_SUBRESOURCES.has(subresource) ? 'connect' : 'create'; break
    case 'GET': case 'HEAD':
      if (CONNECT_SUBRESOURCES.has(subresource)) verb = 'connect'
      else verb = name ? (isWatch ? 'watch' : 'get') : isWatch ? 'watch' : 'list'
      break
    case 'PUT': verb = 'update'; break
    case 'PATCH': verb = 'patch'; break
    case 'DELETE': verb = name ? 'delete' : 'deletecollection'; break
    default: verb = 'get'
  }
  return { kind: 'resource', prefix, group, version, namespace, resource, name, subresource, verb }
}

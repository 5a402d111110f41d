/**
 * @module
 * What to do with one request, before any byte goes upstream: pick the server and location,
 * then apply ingress-nginx's steps in nginx's phase order — app-root, body size, CORS
 * preflight, HTTPS redirect, rewrite — ending in an answer of our own or a forward to an
 * upstream. Used for plain requests and upgrades alike.
 */
// Upstream: ingress-nginx nginx.tmpl (server-level app-root `if`, the CORS template,
// client_max_body_size), lua_ingress.lua (redirect_to_https: 308, trailing slash dropped
// unless preserve-trailing-slash), template.go buildProxyPass (rewrite ... break).
import type { IncomingMessage } from 'node:http'
import type { CorsConfig } from './annotations.js'
import { applyRewrite, normalizeUri } from './paths.js'
import { findLocation, findServer, type Location, type RouteTable } from './routes.js'
import type { Upstream } from './upstreams.js'

export type Scheme = 'http' | 'https'

export type Decision =
  | { kind: 'respond'; status: number; headers: string[]; close?: boolean; empty?: boolean }
  | { kind: 'forward'; loc: Location; up: Upstream; path: string; cors?: string[] }

export type RouteState = { routes: RouteTable; upstreams: ReadonlyMap<string, Upstream> }

/** Where redirects to HTTPS go: omitted or 443 means no port in the URL (nginx's default). */
export type RouteOptions = { httpsRedirectPort?: number }

const respond = (status: number, headers: string[] = [], close?: boolean): Decision =>
  ({ kind: 'respond', status, headers, ...(close ? { close } : {}) })

function corsHeaders(cors: CorsConfig, origin: string | undefined): string[] | undefined {
  let allowOrigin: string
  if (!cors.originRe) allowOrigin = '*'
  else if (origin && cors.originRe.test(origin)) allowOrigin = origin // echoed, as upstream's $http_origin
  else return undefined
  const h = ['Access-Control-Allow-Origin', allowOrigin]
  if (cors.allowCredentials) h.push('Access-Control-Allow-Credentials', 'true')
  h.push('Access-Control-Allow-Methods', cors.allowMethods, 'Access-Control-Allow-Headers', cors.allowHeaders)
  if (cors.exposeHeaders) h.push('Access-Control-Expose-Headers', cors.exposeHeaders)
  h.push('Access-Control-Max-Age', String(cors.maxAge))
  return h
}

const hostOnly = (host: string) => {
  const colon = host.lastIndexOf(':')
  return colon >= 0 && host.indexOf(']') < colon ? host.slice(0, colon) : host
}

/** Decides one request's fate from the current route table and upstreams. */
export function routeRequest(state: RouteState, req: IncomingMessage, scheme: Scheme, opts: RouteOptions = {}): Decision {
  const url = req.url ?? '/'
  let target = url
  // Absolute-form request targets (`GET http://host/path`) carry the path after the authority.
  if (url.charCodeAt(0) !== 47) {
    const m = /^https?:\/\/[^/]*(\/.*)?$/i.exec(url)
    if (!m) return respond(400)
    target = m[1] ?? '/'
  }
  const q = target.indexOf('?')
  const uri = normalizeUri(q < 0 ? target : target.slice(0, q))
  if (uri === undefined) return respond(400)
  const hostHeader = req.headers.host ?? ''
  const server = findServer(state.routes, hostHeader)

  if (server.appRoot && uri === '/') return respond(302, ['Location', `${scheme}://${hostHeader}${server.appRoot}`])

  const loc = findLocation(server, uri)
  if (!loc) return respond(404)
  const cfg = loc.config

  const length = req.headers['content-length']
  if (cfg.bodySizeBytes && length !== undefined && Number(length) > cfg.bodySizeBytes) return respond(413, [], true)

  let cors: string[] | undefined
  if (cfg.cors) {
    cors = corsHeaders(cfg.cors, req.headers.origin)
    if (cors && req.method === 'OPTIONS') {
      return { kind: 'respond', status: 204, headers: [...cors, 'Content-Type', 'text/plain charset=UTF-8', 'Content-Length', '0'], empty: true }
    }
  }

  if (scheme === 'http' && (cfg.forceSslRedirect || (cfg.sslRedirect && server.tls))) {
    let requestUri = target
    if (!cfg.preserveTrailingSlash && requestUri.length > 1 && requestUri.endsWith('/')) requestUri = requestUri.slice(0, -1)
    const port = opts.httpsRedirectPort && opts.httpsRedirectPort !== 443 ? `:${opts.httpsRedirectPort}` : ''
    return respond(308, ['Location', `https://${hostOnly(hostHeader) || server.name}${port}${requestUri}`, ...(cors ?? [])])
  }

  let path = target
  if (loc.rewrite) {
    const r = applyRewrite(loc.rewrite.re, loc.rewrite.target, uri, q < 0 ? '' : target.slice(q + 1), (name) =>
      name === 'scheme' ? scheme : name === 'host' ? hostOnly(hostHeader) : name === 'http_host' ? hostHeader
        : name === 'request_uri' ? target : name === 'uri' ? uri : undefined)
    if (r?.kind === 'redirect') return respond(302, ['Location', r.location, ...(cors ?? [])])
    if (r) path = r.path
  }

  // No Service: ingress-nginx's default backend answers 404.
  if (!loc.backend) return respond(404, cors ?? [])
  const up = state.upstreams.get(loc.backend.key)
  if (!up || up.unavailable) return respond(503, cors ?? [])
  return { kind: 'forward', loc, up, path, ...(cors ? { cors } : {}) }
}

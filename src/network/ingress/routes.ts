/**
 * @module
 * The route table: served Ingresses compiled into nginx-style servers (one per host, plus the
 * catch-all `_`) and their locations, and the lookups a request makes — server by Host, then
 * location by path with nginx's precedence. Built once per change, read on every request.
 */
// Upstream: ingress-nginx internal/ingress/controller/controller.go (createServers,
// getBackendServers: first Ingress by creation time wins a host/path; the host's root location
// takes the Ingress's defaultBackend and annotations), location.go (updateServerLocations: a
// Prefix `/foo` becomes `/foo/` plus an exact `/foo`), template.go (buildLocation,
// enforceRegexModifier, buildServerName) and nginx's location selection (exact, then the longest
// prefix unless a regex matches, regexes in order).
import type { HTTPIngressPath, Ingress, IngressBackend } from 'kubernetes-types/networking/v1.js'
import type { Cached } from '../../api/index.js'
import { parseAnnotations, type IngressConfig, type ParsedAnnotations } from './annotations.js'
import { locationRegex, rewriteRegex } from './paths.js'

/** A Service port that locations send traffic to; `key` is `ns/name:port`. */
export type BackendRef = { key: string; namespace: string; service: string; port: number | string }

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific'

export type Location = {
  /** The nginx location path (a Prefix path normalized to end in `/`). */
  path: string
  /** The path as the Ingress wrote it (cookie paths use it). */
  ingressPath: string
  pathType: PathType
  kind: 'exact' | 'prefix' | 'regex'
  re?: RegExp
  /** `ns/name` of the Ingress that defined it; undefined for the built-in default. */
  ingress?: string
  config: IngressConfig
  /** Undefined: ingress-nginx's default backend, which answers 404. */
  backend?: BackendRef
  rewrite?: { re: RegExp; target: string }
}

export type Server = {
  name: string
  exact: Map<string, Location>
  /** Longest first. */
  prefixes: Location[]
  /** In nginx's order: first match wins. */
  regexes: Location[]
  appRoot?: string
  /** Set when an Ingress lists this host under `spec.tls`; `secret` is `ns/name` (none: default certificate). */
  tls?: { secret?: string }
}

export type RouteTable = {
  servers: Map<string, Server>
  /** `*.foo.com` servers: one DNS label before the suffix. */
  wildcards: Array<{ suffix: string; server: Server }>
  fallback: Server
  /** Every Service port some location uses, by key. */
  backends: Map<string, BackendRef>
  /** Per Ingress (`ns/name`): paths that could not be served, with why. */
  problems: Map<string, string[]>
}

const DEFAULTS = parseAnnotations({}).config
const CATCH_ALL = '_'

type Draft = { name: string; locations: Location[] }

const keyOf = (ing: Cached<Ingress>) => `${ing.metadata?.namespace ?? ''}/${ing.metadata?.name ?? ''}`

function backendRef(namespace: string, b: Cached<IngressBackend> | undefined): BackendRef | undefined {
  const svc = b?.service
  if (!svc?.name) return undefined
  const port = svc.port?.number ?? svc.port?.name ?? ''
  return { key: `${namespace}/${svc.name}:${port}`, namespace, service: svc.name, port }
}

/** Upstream's creation-time order; ties by `ns/name`, descending, as upstream sorts them. */
export function sortIngresses(ings: readonly Cached<Ingress>[]): Cached<Ingress>[] {
  return [...ings].sort((a, b) => {
    const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0
    const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0
    if (ta !== tb) return ta - tb
    const ka = keyOf(a)
    const kb = keyOf(b)
    return ka === kb ? 0 : ka > kb ? -1 : 1
  })
}

const rootLocation = (config: IngressConfig, backend?: BackendRef, ingress?: string): Location => ({
  path: '/', ingressPath: '/', pathType: 'Prefix', kind: 'prefix', config,
  ...(backend ? { backend } : {}), ...(ingress ? { ingress } : {}),
})

/** Compiles served Ingresses (already filtered by class) into the route table. */
export function buildRoutes(ingresses: readonly Cached<Ingress>[],
  parse: (ing: Cached<Ingress>) => ParsedAnnotations = (ing) => parseAnnotations(ing.metadata?.annotations)): RouteTable {
  const sorted = sortIngresses(ingresses)
  const drafts = new Map<string, Draft>([[CATCH_ALL, { name: CATCH_ALL, locations: [rootLocation(DEFAULTS)] }]])
  const isDefault = new WeakSet<Location>([drafts.get(CATCH_ALL)!.locations[0]!])
  const problems = new Map<string, string[]>()
  const problem = (ing: string, msg: string) => problems.set(ing, [...(problems.get(ing) ?? []), msg])

  // Servers, each with a root location: the Ingress's defaultBackend, or the 404 default backend.
  for (const ing of sorted) {
    const ns = ing.metadata?.namespace ?? ''
    const { config } = parse(ing)
    const def = backendRef(ns, ing.spec?.defaultBackend)
    const rules = ing.spec?.rules ?? []
    if (def && !rules.length) {
      const root = drafts.get(CATCH_ALL)!.locations[0]!
      if (isDefault.has(root)) {
        // Upstream keeps the catch-all's redirect and rewrite settings here.
        const { rewriteTarget: _r, appRoot: _a, ...kept } = config
        drafts.get(CATCH_ALL)!.locations[0] = rootLocation({ ...kept, useRegex: false }, def, keyOf(ing))
      }
    }
    for (const rule of rules) {
      const host = rule.host || CATCH_ALL
      if (drafts.has(host)) continue
      const root = rootLocation(config, def, keyOf(ing))
      if (!def) isDefault.add(root)
      drafts.set(host, { name: host, locations: [root] })
    }
  }

  // Locations: the first Ingress to claim a path and type keeps it; a rule for `/` replaces a
  // root that only points at the default backend.
  for (const ing of sorted) {
    const ns = ing.metadata?.namespace ?? ''
    const { config } = parse(ing)
    for (const rule of ing.spec?.rules ?? []) {
      const draft = drafts.get(rule.host || CATCH_ALL)!
      for (const p of rule.http?.paths ?? []) {
        const backend = backendRef(ns, p.backend)
        if (!backend) { problem(keyOf(ing), `path ${p.path ?? '/'}: only Service backends are supported`); continue }
        addLocation(draft, p, backend, config, keyOf(ing), isDefault)
      }
    }
  }

  // The first Ingress to list a host under spec.tls gives it its certificate.
  const tlsOf = new Map<Draft, { secret?: string }>()
  for (const ing of sorted) for (const t of ing.spec?.tls ?? []) {
    for (const h of t.hosts ?? []) {
      const d = drafts.get(h)
      if (d) tlsOf.set(d, tlsOf.get(d) ?? { ...(t.secretName ? { secret: `${ing.metadata?.namespace ?? ''}/${t.secretName}` } : {}) })
    }
  }

  const table: RouteTable = { servers: new Map(), wildcards: [], fallback: undefined as unknown as Server, backends: new Map(), problems }
  for (const d of drafts.values()) {
    const server = compileServer(d, (ing, msg) => problem(ing, msg))
    const tls = tlsOf.get(d)
    if (tls) server.tls = tls
    for (const l of [...server.exact.values(), ...server.prefixes, ...server.regexes]) if (l.backend) table.backends.set(l.backend.key, l.backend)
    if (d.name === CATCH_ALL) table.fallback = server
    else if (d.name.startsWith('*.')) table.wildcards.push({ suffix: d.name.slice(1), server })
    else table.servers.set(d.name, server)
  }
  // nginx tries regex server names in order; upstream orders servers by name.
  table.wildcards.sort((a, b) => (a.server.name < b.server.name ? -1 : 1))
  return table
}

function addLocation(draft: Draft, p: Cached<HTTPIngressPath>, backend: BackendRef, config: IngressConfig,
  ingress: string, isDefault: WeakSet<Location>) {
  const path = p.path || '/'
  const pathType = (p.pathType ?? 'ImplementationSpecific') as PathType
  for (const [i, loc] of draft.locations.entries()) {
    if (loc.path !== path || loc.pathType !== pathType) continue
    if (isDefault.has(loc)) draft.locations[i] = { ...loc, backend, config, ingress }
    return
  }
  draft.locations.push({ path, ingressPath: path, pathType, kind: 'prefix', config, backend, ingress })
}

const needsRewrite = (l: Location) => !!l.config.rewriteTarget && l.config.rewriteTarget !== l.path

function compileServer(d: Draft, problem: (ing: string, msg: string) => void): Server {
  // Upstream sorts by path descending, then (stably) by length descending — nginx's regex
  // order — and only then normalizes, so a normalized path keeps its original place.
  const sorted = [...d.locations]
  sorted.sort((a, b) => (a.path === b.path ? 0 : a.path > b.path ? -1 : 1))
  sorted.sort((a, b) => b.path.length - a.path.length)
  // updateServerLocations: Prefix `/foo` serves `/foo` exactly and `/foo/…` as a prefix.
  const exactPaths = new Set(d.locations.filter((l) => l.pathType === 'Exact').map((l) => l.path))
  const locations: Location[] = []
  for (const l of sorted) {
    if (l.path === '/' || l.pathType !== 'Prefix' || needsRewrite(l) || l.config.useRegex) { locations.push(l); continue }
    const slashed = l.path.endsWith('/') ? l.path : `${l.path}/`
    locations.push({ ...l, path: slashed })
    if (!exactPaths.has(l.path)) locations.push({ ...l, pathType: 'Exact', kind: 'exact' })
  }
  const server: Server = { name: d.name, exact: new Map(), prefixes: [], regexes: [] }
  const regexMode = locations.some((l) => needsRewrite(l) || l.config.useRegex)
  for (const l of locations) {
    if (needsRewrite(l)) {
      const re = rewriteRegex(l.path)
      if (re) l.rewrite = { re, target: l.config.rewriteTarget! }
    }
    if (!server.appRoot && l.config.appRoot) server.appRoot = l.config.appRoot
    if (regexMode) {
      const re = locationRegex(l.path)
      if (!re) { if (l.ingress) problem(l.ingress, `path ${l.ingressPath}: not a valid regular expression`); continue }
      server.regexes.push({ ...l, kind: 'regex', re })
    } else if (l.pathType === 'Exact' || l.kind === 'exact') {
      if (!server.exact.has(l.path)) server.exact.set(l.path, { ...l, kind: 'exact' })
    } else {
      server.prefixes.push({ ...l, kind: 'prefix' })
    }
  }
  // nginx picks the longest matching prefix; the first one found wins among equals.
  server.prefixes.sort((a, b) => b.path.length - a.path.length)
  return server
}

/** The server for a Host header value (port ignored): exact name, then `*.` names, then `_`. */
export function findServer(table: RouteTable, hostHeader: string | undefined): Server {
  if (!hostHeader) return table.fallback
  let host = hostHeader
  const colon = host.lastIndexOf(':')
  if (colon >= 0 && host.indexOf(']') < colon) host = host.slice(0, colon)
  host = host.toLowerCase()
  if (host.endsWith('.')) host = host.slice(0, -1)
  const s = table.servers.get(host)
  if (s) return s
  for (const w of table.wildcards) {
    if (host.length <= w.suffix.length || !host.endsWith(w.suffix)) continue
    const label = host.slice(0, host.length - w.suffix.length)
    if (/^[\w-]+$/.test(label)) return w.server
  }
  return table.fallback
}

/** The location for a normalized URI: exact, else the first matching regex, else the longest prefix. */
export function findLocation(server: Server, uri: string): Location | undefined {
  const exact = server.exact.get(uri)
  if (exact) return exact
  for (const l of server.regexes) if (l.re!.test(uri)) return l
  for (const l of server.prefixes) if (uri.startsWith(l.path)) return l
  return undefined
}

/**
 * @module
 * Upstreams: the endpoints behind each Service port that Ingresses name, resolved from the
 * Service and its EndpointSlices, and endpoint selection — round robin, or sticky by cookie.
 * ingress-nginx balances over endpoints itself, bypassing the Service's cluster IP; so do we.
 */
// Upstream: ingress-nginx controller.go (serviceEndpoints: a port by number or by name),
// rootfs/etc/nginx/lua/balancer/round_robin.lua and sticky.lua (cookie "<key>|<backend key>",
// httponly, path defaults to the location's). Difference: the cookie key is a hash of the
// chosen endpoint (upstream's "persistent" mode) in both affinity modes.
import { createHash } from 'node:crypto'
import type { Service } from 'kubernetes-types/core/v1.js'
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import type { Cached } from '../../api/index.js'
import { serviceEndpoints, type Backend, type Protocol } from '../proxy/service-table.js'
import type { BackendRef } from './routes.js'

export type Endpoint = Backend & { /** `ip:port` */ addr: string; /** The affinity cookie's key for it. */ hash: string }

export type Upstream = {
  key: string
  /** Why there is nothing to send to (503), or undefined. */
  unavailable?: 'no-service' | 'no-port' | 'no-endpoints'
  endpoints: Endpoint[]
  /** Round-robin cursor; kept across rebuilds while the upstream exists. */
  next: number
  /** The second half of the affinity cookie: names this upstream. */
  backendKey: string
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex')

/** Resolves every referenced Service port; reuses `previous` entries (their cursors) when unchanged. */
export function resolveUpstreams(refs: Iterable<BackendRef>, getService: (key: string) => Cached<Service> | undefined,
  slicesOf: (key: string) => readonly Cached<EndpointSlice>[], previous: ReadonlyMap<string, Upstream>): Map<string, Upstream> {
  const out = new Map<string, Upstream>()
  for (const ref of refs) {
    const svcKey = `${ref.namespace}/${ref.service}`
    const prev = previous.get(ref.key)
    const backendKey = prev?.backendKey ?? md5(md5(ref.key) + ref.key)
    const svc = getService(svcKey)
    const base = { key: ref.key, next: prev?.next ?? 0, backendKey }
    if (!svc || svc.spec?.type === 'ExternalName') { out.set(ref.key, { ...base, unavailable: 'no-service', endpoints: [] }); continue }
    const sp = (svc.spec?.ports ?? []).find((p) => (typeof ref.port === 'number' ? p.port === ref.port : p.name === ref.port))
    if (!sp) { out.set(ref.key, { ...base, unavailable: 'no-port', endpoints: [] }); continue }
    const backends = serviceEndpoints(slicesOf(svcKey) as EndpointSlice[], sp.name ?? '', (sp.protocol ?? 'TCP') as Protocol)
    const same = prev && prev.endpoints.length === backends.length &&
      prev.endpoints.every((e, i) => e.ip === backends[i]!.ip && e.port === backends[i]!.port)
    const endpoints = same ? prev.endpoints : backends.map((b) => {
      const addr = `${b.ip}:${b.port}`
      return { ...b, addr, hash: md5(addr) }
    })
    out.set(ref.key, { ...base, endpoints, ...(endpoints.length ? {} : { unavailable: 'no-endpoints' as const }) })
  }
  return out
}

/** The next endpoint in round-robin order that has not been tried yet for this request. */
export function pickRoundRobin(up: Upstream, tried?: ReadonlySet<Endpoint>): Endpoint | undefined {
  const n = up.endpoints.length
  for (let i = 0; i < n; i++) {
    const e = up.endpoints[up.next++ % n]!
    if (up.next >= n * 1024) up.next = 0 // keep the cursor a small integer
    if (!tried?.has(e)) return e
  }
  return undefined
}

/** The endpoint an affinity cookie value names, if it still exists. */
export function endpointFromCookie(up: Upstream, cookie: string | undefined): Endpoint | undefined {
  if (!cookie) return undefined
  const bar = cookie.indexOf('|')
  const key = bar < 0 ? cookie : cookie.slice(0, bar)
  return up.endpoints.find((e) => e.hash === key)
}

/** One cookie from a Cookie header, without parsing the rest. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * @module
 * What cluster DNS knows, kept current from informer events: Services by name, their
 * EndpointSlices' endpoints, and the reverse maps from cluster IPs and endpoint IPs. Each
 * event touches only its own object's entries, so a query never scans every Service.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import type { Namespace, Service } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import type { Informers } from '../../client/index.js'

export type PortEntry = { name: string; protocol: string; port: number }

export type ServiceEntry = {
  name: string
  namespace: string
  kind: 'clusterIP' | 'headless' | 'externalName'
  clusterIPs: string[]
  /** Lower case, without the final dot. */
  externalName: string
  /** A Service without ports still answers A queries (CoreDNS adds a port -1 sentinel). */
  ports: PortEntry[]
  publishNotReadyAddresses: boolean
}

export type EndpointEntry = { ip: string; hostname: string; ready: boolean }
/** `ip` as the API wrote it (CoreDNS dashes that form for IPv6 names). */
export type SliceEntry = { service: string; namespace: string; endpoints: EndpointEntry[]; ports: PortEntry[] }

export type ZoneIndex = {
  /** By `name.namespace`, lower case. */
  service(name: string, namespace: string): ServiceEntry | undefined
  slicesOf(name: string, namespace: string): Iterable<SliceEntry>
  namespaceExists(namespace: string): boolean
  /** `ip` in `canonicalIP` form. */
  servicesByClusterIP(ip: string): Iterable<ServiceEntry>
  /** `ip` in `canonicalIP` form. */
  slicesByEndpointIP(ip: string): Iterable<SliceEntry>
  /** Bumps on every change, so cached answers can tell they went stale. */
  readonly generation: number
  /** Milliseconds (from `now`) of the last change: the SOA serial. */
  readonly changedMs: number
  close(): void
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'
const lower = (s: string | undefined) => (s ?? '').toLowerCase()

function serviceEntry(svc: Cached<Service>): ServiceEntry {
  const spec = svc.spec ?? {}
  const ips = spec.clusterIPs?.length ? [...spec.clusterIPs] : spec.clusterIP ? [spec.clusterIP] : []
  const kind = spec.type === 'ExternalName' ? 'externalName' : ips[0] === 'None' ? 'headless' : 'clusterIP'
  return {
    name: lower(svc.metadata?.name),
    namespace: lower(svc.metadata?.namespace),
    kind,
    clusterIPs: kind === 'clusterIP' ? ips.filter((ip) => ip && ip !== 'None') : [],
    externalName: lower(spec.externalName).replace(/\.$/, ''),
    ports: (spec.ports ?? []).map((p) => ({ name: lower(p.name), protocol: lower(p.protocol ?? 'TCP'), port: p.port })),
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
  }
}

function sliceEntry(slice: Cached<EndpointSlice>): SliceEntry {
  const endpoints: EndpointEntry[] = []
  for (const ep of slice.endpoints ?? []) {
    // The API: "nil should be interpreted as ready".
    const ready = ep.conditions?.ready !== false
    for (const ip of ep.addresses ?? []) endpoints.push({ ip, hostname: lower(ep.hostname), ready })
  }
  const ports = (slice.ports ?? []).map((p) => ({ name: lower(p.name), protocol: lower(p.protocol ?? 'TCP'), port: p.port ?? -1 }))
  return { service: lower(slice.metadata?.labels?.[SERVICE_NAME_LABEL]), namespace: lower(slice.metadata?.namespace), endpoints, ports }
}

/** IPv6 in its fully expanded lower-case form, so reverse lookups compare strings; IPv4 as is. */
export function canonicalIP(ip: string): string {
  if (!ip.includes(':')) return ip
  let s = ip.toLowerCase()
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number]
    s = s.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16)
  }
  const [head = '', tail] = s.split('::')
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
  return groups.map((g) => g.padStart(4, '0')).join(':')
}

/** Adds `value` under `key` in a map of sets. */
function addTo<K, V>(m: Map<K, Set<V>>, key: K, value: V) {
  let s = m.get(key)
  if (!s) m.set(key, (s = new Set()))
  s.add(value)
}
function removeFrom<K, V>(m: Map<K, Set<V>>, key: K, value: V) {
  const s = m.get(key)
  if (s?.delete(value) && s.size === 0) m.delete(key)
}

/** Subscribes to Services, EndpointSlices and Namespaces and keeps the index in step with them. */
export function createZoneIndex(informers: Informers, now: () => number = Date.now): ZoneIndex {
  const services = new Map<string, ServiceEntry>()
  const slices = new Map<string, SliceEntry>() // by slice key "ns/name"
  const slicesBySvc = new Map<string, Set<SliceEntry>>()
  const byClusterIP = new Map<string, Set<ServiceEntry>>()
  const byEndpointIP = new Map<string, Set<SliceEntry>>()
  const servicesPerNs = new Map<string, number>()
  const namespaces = new Set<string>()
  let generation = 0
  let changedMs = now()
  const changed = () => {
    generation++
    changedMs = now()
  }

  const putService = (key: string, e: ServiceEntry | undefined) => {
    const old = services.get(key)
    if (old) {
      for (const ip of old.clusterIPs) removeFrom(byClusterIP, canonicalIP(ip), old)
      servicesPerNs.set(old.namespace, (servicesPerNs.get(old.namespace) ?? 1) - 1)
      services.delete(key)
    }
    if (e) {
      services.set(key, e)
      for (const ip of e.clusterIPs) addTo(byClusterIP, canonicalIP(ip), e)
      servicesPerNs.set(e.namespace, (servicesPerNs.get(e.namespace) ?? 0) + 1)
    }
    changed()
  }
  const putSlice = (key: string, e: SliceEntry | undefined) => {
    const old = slices.get(key)
    if (old) {
      removeFrom(slicesBySvc, `${old.service}.${old.namespace}`, old)
      for (const ep of old.endpoints) removeFrom(byEndpointIP, canonicalIP(ep.ip), old)
      slices.delete(key)
    }
    if (e && e.service) {
      slices.set(key, e)
      addTo(slicesBySvc, `${e.service}.${e.namespace}`, e)
      for (const ep of e.endpoints) addTo(byEndpointIP, canonicalIP(ep.ip), e)
    }
    changed()
  }

  const svcKey = (s: Cached<Service>) => `${lower(s.metadata?.name)}.${lower(s.metadata?.namespace)}`
  const unsubscribe = [
    informers.of<Service>('v1', 'Service').subscribe((ev) => {
      putService(svcKey(ev.obj), ev.type === 'delete' ? undefined : serviceEntry(ev.obj))
    }),
    informers.of<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice').subscribe((ev) => {
      putSlice(`${ev.obj.metadata?.namespace}/${ev.obj.metadata?.name}`, ev.type === 'delete' ? undefined : sliceEntry(ev.obj))
    }),
    informers.of<Namespace>('v1', 'Namespace').subscribe((ev) => {
      if (ev.type === 'delete') namespaces.delete(lower(ev.obj.metadata?.name))
      else namespaces.add(lower(ev.obj.metadata?.name))
      changed()
    }),
  ]

  return {
    service: (name, namespace) => services.get(`${name}.${namespace}`),
    slicesOf: (name, namespace) => slicesBySvc.get(`${name}.${namespace}`) ?? [],
    // Without the Namespace informer's view (not synced, or not allowed), a Service proves it exists.
    namespaceExists: (ns) => namespaces.has(ns) || (servicesPerNs.get(ns) ?? 0) > 0,
    servicesByClusterIP: (ip) => byClusterIP.get(ip) ?? [],
    slicesByEndpointIP: (ip) => byEndpointIP.get(ip) ?? [],
    get generation() {
      return generation
    },
    get changedMs() {
      return changedMs
    },
    close: () => unsubscribe.forEach((u) => u()),
  }
}

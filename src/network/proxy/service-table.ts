/**
 * @module
 * What the proxy serves, computed from Services and EndpointSlices: one entry per Service
 * port, with its frontends (cluster IPs, external IPs, load-balancer IPs, node port) and the
 * endpoints each kind of traffic may go to. Both data paths (nftables and userspace), the host
 * relays and the ingress controller read this one model, so they agree on which endpoints
 * count — ready ones, else serving-and-terminating ones, as upstream's kube-proxy decides.
 */
import type { Service } from 'kubernetes-types/core/v1.js'
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import type { Cached } from '../../api/index.js'

export type Protocol = 'TCP' | 'UDP' | 'SCTP'

/** An address and port that traffic may be sent to. */
export type Backend = { ip: string; port: number; nodeName?: string }

/** One port of one Service, as the proxy serves it. */
export type ServicePort = {
  /** `namespace/name:portName/PROTOCOL`: stable while the Service and port exist. */
  id: string
  namespace: string
  name: string
  /** The port's name ('' when the Service has a single unnamed port). */
  portName: string
  protocol: Protocol
  port: number
  /** IPv4 cluster IPs (empty for headless and ExternalName Services). */
  clusterIPs: string[]
  externalIPs: string[]
  /** `status.loadBalancer.ingress[].ip` of a LoadBalancer Service. */
  loadBalancerIPs: string[]
  nodePort?: number
  /** Set for `sessionAffinity: ClientIP`. */
  affinityTimeoutSeconds?: number
  /** Where traffic to a cluster IP goes (internalTrafficPolicy applied). */
  clusterEndpoints: Backend[]
  /** Where traffic to a node port, load-balancer IP or external IP goes (externalTrafficPolicy applied). */
  externalEndpoints: Backend[]
}

/** Every served Service port, by id. */
export type ServiceTable = Map<string, ServicePort>

export type ServiceTableDiff = {
  added: ServicePort[]
  removed: ServicePort[]
  changed: Array<{ old: ServicePort; cur: ServicePort }>
}

/** A data path: applies the difference between the previous table and `table`. */
export interface ProxyBackend {
  readonly name: 'nftables' | 'userspace'
  sync(diff: ServiceTableDiff, table: ServiceTable): Promise<void>
  close(): Promise<void>
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'
const DEFAULT_AFFINITY_SECONDS = 10_800
const isIPv4 = (ip: string) => /^\d+\.\d+\.\d+\.\d+$/.test(ip)

/** The Service a slice belongs to, `ns/name`, or undefined. */
export function sliceServiceKey(slice: Cached<EndpointSlice>): string | undefined {
  const name = slice.metadata?.labels?.[SERVICE_NAME_LABEL]
  return name ? `${slice.metadata?.namespace ?? ''}/${name}` : undefined
}

/**
 * A Service port's endpoints from its slices: ready ones; when none is ready, those still
 * serving while terminating (upstream's fallback, so a rolling restart's last pod keeps
 * answering); optionally only this node's.
 */
export function serviceEndpoints(slices: readonly Cached<EndpointSlice>[], portName: string, protocol: Protocol,
  opts: { nodeName?: string; localOnly?: boolean } = {}): Backend[] {
  const ready: Backend[] = []
  const terminating: Backend[] = []
  const seen = new Set<string>()
  for (const slice of slices) {
    if (slice.addressType && slice.addressType !== 'IPv4') continue
    const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol)
    if (!sp?.port) continue
    for (const ep of slice.endpoints ?? []) {
      if (opts.localOnly && ep.nodeName !== opts.nodeName) continue
      const c = ep.conditions ?? {}
      // Absent conditions mean ready and serving (the API's documented defaults).
      const isReady = c.ready !== false
      const serving = c.serving ?? isReady
      for (const ip of ep.addresses ?? []) {
        const key = `${ip}:${sp.port}`
        if (seen.has(key)) continue
        seen.add(key)
        const b: Backend = { ip, port: sp.port, ...(ep.nodeName ? { nodeName: ep.nodeName } : {}) }
        if (isReady && !c.terminating) ready.push(b)
        else if (serving && c.terminating) terminating.push(b)
      }
    }
  }
  const out = ready.length ? ready : terminating
  return out.sort((a, b) => (a.ip === b.ip ? a.port - b.port : compareIPs(a.ip, b.ip)))
}

function compareIPs(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0)
  return 0
}

/** The entries one Service contributes (none for ExternalName or headless Services). */
export function servicePorts(svc: Cached<Service>, slices: readonly Cached<EndpointSlice>[], nodeName?: string): ServicePort[] {
  const spec = svc.spec ?? {}
  if (spec.type === 'ExternalName') return []
  const clusterIPs = (spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [])
    .filter((ip) => ip !== 'None' && isIPv4(ip))
  if (!clusterIPs.length) return []
  const namespace = svc.metadata?.namespace ?? ''
  const name = svc.metadata?.name ?? ''
  const loadBalancerIPs = spec.type === 'LoadBalancer'
    ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip && isIPv4(ip))
    : []
  const internalLocal = spec.internalTrafficPolicy === 'Local'
  const externalLocal = spec.externalTrafficPolicy === 'Local' && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
  const affinity = spec.sessionAffinity === 'ClientIP'
    ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS
    : undefined
  return (spec.ports ?? []).map((p) => {
    const protocol = (p.protocol ?? 'TCP') as Protocol
    const portName = p.name ?? ''
    return {
      id: `${namespace}/${name}:${portName}/${protocol}`,
      namespace, name, portName, protocol, port: p.port,
      clusterIPs,
      externalIPs: [...(spec.externalIPs ?? [])].filter(isIPv4),
      loadBalancerIPs,
      ...(p.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer') ? { nodePort: p.nodePort } : {}),
      ...(affinity !== undefined ? { affinityTimeoutSeconds: affinity } : {}),
      clusterEndpoints: serviceEndpoints(slices, portName, protocol, { nodeName, localOnly: internalLocal }),
      externalEndpoints: serviceEndpoints(slices, portName, protocol, { nodeName, localOnly: externalLocal }),
    }
  })
}

/** The whole table. `slicesOf(ns/name)` returns a Service's EndpointSlices. */
export function buildServiceTable(services: Iterable<Cached<Service>>, slicesOf: (key: string) => readonly Cached<EndpointSlice>[],
  nodeName?: string): ServiceTable {
  const table: ServiceTable = new Map()
  for (const svc of services) {
    const key = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`
    for (const sp of servicePorts(svc, slicesOf(key), nodeName)) table.set(sp.id, sp)
  }
  return table
}

/** Whether two entries program the same data path. */
export function samePort(a: ServicePort, b: ServicePort): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

export function diffServiceTables(old: ServiceTable, cur: ServiceTable): ServiceTableDiff {
  const diff: ServiceTableDiff = { added: [], removed: [], changed: [] }
  for (const [id, sp] of cur) {
    const o = old.get(id)
    if (!o) diff.added.push(sp)
    else if (!samePort(o, sp)) diff.changed.push({ old: o, cur: sp })
  }
  for (const [id, sp] of old) if (!cur.has(id)) diff.removed.push(sp)
  return diff
}

export const isEmptyDiff = (d: ServiceTableDiff) => !d.added.length && !d.removed.length && !d.changed.length

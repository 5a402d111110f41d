/**
 * @module
 * Endpoints subsets in their canonical shape: one subset per set of addresses that offer the
 * same ports, addresses de-duplicated and sorted, and the 1000-address cap.
 */
// Upstream: pkg/api/v1/endpoints/util.go (RepackSubsets, SortSubsets);
// pkg/controller/endpoint/endpoints_controller.go (truncateEndpoints, capacityAnnotationSetCorrectly).
// Subsets and ports are ordered by content instead of upstream's hash of their printed form.
import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js'
import { compareStrings } from '../../api/index.js'

export const MAX_CAPACITY = 1000
export const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity'

const addressKey = (a: EndpointAddress) => `${a.ip}|${a.targetRef?.uid ?? ''}`
const portKey = (p: EndpointPort | undefined) =>
  p ? JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']) : '-'

const byAddress = (a: EndpointAddress, b: EndpointAddress) =>
  compareIP(a.ip, b.ip) || compareStrings(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '')
const byPort = (a: EndpointPort, b: EndpointPort) =>
  compareStrings(a.name ?? '', b.name ?? '') || a.port - b.port || compareStrings(a.protocol ?? '', b.protocol ?? '')

/** Orders IPv4 addresses numerically (10.0.0.9 before 10.0.0.10), anything else as text. */
function compareIP(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  if (pa.length === 4 && pb.length === 4 && pa.every(Number.isInteger) && pb.every(Number.isInteger)) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!
    return 0
  }
  return compareStrings(a, b)
}

/**
 * Regroups subsets so each holds every address that offers exactly the same ports. An address
 * not ready on some port is not ready for that port set ("not ready trumps ready").
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>()
  // port → (address key → ready)
  const byPortKey = new Map<string, { port?: EndpointPort; ready: Map<string, boolean> }>()
  const note = (addr: EndpointAddress, port: EndpointPort | undefined, ready: boolean) => {
    const k = addressKey(addr)
    if (!addresses.has(k)) addresses.set(k, addr)
    const pk = portKey(port)
    let entry = byPortKey.get(pk)
    if (!entry) byPortKey.set(pk, (entry = { port, ready: new Map() }))
    if (entry.ready.get(k) !== false) entry.ready.set(k, ready)
  }
  for (const s of subsets) {
    // A subset without ports keeps its addresses under a sentinel port.
    const ports: (EndpointPort | undefined)[] = s.ports?.length ? s.ports : [undefined]
    for (const port of ports) {
      for (const a of s.addresses ?? []) note(a, port, true)
      for (const a of s.notReadyAddresses ?? []) note(a, port, false)
    }
  }
  // Address sets → the ports they offer.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>()
  for (const { port, ready } of byPortKey.values()) {
    const setKey = JSON.stringify([...ready].sort(([a], [b]) => compareStrings(a, b)))
    let g = groups.get(setKey)
    if (!g) groups.set(setKey, (g = { ready, ports: [] }))
    if (port) g.ports.push(port)
  }
  const out: EndpointSubset[] = []
  for (const { ready, ports } of groups.values()) {
    const s: EndpointSubset = {}
    const readyAddrs = [...ready].filter(([, r]) => r).map(([k]) => addresses.get(k)!).sort(byAddress)
    const notReady = [...ready].filter(([, r]) => !r).map(([k]) => addresses.get(k)!).sort(byAddress)
    if (readyAddrs.length) s.addresses = readyAddrs
    if (notReady.length) s.notReadyAddresses = notReady
    if (ports.length) s.ports = ports.sort(byPort)
    out.push(s)
  }
  const first = (s: EndpointSubset) => (s.addresses ?? s.notReadyAddresses ?? [])[0]
  return out.sort((a, b) => {
    const fa = first(a)
    const fb = first(b)
    const c = fa && fb ? byAddress(fa, fb) : 0
    return c || compareStrings(JSON.stringify(a.ports ?? []), JSON.stringify(b.ports ?? []))
  })
}

const count = (subsets: readonly EndpointSubset[]) =>
  subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0)

/** Whether the over-capacity annotation agrees with the subsets (absent and under the cap). */
export const capacityAnnotationSetCorrectly = (annotations: Readonly<Record<string, string>> | undefined, subsets: readonly EndpointSubset[]) =>
  count(subsets) <= MAX_CAPACITY && !(annotations && OVER_CAPACITY in annotations)

/**
 * Cuts subsets down to MAX_CAPACITY addresses in place, in proportion to each subset's size,
 * ready addresses before not-ready ones. Returns whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  let totalReady = 0
  let totalNotReady = 0
  for (const s of subsets) {
    totalReady += s.addresses?.length ?? 0
    totalNotReady += s.notReadyAddresses?.length ?? 0
  }
  if (totalReady + totalNotReady <= MAX_CAPACITY) return false
  const truncateReady = totalReady > MAX_CAPACITY
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady
  const total = truncateReady ? totalReady : totalNotReady
  let canBeAdded = max
  for (const s of subsets) {
    const inSubset = (truncateReady ? s.addresses?.length : s.notReadyAddresses?.length) ?? 0
    const toBeAdded = Math.min(Math.ceil((inSubset / total) * max), canBeAdded)
    if (truncateReady) {
      s.addresses = (s.addresses ?? []).slice(0, toBeAdded)
      s.notReadyAddresses = []
      canBeAdded -= s.addresses.length
    } else {
      s.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, toBeAdded)
      canBeAdded -= s.notReadyAddresses.length
    }
  }
  return true
}

/** Subsets without targetRef resourceVersions, so a pod's unrelated update does not count as a change. */
export function withoutResourceVersions(subsets: readonly EndpointSubset[] | undefined): EndpointSubset[] {
  const strip = (a: EndpointAddress): EndpointAddress => {
    if (!a.targetRef?.resourceVersion) return a
    const { resourceVersion: _rv, ...ref } = a.targetRef
    return { ...a, targetRef: ref }
  }
  return (subsets ?? []).map((s) => ({
    ...s,
    ...(s.addresses ? { addresses: s.addresses.map(strip) } : {}),
    ...(s.notReadyAddresses ? { notReadyAddresses: s.notReadyAddresses.map(strip) } : {}),
  }))
}

/**
 * @module
 * Building blocks of a Service's EndpointSlices: one pod as an endpoint with its conditions,
 * the ports it serves, the keys that group endpoints into slices, and a new slice's metadata.
 */
// Upstream: staging/src/k8s.io/endpointslice/utils.go (podToEndpoint, getEndpointPorts,
// newEndpointSlice, getEndpointSlicePrefix, setEndpointSliceLabels, ownedBy);
// staging/src/k8s.io/endpointslice/util/endpointset.go (hashEndpoint) and controller_utils.go (NewPortMapKey).
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js'
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import { compareStrings, isDNS1123Subdomain, type Cached } from '../../api/index.js'
import { findPort, isPodReady, isServiceIPSet, podAddresses, shouldSetHostname } from '../endpoints/index.js'

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name'
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by'
export const LABEL_HEADLESS = 'service.kubernetes.io/headless'
export const LABEL_ZONE = 'topology.kubernetes.io/zone'
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io'
/** Upstream's default for --max-endpoints-per-slice. */
export const MAX_ENDPOINTS_PER_SLICE = 100

export type AddressType = 'IPv4' | 'IPv6'
export type Slice = EndpointSlice & { metadata: NonNullable<EndpointSlice['metadata']> }

/** The address types a Service publishes: its IP families (the cluster IP's, or both when headless and unknown). */
export function addressTypesFor(svc: Cached<Service>): AddressType[] {
  const fams = (svc.spec?.ipFamilies ?? []).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6')
  if (fams.length) return [...new Set(fams)]
  if (isServiceIPSet(svc)) return [svc.spec!.clusterIP!.includes(':') ? 'IPv6' : 'IPv4']
  return ['IPv4', 'IPv6']
}

/**
 * One pod as an endpoint. `serving` follows readiness; `ready` is never true for a terminating
 * pod unless the Service publishes not-ready addresses.
 */
export function podToEndpoint(pod: Cached<Pod>, node: Cached<Node> | undefined, svc: Cached<Service>, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod)
  const terminating = !!pod.metadata?.deletionTimestamp
  const ready = (svc.spec?.publishNotReadyAddresses ?? false) || (serving && !terminating)
  const ep: Endpoint = {
    addresses: podAddresses(pod, addressType),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  }
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName
  const zone = node?.metadata?.labels?.[LABEL_ZONE]
  if (zone) ep.zone = zone
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname
  return ep
}

/** The Service's ports as this pod serves them; a port the pod lacks (a name it does not define) is left out. */
export function endpointPorts(svc: Cached<Service>, pod: Cached<Pod>): EndpointPort[] {
  const ports: EndpointPort[] = []
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp)
    if (port === undefined) continue
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' }
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol
    ports.push(ep)
  }
  return ports
}

/** Endpoints with the same port key share slices. */
export const portMapKey = (ports: readonly Cached<EndpointPort>[] | undefined) => JSON.stringify((ports ?? [])
  .map((p) => [p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP', p.appProtocol ?? ''])
  .sort((a, b) => compareStrings(JSON.stringify(a), JSON.stringify(b))))

/** An endpoint's identity (addresses, hostname, target): the same key in two syncs is the same endpoint, maybe changed. */
export const endpointKey = (ep: Cached<Endpoint>) => JSON.stringify([
  [...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '',
])

/** Whether a slice belongs to this Service (not to an older one of the same name). */
export const ownedBy = (slice: Cached<EndpointSlice>, svc: Cached<Service>) =>
  slice.metadata?.ownerReferences?.some((o) => o.uid === svc.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1') ?? false

/**
 * A slice's labels: the Service's (without the reserved ones), then service-name, managed-by
 * and the headless marker. `changed` says whether the Service's own labels differ from the slice's.
 */
export function sliceLabels(slice: Cached<EndpointSlice> | undefined, svc: Cached<Service>, controllerName: string) {
  const reserved = (k: string) => k === LABEL_SERVICE_NAME || k === LABEL_MANAGED_BY || k === LABEL_HEADLESS
  const pick = (m: Readonly<Record<string, string>> | undefined) =>
    Object.fromEntries(Object.entries(m ?? {}).filter(([k]) => !reserved(k)))
  const labels: Record<string, string> = pick(svc.metadata?.labels)
  const changed = JSON.stringify(Object.entries(pick(slice?.metadata?.labels)).sort()) !== JSON.stringify(Object.entries(labels).sort())
  if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = ''
  labels[LABEL_SERVICE_NAME] = svc.metadata?.name ?? ''
  labels[LABEL_MANAGED_BY] = controllerName
  return { labels, changed }
}

/** `<service>-` when that is a valid name prefix, else the Service's name. */
function slicePrefix(name: string): string {
  const prefix = `${name}-`
  return isDNS1123Subdomain(`${prefix}a`).length ? name : prefix
}

/** A new, empty slice for a Service and a port set (generateName `<service>-`, owned by the Service). */
export function newEndpointSlice(svc: Cached<Service>, ports: EndpointPort[], addressType: AddressType, controllerName: string): Slice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      generateName: slicePrefix(svc.metadata?.name ?? ''),
      namespace: svc.metadata?.namespace,
      labels: sliceLabels(undefined, svc, controllerName).labels,
      ownerReferences: [{
        apiVersion: 'v1', kind: 'Service', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid ?? '',
        controller: true, blockOwnerDeletion: true,
      }],
    },
    addressType,
    endpoints: [],
    ports,
  }
}

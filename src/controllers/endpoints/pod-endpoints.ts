/**
 * @module
 * Which pods back a Service, at which address and which ports: the rules the Endpoints and
 * EndpointSlice controllers share, so both publish the same pods the same way.
 */
// Upstream: staging/src/k8s.io/endpointslice/util/controller_utils.go (ShouldPodBeInEndpoints,
// ShouldSetHostname, GetPodServiceMemberships, GetServicesToUpdateOnPodChange, podEndpointsChanged);
// staging/src/k8s.io/endpointslice/utils.go (findPort); pkg/controller/endpoint/endpoints_controller.go
// (podToEndpointAddressForService).
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js'
import { keyOf, labelSelectorFromSet, type Cached, type LabelSelector } from '../../api/index.js'
import type { Informer, InformerEvent } from '../../client/types.js'

type P = Cached<Pod>
type S = Cached<Service>

/** The Service's selector, or undefined for a Service without one (its endpoints are written by hand). */
export function serviceSelector(svc: S): LabelSelector | undefined {
  const sel = svc.spec?.selector
  // An empty map does not survive storage upstream (it decodes as nil), so it means "no selector" too.
  return sel && Object.keys(sel).length ? labelSelectorFromSet(sel) : undefined
}

/** Headful: a cluster IP other than None. */
export const isServiceIPSet = (svc: S) => !!svc.spec?.clusterIP && svc.spec.clusterIP !== 'None'

const isTerminal = (p: P) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded'
const podIPs = (p: P): string[] => {
  const ips = (p.status?.podIPs ?? []).map((x) => x.ip).filter((ip): ip is string => !!ip)
  return ips.length ? ips : p.status?.podIP ? [p.status.podIP] : []
}
export const isIPv6 = (ip: string) => ip.includes(':')

/** Whether a pod is published at all: not finished, has an IP, and (unless asked) not terminating. */
export function shouldPodBeInEndpoints(pod: P, includeTerminating: boolean): boolean {
  if (isTerminal(pod)) return false
  if (podIPs(pod).length === 0) return false
  return includeTerminating || !pod.metadata?.deletionTimestamp
}

/** Whether the pod's hostname names it inside this Service (hostname + subdomain, same namespace). */
export const shouldSetHostname = (pod: P, svc: S) =>
  !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace

/** The pod's addresses of one family ('IPv4' | 'IPv6'). */
export const podAddresses = (pod: P, family: 'IPv4' | 'IPv6') => podIPs(pod).filter((ip) => isIPv6(ip) === (family === 'IPv6'))

/** The family the Endpoints controller publishes for a Service: its first ipFamily, else guessed. */
export function serviceIPFamily(svc: S, pod: P): 'IPv4' | 'IPv6' {
  const first = svc.spec?.ipFamilies?.[0]
  if (first === 'IPv4' || first === 'IPv6') return first
  if (isServiceIPSet(svc)) return isIPv6(svc.spec!.clusterIP!) ? 'IPv6' : 'IPv4'
  return pod.status?.podIP && isIPv6(pod.status.podIP) ? 'IPv6' : 'IPv4'
}

/**
 * The container port a Service port reaches on this pod: a number as given, a name looked up in
 * the pod's containers (and restartable init containers) with the same protocol; undefined when
 * the pod has no such port, which leaves the pod out for that port.
 */
export function findPort(pod: P, svcPort: Cached<ServicePort>): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port
  if (typeof target === 'number') return target
  const protocol = svcPort.protocol ?? 'TCP'
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort
  }
  return undefined
}

const isPodReadyCondition = (p: P) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false

/** Ready for Endpoints purposes (the Ready condition is True). */
export const isPodReady = isPodReadyCondition

// What a pod contributes to an endpoint; a change elsewhere (an annotation, a container's
// restart count) must not resync every Service that selects the pod.
const endpointFields = (p: P) => JSON.stringify([
  p.metadata?.deletionTimestamp ?? null, isPodReadyCondition(p), podIPs(p), p.spec?.hostname ?? '',
  p.spec?.subdomain ?? '', p.spec?.nodeName ?? '', isTerminal(p), p.spec?.containers?.map((c) => c.ports ?? []) ?? [],
])

/**
 * A trigger map for pod events: the keys of the Services in the pod's namespace whose selector
 * matches the pod (before or after the change); nothing when no endpoint-relevant field changed.
 */
export function podServiceKeys(services: Informer<Service>): (ev: InformerEvent<Pod>) => string[] {
  const memberships = (pod: P) => services.list(pod.metadata?.namespace ?? '')
    .filter((svc) => serviceSelector(svc)?.matches(pod.metadata?.labels) ?? false)
    .map((svc) => keyOf(svc) as string)
  return (ev) => {
    if (ev.type !== 'update') return memberships(ev.obj)
    const labelsChanged = JSON.stringify(ev.obj.metadata?.labels ?? {}) !== JSON.stringify(ev.old.metadata?.labels ?? {})
    if (!labelsChanged && endpointFields(ev.obj) === endpointFields(ev.old)) return []
    return [...new Set([...memberships(ev.old), ...memberships(ev.obj)])]
  }
}

/** Go's time.RFC3339Nano in UTC: fractional seconds only when non-zero, trailing zeros trimmed. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'))
}

/**
 * @module
 * The EndpointSlice mirroring controller: a Service without a selector gets its endpoints from
 * a hand-written Endpoints object; this loop copies those into EndpointSlices, so consumers that
 * read only slices (the proxy, DNS) see them too.
 */
// Upstream: pkg/controller/endpointslicemirroring/endpointslicemirroring_controller.go (syncEndpoints),
// reconciler.go and utils.go (newEndpointSlice, addressToEndpoint, epPortsToEpsPorts, skipMirror).
// Slices are matched to address-type/port groups in order rather than by upstream's fill heuristics.
import type { EndpointAddress, Endpoints, Service } from 'kubernetes-types/core/v1.js'
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import { copy, isNotFound, keyOf, semanticEqual, type Cached } from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/types.js'
import { isIPv6, LAST_CHANGE_TRIGGER_TIME, serviceSelector } from '../endpoints/index.js'
import { serviceKeyOfSlice } from './endpointslice-controller.js'
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, portMapKey, type Slice } from './slice-endpoints.js'

export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io'
const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror'
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader'
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'
/** Upstream's default --mirroring-max-endpoints-per-subset. */
const MAX_PER_SUBSET = 1000
const BY_ENDPOINTS = 'endpointslice-mirroring/endpoints'
const DISCOVERY = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' } as const

type Group = { addressType: 'IPv4' | 'IPv6'; ports: EndpointPort[]; endpoints: Map<string, Endpoint> }

function addressToEndpoint(a: Cached<EndpointAddress>, ready: boolean): Endpoint {
  const ep: Endpoint = { addresses: [a.ip], conditions: { ready } }
  if (a.targetRef) ep.targetRef = copy(a.targetRef)
  if (a.nodeName) ep.nodeName = a.nodeName
  if (a.hostname) ep.hostname = a.hostname
  return ep
}

/** Endpoints subsets regrouped by address type and ports, each subset capped at 1000 addresses. */
function desiredGroups(endpoints: Cached<Endpoints>): Group[] {
  const groups = new Map<string, Group>()
  for (const subset of endpoints.subsets ?? []) {
    const ports: EndpointPort[] = (subset.ports ?? []).map((p) => ({
      name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    }))
    const all = [...(subset.addresses ?? []).map((a) => [a, true] as const), ...(subset.notReadyAddresses ?? []).map((a) => [a, false] as const)]
    for (const [addr, ready] of all.slice(0, MAX_PER_SUBSET)) {
      const addressType = isIPv6(addr.ip) ? 'IPv6' : 'IPv4'
      const k = `${addressType}-${portMapKey(ports)}`
      let g = groups.get(k)
      if (!g) groups.set(k, (g = { addressType, ports, endpoints: new Map() }))
      g.endpoints.set(addr.ip, addressToEndpoint(addr, ready))
    }
  }
  return [...groups.values()]
}

function mirroredMeta(endpoints: Cached<Endpoints>) {
  const labels: Record<string, string> = {
    ...endpoints.metadata?.labels, [LABEL_SERVICE_NAME]: endpoints.metadata?.name ?? '', [LABEL_MANAGED_BY]: MIRRORING_CONTROLLER_NAME,
  }
  const annotations: Record<string, string> = { ...endpoints.metadata?.annotations }
  delete annotations[LAST_CHANGE_TRIGGER_TIME]
  delete annotations[LAST_APPLIED]
  return { labels, annotations }
}

/** Mirrors hand-written Endpoints of selector-less Services into EndpointSlices. */
export function endpointSliceMirroringController(ctx: ControllerContext): Controller {
  const services = ctx.informers.of<Service>('v1', 'Service')
  const endpointsInformer = ctx.informers.of<Endpoints>('v1', 'Endpoints')
  const slices = ctx.informers.of<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice')
  slices.addIndex(BY_ENDPOINTS, (s) => {
    const k = serviceKeyOfSlice(s, MIRRORING_CONTROLLER_NAME)
    return k ? [k] : []
  })

  async function remove(list: readonly Cached<EndpointSlice>[], signal: AbortSignal) {
    for (const s of list) {
      try {
        await ctx.client.delete(DISCOVERY, s.metadata!.name!, s.metadata?.namespace, { signal })
      } catch (err) {
        if (!isNotFound(err)) throw err
      }
    }
  }

  async function sync(key: string, signal: AbortSignal): Promise<void> {
    const existing = slices.byIndex(BY_ENDPOINTS, key)
    const endpoints = endpointsInformer.get(key)
    const svc = services.get(key)
    // Nothing (any longer) to mirror: a selector Service has its own slices; skip-mirror and
    // leader-election locks are not endpoints.
    if (!endpoints || !svc || serviceSelector(svc) || endpoints.metadata?.labels?.[LABEL_SKIP_MIRROR] === 'true' ||
      endpoints.metadata?.annotations?.[LEADER_ANNOTATION] !== undefined) {
      await remove(existing, signal)
      return
    }
    const { labels, annotations } = mirroredMeta(endpoints)
    const unused = [...existing]
    for (const g of desiredGroups(endpoints)) {
      const wanted = [...g.endpoints.values()]
      const k = `${g.addressType}-${portMapKey(g.ports)}`
      const i = unused.findIndex((s) => `${s.addressType}-${portMapKey(s.ports)}` === k)
      const current = i >= 0 ? unused.splice(i, 1)[0] : undefined
      if (current) {
        if (semanticEqual(current.endpoints, wanted) && semanticEqual(current.metadata?.labels, labels) &&
          semanticEqual(current.metadata?.annotations ?? {}, annotations)) continue
        const next = copy(current) as Slice
        next.endpoints = wanted
        next.metadata.labels = labels
        next.metadata.annotations = annotations
        await ctx.client.update(next, { signal })
        continue
      }
      const name = endpoints.metadata?.name ?? ''
      const slice: Slice = {
        ...DISCOVERY,
        metadata: {
          generateName: `${name}-`, namespace: endpoints.metadata?.namespace, labels, annotations,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name, uid: endpoints.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
        },
        addressType: g.addressType, ports: g.ports, endpoints: wanted,
      }
      await ctx.client.create(slice, { signal })
    }
    await remove(unused, signal)
  }

  return {
    name: 'endpointslice-mirroring-controller',
    triggers: [
      endpointsInformer.on((ev) => [keyOf(ev.obj)]),
      services.on((ev) => [keyOf(ev.obj)]),
      slices.on((ev) => {
        const k = serviceKeyOfSlice(ev.obj, MIRRORING_CONTROLLER_NAME)
        return k ? [k] : []
      }),
    ],
    sync,
  }
}

/**
 * @module
 * The Endpoints controller: for every Service with a selector, an Endpoints object of the same
 * name listing the selected pods' addresses (ready ones in `addresses`, the others in
 * `notReadyAddresses`) and the ports each pod serves. Services without a selector are left to
 * whoever writes their Endpoints.
 */
// Upstream: pkg/controller/endpoint/endpoints_controller.go (syncService, addEndpointSubset,
// endpointPortFromServicePort, checkLeftoverEndpoints). Leftover cleanup is narrower: only
// Endpoints carrying our managed-by label are deleted when their Service is gone.
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSubset, Pod, Service } from 'kubernetes-types/core/v1.js'
import { copy, isNotFound, keyOf, semanticEqual, type Cached } from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/types.js'
import {
  findPort, isPodReady, isServiceIPSet, podAddresses, podServiceKeys, rfc3339Nano, serviceIPFamily, serviceSelector,
  shouldPodBeInEndpoints, shouldSetHostname,
} from './pod-endpoints.js'
import { capacityAnnotationSetCorrectly, OVER_CAPACITY, repackSubsets, truncateSubsets, withoutResourceVersions } from './subsets.js'
import { LAST_CHANGE_TRIGGER_TIME, triggerTimeTracker } from './trigger-time.js'

export const ENDPOINTS_MANAGED_BY = 'endpoints.kubernetes.io/managed-by'
export const ENDPOINT_CONTROLLER = 'endpoint-controller'
export const HEADLESS_LABEL = 'service.kubernetes.io/headless'

type Ep = Endpoints & { metadata: NonNullable<Endpoints['metadata']> }

/** The address of one pod in a Service's Endpoints, or undefined when it has none of the Service's family. */
function podAddress(svc: Cached<Service>, pod: Cached<Pod>): EndpointAddress | undefined {
  const ip = podAddresses(pod, serviceIPFamily(svc, pod))[0]
  if (!ip) return undefined
  const addr: EndpointAddress = {
    ip,
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  }
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname
  return addr
}

/** Subsets for a Service from its selected pods, repacked. */
export function desiredSubsets(svc: Cached<Service>, pods: readonly Cached<Pod>[]): EndpointSubset[] {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses ?? false
  const subsets: EndpointSubset[] = []
  const add = (pod: Cached<Pod>, addr: EndpointAddress, port?: EndpointPort) => {
    const ports = port ? [port] : []
    subsets.push(tolerateUnready || isPodReady(pod) ? { addresses: [addr], ports } : { notReadyAddresses: [addr], ports })
  }
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue
    const addr = podAddress(svc, pod)
    if (!addr) continue
    const svcPorts = svc.spec?.ports ?? []
    // A headless Service may have no ports: its addresses are published without any.
    if (svcPorts.length === 0) {
      if (svc.spec?.clusterIP === 'None') add(pod, addr)
      continue
    }
    for (const sp of svcPorts) {
      const port = findPort(pod, sp)
      if (port === undefined) continue
      // An unnamed port is written without a name, as upstream's JSON (omitempty) has it.
      const epp: EndpointPort = { ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP' }
      if (sp.appProtocol) epp.appProtocol = sp.appProtocol
      add(pod, addr, epp)
    }
  }
  return repackSubsets(subsets)
}

/** The labels an Endpoints carries: the Service's, our managed-by, and the headless marker. */
function desiredLabels(svc: Cached<Service>): Record<string, string> {
  const labels: Record<string, string> = { ...svc.metadata?.labels, [ENDPOINTS_MANAGED_BY]: ENDPOINT_CONTROLLER }
  if (isServiceIPSet(svc)) delete labels[HEADLESS_LABEL]
  else labels[HEADLESS_LABEL] = ''
  return labels
}

/** Keeps each selector Service's Endpoints equal to its pods. */
export function endpointsController(ctx: ControllerContext): Controller {
  const services = ctx.informers.of<Service>('v1', 'Service')
  const pods = ctx.informers.of<Pod>('v1', 'Pod')
  const endpoints = ctx.informers.of<Endpoints>('v1', 'Endpoints')
  const recorder = ctx.recorder('endpoint-controller')
  const tracker = triggerTimeTracker()

  async function sync(key: string, signal: AbortSignal): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string]
    const svc = services.get(key)
    if (!svc) {
      tracker.delete(key)
      const current = endpoints.get(key)
      // Someone else's Endpoints without a Service (a hand-written one, a leader lock) is not ours to delete.
      if (!current || current.metadata?.labels?.[ENDPOINTS_MANAGED_BY] !== ENDPOINT_CONTROLLER) return
      try {
        await ctx.client.delete({ apiVersion: 'v1', kind: 'Endpoints' }, name, namespace, { signal })
      } catch (err) {
        if (!isNotFound(err)) throw err
      }
      return
    }
    // ExternalName Services get no endpoints; selector-less ones get hand-written ones.
    if (svc.spec?.type === 'ExternalName') return
    const selector = serviceSelector(svc)
    if (!selector) return

    const selected = pods.list(namespace).filter((p) => selector.matches(p.metadata?.labels))
    // Computed before the no-op check so the tracker's state follows every sync.
    const triggerMs = tracker.compute(key, svc, selected)
    const subsets = desiredSubsets(svc, selected)
    const labels = desiredLabels(svc)

    const current = endpoints.get(key)
    if (current &&
      semanticEqual(withoutResourceVersions(current.subsets as EndpointSubset[] | undefined), subsets) &&
      semanticEqual(current.metadata?.labels ?? {}, labels) &&
      capacityAnnotationSetCorrectly(current.metadata?.annotations, (current.subsets ?? []) as EndpointSubset[])) {
      return
    }
    const next: Ep = current
      ? (copy(current) as Ep)
      : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } }
    next.subsets = subsets
    next.metadata.labels = labels
    const annotations: Record<string, string> = { ...next.metadata.annotations }
    if (triggerMs !== undefined) annotations[LAST_CHANGE_TRIGGER_TIME] = rfc3339Nano(triggerMs)
    else delete annotations[LAST_CHANGE_TRIGGER_TIME]
    if (truncateSubsets(subsets)) annotations[OVER_CAPACITY] = 'truncated'
    else delete annotations[OVER_CAPACITY]
    next.metadata.annotations = annotations

    try {
      if (current) await ctx.client.update(next, { signal })
      else await ctx.client.create(next, { signal })
    } catch (err) {
      // A terminating namespace refuses creates for good; retrying cannot help.
      if (!current && (err as { status?: { details?: { causes?: { reason?: string }[] } } }).status?.details?.causes
        ?.some((c) => c.reason === 'NamespaceTerminating')) return
      const why = err instanceof Error ? err.message : String(err)
      const target = (current ?? next) as Cached<Endpoints>
      if (current) recorder.event(target, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${why}`)
      else recorder.event(target, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${why}`)
      throw err
    }
  }

  return {
    name: 'endpoints-controller',
    triggers: [
      services.on((ev) => [keyOf(ev.obj)]),
      pods.on(podServiceKeys(services)),
      // A deleted Endpoints is recreated; one of ours seen at start-up may be a leftover to delete.
      endpoints.on((ev) => ev.type === 'delete' ||
        (ev.type === 'add' && ev.obj.metadata?.labels?.[ENDPOINTS_MANAGED_BY] === ENDPOINT_CONTROLLER) ? [keyOf(ev.obj)] : []),
    ],
    sync,
  }
}

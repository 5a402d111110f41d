/**
 * @module
 * The EndpointSlice reconciler's plan: given a Service, its pods and its current slices, which
 * slices to create, update and delete. Pure, so the churn-minimising rules can be tested alone:
 * endpoints stay in the slice they are in, changed slices are filled before new ones are made,
 * a small remainder goes into the unchanged slice it fits best, and an empty Service keeps one
 * placeholder slice.
 */
// Upstream: staging/src/k8s.io/endpointslice/reconciler.go (Reconcile, reconcileByAddressType,
// reconcileByPortMapping, finalize's create-to-update swap) and utils.go (getSliceToFill).
// Topology hints and traffic distribution are left out.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js'
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import { copy, semanticEqual, type Cached } from '../../api/index.js'
import { shouldPodBeInEndpoints } from '../endpoints/index.js'
import {
  addressTypesFor, endpointKey, endpointPorts, newEndpointSlice, ownedBy, podToEndpoint, portMapKey, sliceLabels,
  type AddressType, type Slice,
} from './slice-endpoints.js'

export type Plan = { create: Slice[]; update: Slice[]; delete: Cached<EndpointSlice>[]; errors: string[] }

export type ReconcileInput = {
  service: Cached<Service>
  pods: readonly Cached<Pod>[]
  slices: readonly Cached<EndpointSlice>[]
  node: (name: string) => Cached<Node> | undefined
  maxEndpointsPerSlice: number
  controllerName: string
}

/** What to write so the Service's slices list exactly its pods. */
export function planSlices(input: ReconcileInput): Plan {
  const plan: Plan = { create: [], update: [], delete: [], errors: [] }
  const types = addressTypesFor(input.service)
  for (const slice of input.slices) if (!types.includes(slice.addressType as AddressType)) plan.delete.push(slice)
  for (const t of types) planByAddressType(input, t, input.slices.filter((s) => s.addressType === t), plan)
  swapCreatesForDeletes(input.service, plan)
  return plan
}

function planByAddressType(input: ReconcileInput, addressType: AddressType, existing: readonly Cached<EndpointSlice>[], plan: Plan) {
  const { service, pods, maxEndpointsPerSlice: max, controllerName } = input
  const before = { create: plan.create.length, delete: plan.delete.length }
  const existingByPorts = new Map<string, Cached<EndpointSlice>[]>()
  for (const s of existing) {
    if (!ownedBy(s, service)) {
      plan.delete.push(s)
      continue
    }
    const k = portMapKey(s.ports)
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s])
  }
  // Desired endpoints grouped by the ports their pod serves.
  const desired = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>()
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue
    const ports = endpointPorts(service, pod)
    const k = portMapKey(ports)
    let group = desired.get(k)
    if (!group) desired.set(k, (group = { ports, endpoints: new Map() }))
    const node = pod.spec?.nodeName ? input.node(pod.spec.nodeName) : undefined
    // A pod on a Node that does not exist is left out (and retried), unless the Service publishes everything.
    if (!node && !service.spec?.publishNotReadyAddresses) {
      plan.errors.push(`skipping Pod ${pod.metadata?.name} for Service ${service.metadata?.namespace}/${service.metadata?.name}: Node ${pod.spec?.nodeName} Not Found`)
      continue
    }
    const ep = podToEndpoint(pod, node, service, addressType)
    if (ep.addresses.length) group.endpoints.set(endpointKey(ep), ep)
  }
  for (const [k, group] of desired) {
    planByPortMapping(input, existingByPorts.get(k) ?? [], group.endpoints, () => newEndpointSlice(service, group.ports, addressType, controllerName), plan, max)
  }
  for (const [k, slices] of existingByPorts) if (!desired.has(k)) plan.delete.push(...slices)

  // No slice would remain: keep (or make) one empty placeholder so consumers see the Service has no endpoints.
  const deletedHere = plan.delete.length - before.delete
  if (existing.length === deletedHere && plan.create.length === before.create) {
    const placeholder = newEndpointSlice(service, [], addressType, controllerName)
    const only = deletedHere === 1 ? plan.delete[plan.delete.length - 1] : undefined
    if (only && isSamePlaceholder(only, placeholder)) plan.delete.pop()
    else plan.create.push(placeholder)
  }
}

const isSamePlaceholder = (s: Cached<EndpointSlice>, p: Slice) =>
  s.metadata?.namespace === p.metadata.namespace && semanticEqual(s.metadata?.labels, p.metadata.labels) &&
  semanticEqual(s.metadata?.ownerReferences, p.metadata.ownerReferences) && s.addressType === p.addressType &&
  semanticEqual(s.endpoints, []) && semanticEqual(s.ports, [])

function planByPortMapping(input: ReconcileInput, existing: Cached<EndpointSlice>[], desired: Map<string, Endpoint>,
  fresh: () => Slice, plan: Plan, max: number) {
  const byName = new Map<string, Slice>()
  const unchanged: string[] = []
  const toUpdate = new Set<string>()
  // 1. Keep endpoints where they are; drop the ones no longer wanted; refresh the changed ones.
  for (const s of existing) {
    const name = s.metadata!.name!
    const kept: Endpoint[] = []
    let endpointChanged = false
    for (const ep of s.endpoints ?? []) {
      const k = endpointKey(ep)
      const want = desired.get(k)
      if (!want) continue
      kept.push(want)
      if (!semanticEqual(want, ep)) endpointChanged = true
      desired.delete(k)
    }
    const { labels, changed: labelsChanged } = sliceLabels(s, input.service, input.controllerName)
    if (endpointChanged || kept.length !== (s.endpoints?.length ?? 0)) {
      if (kept.length === 0) {
        plan.delete.push(s)
        continue
      }
      const next = copy(s) as Slice
      next.endpoints = kept
      next.metadata.labels = labels
      byName.set(name, next)
      toUpdate.add(name)
    } else if (labelsChanged) {
      const next = copy(s) as Slice
      next.metadata.labels = labels
      byName.set(name, next)
      toUpdate.add(name)
    } else {
      byName.set(name, copy(s) as Slice)
      unchanged.push(name)
    }
  }
  const remaining = [...desired.values()]
  // 2. Fill the slices being written anyway, fullest first.
  for (const s of [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0))) {
    while (remaining.length && s.endpoints.length < max) s.endpoints.push(remaining.shift()!)
  }
  // 3. A remainder smaller than a slice goes into the unchanged slice it fills best; the rest into new slices.
  while (remaining.length) {
    let target: Slice | undefined
    if (remaining.length < max) {
      let best = max
      for (const n of unchanged) {
        const diff = max - (remaining.length + (byName.get(n)!.endpoints?.length ?? 0))
        if (diff >= 0 && diff < best) {
          best = diff
          target = byName.get(n)
        }
      }
    }
    target ??= fresh()
    while (remaining.length && target.endpoints.length < max) target.endpoints.push(remaining.shift()!)
    const name = target.metadata.name
    if (name) {
      toUpdate.add(name)
      unchanged.splice(unchanged.indexOf(name), 1)
    } else plan.create.push(target)
  }
  for (const n of toUpdate) plan.update.push(byName.get(n)!)
}

// A slice to delete and a slice to create of the same Service and address type: update the
// old one instead, one write rather than two.
function swapCreatesForDeletes(svc: Cached<Service>, plan: Plan) {
  for (let i = 0; i < plan.delete.length && plan.create.length;) {
    const old = plan.delete[i]!
    const made = plan.create[plan.create.length - 1]!
    if (old.addressType === made.addressType && ownedBy(old, svc)) {
      // The old slice's resourceVersion guards against overwriting a change we have not seen.
      made.metadata = { ...made.metadata, name: old.metadata?.name, resourceVersion: old.metadata?.resourceVersion }
      delete made.metadata.generateName
      plan.create.pop()
      plan.update.push(made)
      plan.delete.splice(i, 1)
    } else i++
  }
}

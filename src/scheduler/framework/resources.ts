/**
 * @module
 * Resource arithmetic for the scheduler: what a pod asks for (upstream's
 * computePodResourceRequest: containers summed, init containers as a maximum, sidecars
 * added, overhead on top) and what a node can give. Kept as plain numbers, computed once
 * per pod, because the filters compare them for every node of every cycle.
 */
// Upstream: pkg/scheduler/framework/types.go (Resource, calculateResource),
// k8s.io/component-helpers/resource/helpers.go (PodRequests), pkg/scheduler/util (nonzero defaults).
import type { Pod, ResourceRequirements } from 'kubernetes-types/core/v1.js'
import { quantityMilliValue, quantityValue, type Cached } from '../../api/index.js'

/** Amounts of each resource; `scalar` holds extended resources and hugepages. */
export type Resource = {
  milliCPU: number
  memory: number
  ephemeralStorage: number
  allowedPodNumber: number
  scalar: Map<string, number> | undefined
}

/** Requests for a container that names none, used only for scoring (upstream's nonzero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

export const emptyResource = (): Resource =>
  ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: undefined })

export const cloneResource = (r: Resource): Resource => ({ ...r, scalar: r.scalar && new Map(r.scalar) })

const IGNORED = new Set(['pods', 'storage'])

function safe(read: (q: string) => number, q: string | number | undefined): number {
  if (q === undefined || q === null) return 0
  try {
    return read(String(q))
  } catch {
    return 0 // validation keeps bad quantities out; never let one stop the scheduler
  }
}

/** Adds (or, with sign -1, subtracts) a resource list such as `requests` or `allocatable`. */
export function addResourceList(r: Resource, list: Cached<Record<string, string | number>> | undefined, sign = 1) {
  if (!list) return
  for (const name in list) {
    const q = list[name]
    switch (name) {
      case 'cpu': r.milliCPU += sign * safe(quantityMilliValue, q); break
      case 'memory': r.memory += sign * safe(quantityValue, q); break
      case 'ephemeral-storage': r.ephemeralStorage += sign * safe(quantityValue, q); break
      default:
        if (IGNORED.has(name)) break
        r.scalar ??= new Map()
        r.scalar.set(name, (r.scalar.get(name) ?? 0) + sign * safe(quantityValue, q))
    }
  }
}

/** `into += r * sign`, including the pod count when `pods` is set. */
export function addResource(into: Resource, r: Resource, sign = 1) {
  into.milliCPU += sign * r.milliCPU
  into.memory += sign * r.memory
  into.ephemeralStorage += sign * r.ephemeralStorage
  if (r.scalar) {
    into.scalar ??= new Map()
    for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + sign * v)
  }
}

function maxInto(into: Resource, r: Resource) {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU)
  into.memory = Math.max(into.memory, r.memory)
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage)
  if (r.scalar) {
    into.scalar ??= new Map()
    for (const [k, v] of r.scalar) into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v))
  }
}

type Requests = Cached<ResourceRequirements> | undefined
function containerRequests(res: Requests, nonZero: boolean): Resource {
  const r = emptyResource()
  addResourceList(r, res?.requests as Cached<Record<string, string>> | undefined)
  if (nonZero) {
    if (res?.requests?.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST
    if (res?.requests?.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST
  }
  return r
}

/**
 * What the pod asks of a node: the sum of its containers and sidecars, at least the
 * largest init container (plus the sidecars started before it), plus the pod overhead.
 * With `nonZero`, containers without a cpu or memory request count the scoring defaults.
 */
// Upstream: component-helpers/resource PodRequests with NonMissingContainerRequests for nonZero.
export function computePodResourceRequest(pod: Cached<Pod>, nonZero = false): Resource {
  const reqs = emptyResource()
  for (const c of pod.spec?.containers ?? []) addResource(reqs, containerRequests(c.resources, nonZero))
  const sidecars = emptyResource()
  const initMax = emptyResource()
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c.resources, nonZero)
    if (c.restartPolicy === 'Always') {
      // A sidecar keeps running next to the app containers, so it adds to the total.
      addResource(reqs, r)
      addResource(sidecars, r)
      maxInto(initMax, sidecars)
    } else {
      addResource(r, sidecars)
      maxInto(initMax, r)
    }
  }
  maxInto(reqs, initMax)
  addResourceList(reqs, pod.spec?.overhead as Cached<Record<string, string>> | undefined)
  return reqs
}

/** A node's allocatable resources, with the pod count. */
export function allocatableOf(allocatable: Cached<Record<string, string | number>> | undefined): Resource {
  const r = emptyResource()
  addResourceList(r, allocatable)
  r.allowedPodNumber = safe(quantityValue, allocatable?.pods)
  return r
}

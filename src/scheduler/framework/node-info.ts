/**
 * @module
 * NodeInfo: one node as the scheduler sees it — allocatable, what its pods request, the
 * host ports they hold, and which of them carry affinity terms. Updated incrementally as
 * pods are added (including pods only assumed) and removed.
 */
// Upstream: pkg/scheduler/framework/types.go (NodeInfo, AddPodInfo, RemovePod, HostPortInfo).
import type { Node, Taint } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { hasAffinity, type HostPort, type PodInfo } from './pod-info.js'
import { addResource, allocatableOf, cloneResource, emptyResource, type Resource } from './resources.js'

export type { PodInfo } from './pod-info.js'

export type NodeInfo = {
  /** Undefined only while pods are known on a node the cache has not seen (or has lost). */
  node: Cached<Node> | undefined
  name: string
  labels: Readonly<Record<string, string>>
  taints: readonly Cached<Taint>[]
  pods: PodInfo[]
  podsWithAffinity: PodInfo[]
  podsWithRequiredAntiAffinity: PodInfo[]
  /** ip → "protocol/port" → how many pods hold it. */
  usedPorts: Map<string, Map<string, number>>
  allocatable: Resource
  requested: Resource
  nonZeroMilliCPU: number
  nonZeroMemory: number
  /** Bumped on every change, so callers can tell a stale copy. */
  generation: number
}

let generation = 0

export function newNodeInfo(name: string, node?: Cached<Node>): NodeInfo {
  const ni: NodeInfo = {
    node: undefined, name, labels: {}, taints: [], pods: [], podsWithAffinity: [], podsWithRequiredAntiAffinity: [],
    usedPorts: new Map(), allocatable: emptyResource(), requested: emptyResource(), nonZeroMilliCPU: 0, nonZeroMemory: 0,
    generation: ++generation,
  }
  if (node) setNode(ni, node)
  return ni
}

export function setNode(ni: NodeInfo, node: Cached<Node>) {
  ni.node = node
  ni.labels = node.metadata?.labels ?? {}
  ni.taints = node.spec?.taints ?? []
  ni.allocatable = allocatableOf(node.status?.allocatable as Cached<Record<string, string>> | undefined)
  ni.generation = ++generation
}

const portKey = (p: HostPort) => `${p.protocol}/${p.port}`

/** Would `port` clash with a port already bound here? 0.0.0.0 clashes with every address. */
export function portConflicts(used: NodeInfo['usedPorts'], port: HostPort): boolean {
  const k = portKey(port)
  if (port.ip === '0.0.0.0') {
    for (const m of used.values()) if (m.has(k)) return true
    return false
  }
  return !!(used.get(port.ip)?.has(k) || used.get('0.0.0.0')?.has(k))
}

function updatePorts(ni: NodeInfo, pi: PodInfo, sign: 1 | -1) {
  for (const p of pi.hostPorts) {
    let m = ni.usedPorts.get(p.ip)
    if (!m) ni.usedPorts.set(p.ip, (m = new Map()))
    const n = (m.get(portKey(p)) ?? 0) + sign
    if (n > 0) m.set(portKey(p), n)
    else m.delete(portKey(p))
    if (m.size === 0) ni.usedPorts.delete(p.ip)
  }
}

function account(ni: NodeInfo, pi: PodInfo, sign: 1 | -1) {
  addResource(ni.requested, pi.requests, sign)
  ni.nonZeroMilliCPU += sign * pi.nonZeroMilliCPU
  ni.nonZeroMemory += sign * pi.nonZeroMemory
  updatePorts(ni, pi, sign)
  ni.generation = ++generation
}

export function addPodToNode(ni: NodeInfo, pi: PodInfo) {
  ni.pods.push(pi)
  if (hasAffinity(pi)) ni.podsWithAffinity.push(pi)
  if (pi.requiredAntiAffinityTerms.length) ni.podsWithRequiredAntiAffinity.push(pi)
  account(ni, pi, 1)
}

const without = (list: PodInfo[], uid: string) => {
  const i = list.findIndex((p) => p.uid === uid)
  if (i < 0) return false
  list[i] = list[list.length - 1]!
  list.pop()
  return true
}

/** Removes the pod with `uid`; false when it was not on this node. */
export function removePodFromNode(ni: NodeInfo, uid: string): boolean {
  const i = ni.pods.findIndex((p) => p.uid === uid)
  if (i < 0) return false
  const pi = ni.pods[i]!
  ni.pods.splice(i, 1)
  without(ni.podsWithAffinity, uid)
  without(ni.podsWithRequiredAntiAffinity, uid)
  account(ni, pi, -1)
  return true
}

/** A copy whose pod lists and counters can be changed without touching the original. */
export function cloneNodeInfo(ni: NodeInfo): NodeInfo {
  return {
    ...ni,
    pods: [...ni.pods],
    podsWithAffinity: [...ni.podsWithAffinity],
    podsWithRequiredAntiAffinity: [...ni.podsWithRequiredAntiAffinity],
    usedPorts: new Map([...ni.usedPorts].map(([ip, m]) => [ip, new Map(m)])),
    requested: cloneResource(ni.requested),
  }
}

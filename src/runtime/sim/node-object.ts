/**
 * @module
 * The objects a kubelet writes about its node, as the sim writes them: the Node it registers
 * (labels, capacity, conditions, addresses, nodeInfo), the node conditions it reports, and its
 * Lease in kube-node-lease. Pure functions of their inputs and the time.
 */
// Upstream: pkg/kubelet/kubelet_node_status.go (initialNode, registerWithAPIServer),
// pkg/kubelet/nodestatus/setters.go (MemoryPressureCondition, DiskPressureCondition,
// PIDPressureCondition, ReadyCondition, NodeAddress, DaemonEndpoints),
// pkg/kubelet/nodelease (newLease, SetNodeOwnerFunc).
import { createHash } from 'node:crypto'
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { SIM_NODE_LABEL } from './annotations.js'

export const KUBELET_VERSION = 'v1.32.4-sim'
export const NODE_LEASE_NAMESPACE = 'kube-node-lease'
export const LEASE_DURATION_SECONDS = 40
export const KUBELET_PORT = 10250

/** RFC 3339 with whole seconds, as metav1.Time is written. */
export const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
/** RFC 3339 with microseconds, as metav1.MicroTime (a Lease's renewTime) is written. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')

export type SimNodeShape = {
  name: string
  podCIDR: string
  internalIP: string
  cpu: string
  memory: string
  pods: number
  ephemeralStorage: string
  arch: string
  labels: Record<string, string>
  taints: Taint[]
}

// The conditions a healthy kubelet reports, in the order it reports them.
const HEALTHY: Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
]

/**
 * The node's conditions after a heartbeat at `nowMs`: ours refreshed (a condition whose
 * status changed gets a new lastTransitionTime), anyone else's (say NetworkUnavailable) kept.
 */
export function nodeConditions(existing: readonly Cached<NodeCondition>[] | undefined, nowMs: number): NodeCondition[] {
  const now = rfc3339(nowMs)
  const fresh = (c: (typeof HEALTHY)[number]): NodeCondition => {
    const old = existing?.find((x) => x.type === c.type)
    const since = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now
    return { ...c, lastHeartbeatTime: now, lastTransitionTime: since }
  }
  const out: NodeCondition[] = (existing ?? []).map((x) => {
    const ours = HEALTHY.find((c) => c.type === x.type)
    return ours ? fresh(ours) : { ...x }
  })
  for (const c of HEALTHY) if (!out.some((x) => x.type === c.type)) out.push(fresh(c))
  return out
}

/** True when the stored node no longer says what this kubelet reports (someone marked it NotReady). */
export function conditionsDiffer(existing: readonly Cached<NodeCondition>[] | undefined): boolean {
  return HEALTHY.some((c) => {
    const x = existing?.find((e) => e.type === c.type)
    return !x || x.status !== c.status || x.reason !== c.reason || x.message !== c.message
  })
}

const hex = (s: string) => createHash('sha256').update(s).digest('hex')
const uuidOf = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`

/** The labels a kubelet puts on its Node, the sim's marker, and the caller's own. */
export function nodeLabels(shape: Pick<SimNodeShape, 'name' | 'arch' | 'labels'>): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': shape.arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': shape.arch,
    'kubernetes.io/hostname': shape.name,
    'kubernetes.io/os': 'linux',
    [SIM_NODE_LABEL]: 'true',
    ...shape.labels,
  }
}

/** The node's status as a freshly started kubelet reports it. */
export function nodeStatus(shape: SimNodeShape, bootID: string, existing: Node['status'] | undefined, nowMs: number) {
  const capacity = {
    cpu: shape.cpu, 'ephemeral-storage': shape.ephemeralStorage, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0',
    memory: shape.memory, pods: String(shape.pods),
  }
  const id = hex(`kubelite-sim/${shape.name}`)
  return {
    capacity,
    // No system or kube reservations and no eviction thresholds: what the caller asked for is schedulable.
    allocatable: { ...capacity },
    conditions: nodeConditions(existing?.conditions as Cached<NodeCondition>[] | undefined, nowMs),
    addresses: [{ type: 'InternalIP', address: shape.internalIP }, { type: 'Hostname', address: shape.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: id.slice(0, 32), systemUUID: uuidOf(id.slice(32)), bootID,
      kernelVersion: 'sim', osImage: 'kubelite sim node', containerRuntimeVersion: 'sim://0.1',
      kubeletVersion: KUBELET_VERSION, kubeProxyVersion: '', operatingSystem: 'linux', architecture: shape.arch,
    },
  } satisfies Node['status']
}

/** The Node object a kubelet registers. */
export function simNode(shape: SimNodeShape, bootID: string, nowMs: number): Node {
  const node: Node = {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: shape.name,
      labels: nodeLabels(shape),
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: shape.podCIDR, podCIDRs: [shape.podCIDR] },
    status: nodeStatus(shape, bootID, undefined, nowMs),
  }
  if (shape.taints.length) node.spec!.taints = shape.taints.map((t) => ({ ...t }))
  return node
}

/** The node's Lease, owned by the Node so that deleting the Node deletes it. */
export function nodeLease(name: string, nodeUid: string | undefined, nowMs: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: {
      name, namespace: NODE_LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(nowMs) },
  }
}

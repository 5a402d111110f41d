/**
 * @module
 * The Node a real kubelet registers and keeps current: labels, capacity and allocatable from
 * the machine, addresses, nodeInfo, and the conditions — MemoryPressure, DiskPressure,
 * PIDPressure, Ready, and NetworkUnavailable, which here the kubelet reports itself because it
 * also sets up the node's network (a CNI plugin's job upstream).
 */
// Upstream: pkg/kubelet/kubelet_node_status.go (initialNode, registerWithAPIServer,
// updateNodeStatus: post only on change or every nodeStatusReportFrequency),
// pkg/kubelet/nodestatus/setters.go (conditions and their messages, NodeAddress, MachineInfo,
// VersionInfo, ReadyCondition "container runtime network not ready" while the network is down),
// pkg/kubelet/eviction defaults (memory.available<100Mi, nodefs.available<10%).
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js'
import { rfc3339 } from '../../runtime/sim/node-object.js'
import type { RuntimeInfo } from '../../runtime/types.js'
import type { MachineInfo } from './machine.js'

export const KUBELET_SOCKET_ANNOTATION = 'kubelite.io/kubelet-socket'
export const KUBELET_VERSION = 'v1.32.4'
export const MAX_PODS = 110
const EVICTION_MEMORY_BYTES = 100 * 1024 * 1024

export type NodeFacts = {
  name: string
  machine: MachineInfo
  runtime: RuntimeInfo
  /** Set once the node's network is up; before that the node is not Ready. */
  nodeIP?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /** --max-pods (110). */
  maxPods?: number
}

type Cond = Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>

/** The conditions the kubelet reports now, in its order. */
export function currentConditions(f: NodeFacts): Cond[] {
  const netUp = f.nodeIP !== undefined
  const conds: Cond[] = [
    netUp
      ? { type: 'NetworkUnavailable', status: 'False', reason: 'KubeliteNetworkReady', message: f.runtime.networkLimitation ?? 'the node bridge and pod routes are set up' }
      : { type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated', message: 'the node network is being set up' },
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    netUp
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:kubelite: node network is not set up yet' },
  ]
  if (f.runtime.name === 'host') {
    conds.push({ type: 'PodIsolation', status: 'False', reason: 'HostRuntime',
      message: f.runtime.networkLimitation ?? 'user namespaces are unavailable: pods run as plain processes in the host namespaces' })
  }
  return conds
}

/** Merges what the kubelet reports into the stored conditions (others' conditions kept). */
export function mergeConditions(existing: readonly NodeCondition[] | undefined, fresh: Cond[], nowMs: number): NodeCondition[] {
  const now = rfc3339(nowMs)
  const out: NodeCondition[] = []
  for (const c of fresh) {
    const old = existing?.find((x) => x.type === c.type)
    const since = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now
    out.push({ ...c, lastHeartbeatTime: now, lastTransitionTime: since })
  }
  for (const x of existing ?? []) if (!fresh.some((c) => c.type === x.type)) out.push({ ...x })
  return out
}

const ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`

export function nodeStatus(f: NodeFacts, existing: Node['status'] | undefined, nowMs: number): NonNullable<Node['status']> {
  const m = f.machine
  const capacity = {
    cpu: String(m.cpus), 'ephemeral-storage': ki(m.ephemeralStorageBytes), 'hugepages-1Gi': '0', 'hugepages-2Mi': '0',
    memory: ki(m.memoryBytes), pods: String(f.maxPods ?? MAX_PODS),
  }
  // No system or kube reservations; the default hard eviction thresholds are held back.
  const allocatable = {
    ...capacity,
    memory: ki(Math.max(0, m.memoryBytes - EVICTION_MEMORY_BYTES)),
    'ephemeral-storage': String(Math.floor(m.ephemeralStorageBytes * 0.9)),
  }
  return {
    capacity,
    allocatable,
    conditions: mergeConditions(existing?.conditions, currentConditions(f), nowMs),
    addresses: [...(f.nodeIP ? [{ type: 'InternalIP', address: f.nodeIP }] : []), { type: 'Hostname', address: f.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: m.machineID, systemUUID: m.systemUUID, bootID: m.bootID,
      kernelVersion: m.kernelVersion, osImage: m.osImage, containerRuntimeVersion: `kubelite://${f.runtime.version}`,
      kubeletVersion: KUBELET_VERSION, kubeProxyVersion: '', operatingSystem: 'linux', architecture: m.architecture,
    },
    ...(existing?.images ? { images: existing.images } : {}),
  }
}

export function nodeLabels(f: NodeFacts): Record<string, string> {
  const a = f.machine.architecture
  return {
    'beta.kubernetes.io/arch': a, 'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': a, 'kubernetes.io/hostname': f.name, 'kubernetes.io/os': 'linux',
    ...f.labels,
  }
}

/** The Node as first registered. */
export function initialNode(f: NodeFacts, nowMs: number): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: f.name, labels: nodeLabels(f),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', ...f.annotations },
    },
    spec: {},
    status: nodeStatus(f, undefined, nowMs),
  }
}

/** Whether a status differs from the stored one in anything but heartbeat times. */
export function statusChanged(stored: Node['status'] | undefined, next: Node['status']): boolean {
  const strip = (s: Node['status'] | undefined) => JSON.stringify({
    ...s, conditions: s?.conditions?.map(({ lastHeartbeatTime: _h, ...c }) => c),
  })
  return strip(stored) !== strip(next)
}

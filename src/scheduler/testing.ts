/**
 * @module
 * Builders for scheduler tests: nodes and pods with the few fields that matter, and a
 * snapshot (cache + handle) holding them.
 */
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js'
import { randomUUID } from 'node:crypto'
import type { Cached } from '../api/index.js'
import { schedulerCache } from './cache/cache.js'
import type { Handle } from './framework/types.js'

export type NodeSpec = {
  cpu?: string; memory?: string; pods?: number; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean
}

export function makeNode(name: string, s: NodeSpec = {}): Node {
  const allocatable = { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: String(s.pods ?? 110) }
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, uid: randomUUID(), labels: { 'kubernetes.io/hostname': name, ...s.labels } },
    spec: { taints: s.taints, unschedulable: s.unschedulable },
    status: { allocatable, capacity: allocatable },
  }
}

export type PodSpecLite = {
  namespace?: string; cpu?: string; memory?: string; priority?: number; nodeName?: string; labels?: Record<string, string>
  tolerations?: Toleration[]; nodeSelector?: Record<string, string>; affinity?: NonNullable<Pod['spec']>['affinity']
  hostPort?: number; topologySpreadConstraints?: NonNullable<Pod['spec']>['topologySpreadConstraints']
  preemptionPolicy?: string; volumes?: NonNullable<Pod['spec']>['volumes']; schedulerName?: string; creationTimestamp?: string
}

export function makePod(name: string, s: PodSpecLite = {}): Pod {
  const requests: Record<string, string> = {}
  if (s.cpu) requests.cpu = s.cpu
  if (s.memory) requests.memory = s.memory
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: s.namespace ?? 'default', uid: randomUUID(), labels: s.labels,
      creationTimestamp: s.creationTimestamp ?? '2026-01-01T00:00:00Z' },
    spec: {
      nodeName: s.nodeName, priority: s.priority ?? 0, tolerations: s.tolerations, nodeSelector: s.nodeSelector,
      affinity: s.affinity, topologySpreadConstraints: s.topologySpreadConstraints, volumes: s.volumes,
      preemptionPolicy: s.preemptionPolicy, schedulerName: s.schedulerName ?? 'default-scheduler',
      containers: [{ name: 'c', image: 'x', resources: { requests },
        ports: s.hostPort ? [{ containerPort: 80, hostPort: s.hostPort }] : undefined }],
    },
    status: { phase: 'Pending' },
  }
}

/** A cache holding `nodes` and the assigned `pods`, and the handle plugins read it through. */
export function snapshot(nodes: Node[], pods: Pod[] = [], nsLabels: Record<string, Record<string, string>> = {}) {
  const cache = schedulerCache()
  for (const n of nodes) cache.addNode(n as Cached<Node>)
  for (const p of pods) cache.addPod(p as Cached<Pod>)
  const handle: Handle = {
    nodes: cache.nodes, node: cache.node, nodesWithAffinityPods: cache.nodesWithAffinityPods,
    nodesWithRequiredAntiAffinityPods: cache.nodesWithRequiredAntiAffinityPods,
    onPodChange: cache.onPodChange, labelsGeneration: cache.labelsGeneration,
    namespaceLabels: (ns) => nsLabels[ns],
  }
  return { cache, handle }
}

/**
 * @module
 * What the fleet's parts share: the client and caches, the one timeline, the bounded API
 * call path, and each simulated node's own facts.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { Client, EventRecorder, Informer } from '../../client/types.js'
import type { PodIPPool } from './addresses.js'
import type { DueQueue } from './due-queue.js'
import type { SimNodeShape } from './node-object.js'

export const NODE = { apiVersion: 'v1', kind: 'Node' }
export const POD = { apiVersion: 'v1', kind: 'Pod' }
export const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }

/** Timeline keys: one per node task and one per pod. */
export const keys = {
  register: (node: string) => `R:${node}`,
  lease: (node: string) => `L:${node}`,
  status: (node: string) => `S:${node}`,
  pod: (podKey: string) => `P:${podKey}`,
}

/** One simulated kubelet. */
export type SimNode = {
  shape: SimNodeShape
  slot: number | undefined
  pool: PodIPPool
  /** Registered with the API (Node and Lease written at least once). */
  registered: boolean
  /** Stopped like a dead kubelet: no heartbeats, no pod updates. */
  stopped: boolean
  uid?: string
}

export type FleetTimings = {
  /** Upper bound of the random delay before a pod's containers start (annotation overrides). */
  podStartMs: number
  /** Lease renewal and node condition check period (the kubelet's 10s). */
  heartbeatMs: number
  /** Unconditional node status report period (nodeStatusReportFrequency, 5m). */
  nodeStatusReportMs: number
}

export type FleetContext = {
  client: Client
  nodes: Map<string, SimNode>
  nodeCache: Informer<Node>
  podCache: Informer<Pod>
  queue: DueQueue
  timings: FleetTimings
  jobPodDurationMs: number | undefined
  bootID: string
  now: () => number
  random: () => number
  /** The kubelet's event recorder for one node (source component "kubelet", host the node). */
  recorder(node: string): EventRecorder
  /** Runs an API call within the fleet's in-flight bound. */
  api<T>(call: () => Promise<T>): Promise<T>
  /** Puts a key on the timeline (replacing its previous time) and re-arms the timer. */
  schedule(key: string, atMs: number): void
}

/** The name of the informer index of pods by spec.nodeName. */
export const BY_NODE = 'spec.nodeName'

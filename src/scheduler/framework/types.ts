/**
 * @module
 * The scheduling framework's vocabulary: statuses, cycle state, cluster events and the
 * plugin shapes. Filter and score run once per node per plugin, so they are synchronous
 * and pure over the cycle's snapshot; anything that waits lives in reserve or preBind.
 */
// Upstream: staging/src/k8s.io/kube-scheduler/framework/interface.go (Code, Status, Plugin
// interfaces) and pkg/scheduler/framework/cycle_state.go (CycleState).
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached, Labels } from '../../api/index.js'
import type { NodeInfo, PodInfo } from './node-info.js'

/** Upstream's framework.Code values we use; `Skip` from PreFilter/PreScore turns a plugin off for the cycle. */
export type Status =
  | { code: 'Success' | 'Skip' }
  | { code: 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error'; reasons: string[] }
export type Rejection = Extract<Status, { reasons: string[] }>

export const success: Status = { code: 'Success' } // Go's "nil means success", made explicit
export const skip: Status = { code: 'Skip' }
export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons })
export const unresolvable = (...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons })
export const failure = (reason: string): Status => ({ code: 'Error', reasons: [reason] })
export const isRejected = (s: Status): s is Rejection =>
  s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable'
/** Upstream's Status.Message(): the reasons joined by ", ". */
export const statusMessage = (s: Status) => ('reasons' in s ? s.reasons.join(', ') : '')

/** The highest score a plugin may give a node. */
export const MAX_NODE_SCORE = 100

/** What kind of object changed; a rejected pod is retried only on events its rejectors list. */
export type ClusterEventResource = 'Pod' | 'Node' | 'PersistentVolume' | 'PersistentVolumeClaim' | 'StorageClass'
export type ClusterEventAction = 'Add' | 'Update' | 'Delete'
export type ClusterEvent = { resource: ClusterEventResource; actions: ClusterEventAction[] }
/** One change that happened, as the queue is told about it. */
export type ClusterChange = { resource: ClusterEventResource | 'UnschedulableTimeout'; action: ClusterEventAction }

/** Per-cycle data a plugin keeps; a `clone` method is called when preemption copies the state. */
export type StateData = unknown

/** Data shared by the plugins during one scheduling cycle of one pod. */
export type CycleState = {
  /** The pod being scheduled, with its requests and affinity terms precomputed. */
  readonly podInfo: PodInfo
  readonly data: Map<string, StateData>
  /** Plugins whose PreFilter / PreScore answered Skip. */
  readonly skipFilter: Set<string>
  readonly skipScore: Set<string>
}

export function newCycleState(podInfo: PodInfo): CycleState {
  return { podInfo, data: new Map(), skipFilter: new Set(), skipScore: new Set() }
}

/** A deep-enough copy: state that the AddPod/RemovePod extensions mutate is cloned. */
export function cloneCycleState(s: CycleState): CycleState {
  const data = new Map<string, StateData>()
  for (const [k, v] of s.data) {
    const c = (v as { clone?: () => StateData } | undefined)?.clone
    data.set(k, typeof c === 'function' ? c.call(v) : v)
  }
  return { podInfo: s.podInfo, data, skipFilter: new Set(s.skipFilter), skipScore: new Set(s.skipScore) }
}

/** What plugins may read beyond their arguments: the snapshot's node list and namespaces. */
export type Handle = {
  /** Every node of the snapshot, in the order the scheduler walks them. */
  nodes(): readonly NodeInfo[]
  node(name: string): NodeInfo | undefined
  /** Nodes holding a pod with (anti-)affinity terms: InterPodAffinity needs only these. */
  nodesWithAffinityPods(): readonly NodeInfo[]
  nodesWithRequiredAntiAffinityPods(): readonly NodeInfo[]
  namespaceLabels(namespace: string): Labels | undefined
  /** Pod placements and removals as they happen, for plugins that keep running counts. */
  onPodChange(listener: (info: PodInfo, node: NodeInfo, delta: 1 | -1) => void): () => void
  /** Changes whenever node labels (so topology domains) may have changed. */
  labelsGeneration(): number
}

/** PreFilter may narrow the nodes worth filtering (NodeAffinity on metadata.name). */
export type PreFilterStatus = Status | { code: 'Success'; nodeNames: ReadonlySet<string> }

type P = Cached<Pod>
export type Plugin = { name: string; events?: ClusterEvent[] }
export type PreFilterPlugin = Plugin & {
  preFilter(s: CycleState, pod: P, nodes: readonly NodeInfo[]): PreFilterStatus
  /** PreFilterExtensions: keep the cycle state right when preemption adds or removes pods. */
  addPod?(s: CycleState, pod: P, added: PodInfo, node: NodeInfo): void
  removePod?(s: CycleState, pod: P, removed: PodInfo, node: NodeInfo): void
}
export type FilterPlugin = Plugin & { filter(s: CycleState, pod: P, node: NodeInfo): Status }
export type PreScorePlugin = Plugin & { preScore(s: CycleState, pod: P, nodes: readonly NodeInfo[]): Status }
export type ScorePlugin = Plugin & {
  score(s: CycleState, pod: P, node: NodeInfo): number
  /** Rewrites `scores` (parallel to `nodes`) into 0..MAX_NODE_SCORE. */
  normalizeScore?(s: CycleState, pod: P, scores: number[], nodes: readonly NodeInfo[]): void
}
export type ReservePlugin = Plugin & {
  reserve(s: CycleState, pod: P, nodeName: string): Status
  unreserve(s: CycleState, pod: P, nodeName: string): void
}
export type PreBindPlugin = Plugin & { preBind(s: CycleState, pod: P, nodeName: string, signal: AbortSignal): Promise<Status> }

/** A plugin may implement any subset of the extension points. */
export type AnyPlugin = Plugin & Partial<Omit<PreFilterPlugin, 'name'> & Omit<FilterPlugin, 'name'> &
  Omit<PreScorePlugin, 'name'> & Omit<ScorePlugin, 'name'> & Omit<ReservePlugin, 'name'> & Omit<PreBindPlugin, 'name'>>

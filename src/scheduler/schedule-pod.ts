/**
 * @module
 * The synchronous heart of a scheduling cycle: PreFilter, then Filter over the nodes from
 * where the last cycle stopped until enough feasible nodes are found, then Score those and
 * pick the best (ties broken at random). Returns a host, or a FitError saying why none fit.
 */
// Upstream: pkg/scheduler/schedule_one.go (schedulePod, findNodesThatFitPod,
// evaluateNominatedNode, findNodesThatPassFilters, numFeasibleNodesToFind, prioritizeNodes,
// selectHost).
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../api/index.js'
import { newDiagnosis, type Diagnosis, type FitError } from './framework/fit-error.js'
import type { NodeInfo, PodInfo } from './framework/node-info.js'
import type { Framework, PluginStatus } from './framework/runtime.js'
import { isRejected, statusMessage, unresolvable, type CycleState, type Handle } from './framework/types.js'

const MIN_FEASIBLE_NODES_TO_FIND = 100
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5

/** What a cycle needs besides the pod: plugins, snapshot, nominations, and its own cursor. */
export type SchedulingContext = {
  fwk: Framework
  handle: Handle
  nominatedPodsForNode(nodeName: string): readonly PodInfo[]
  /** 0 means adaptive (50% - nodes/125, at least 5%), as upstream's default. */
  percentageOfNodesToScore: number
  /** Where the next cycle starts walking the node list, so every node gets its turn. */
  nextStartNodeIndex: number
  random: () => number
}

export type ScheduleResult = { suggestedHost: string; evaluatedNodes: number; feasibleNodes: number }

/** How many feasible nodes are enough to stop filtering. */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes
  let pct = percentage
  if (pct === 0) pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125))
  const n = Math.trunc((numAllNodes * pct) / 100)
  return Math.max(n, MIN_FEASIBLE_NODES_TO_FIND)
}

function recordRejection(d: Diagnosis, node: string, s: PluginStatus) {
  d.nodeToStatus.explicit.set(node, s)
  if (s.plugin) d.unschedulablePlugins.add(s.plugin)
}

function findNodesThatPassFilters(sc: SchedulingContext, state: CycleState, pod: Cached<Pod>, nodes: readonly NodeInfo[],
  d: Diagnosis): NodeInfo[] {
  const numAll = nodes.length
  const toFind = numFeasibleNodesToFind(sc.percentageOfNodesToScore, numAll)
  const feasible: NodeInfo[] = []
  if (numAll === 0) return feasible
  const start = sc.nextStartNodeIndex % numAll
  let processed = 0
  for (let i = 0; i < numAll && feasible.length < toFind; i++) {
    const node = nodes[(start + i) % numAll]!
    processed++
    const s = sc.fwk.hasFilterPlugins
      ? sc.fwk.runFilterPluginsWithNominatedPods(state, pod, node, sc.nominatedPodsForNode(node.name))
      : { code: 'Success' as const }
    if (s.code === 'Success') feasible.push(node)
    else if (isRejected(s)) recordRejection(d, node.name, s)
    else throw new Error(statusMessage(s))
  }
  sc.nextStartNodeIndex = (start + processed) % numAll
  return feasible
}

function findNodesThatFitPod(sc: SchedulingContext, state: CycleState, pod: Cached<Pod>): { feasible: NodeInfo[]; diagnosis: Diagnosis } {
  const d = newDiagnosis()
  const all = sc.handle.nodes()
  const pre = sc.fwk.runPreFilterPlugins(state, pod, all)
  if (pre.status.code !== 'Success') {
    if (!isRejected(pre.status)) throw new Error(statusMessage(pre.status))
    // Every node shares the PreFilter's verdict, so preemption sees it too.
    d.nodeToStatus.absent = pre.status
    d.preFilterMsg = statusMessage(pre.status)
    if (pre.status.plugin) d.unschedulablePlugins.add(pre.status.plugin)
    return { feasible: [], diagnosis: d }
  }
  // A pod preemption made room for tries that node first.
  const nominated = pod.status?.nominatedNodeName
  if (nominated) {
    const node = sc.handle.node(nominated)
    if (node) {
      const s = sc.fwk.runFilterPluginsWithNominatedPods(state, pod, node, sc.nominatedPodsForNode(node.name))
      if (s.code === 'Success') return { feasible: [node], diagnosis: d }
    }
  }
  let nodes = all
  if (pre.nodeNames) {
    nodes = [...pre.nodeNames].map((n) => sc.handle.node(n)).filter((n): n is NodeInfo => !!n)
    d.nodeToStatus.absent = unresolvable(`node(s) didn't satisfy plugin(s) [${[...new Set(pre.narrowedBy)].sort().join(' ')}]`)
    for (const p of pre.narrowedBy) d.unschedulablePlugins.add(p)
  }
  return { feasible: findNodesThatPassFilters(sc, state, pod, nodes, d), diagnosis: d }
}

/** The highest total; among equals each is kept with probability 1/count (reservoir sampling). */
export function selectHost(nodes: readonly NodeInfo[], totals: readonly number[], random: () => number): string {
  let best = 0
  let count = 1
  for (let i = 1; i < totals.length; i++) {
    if (totals[i]! > totals[best]!) {
      best = i
      count = 1
    } else if (totals[i] === totals[best]) {
      count++
      if (Math.floor(random() * count) === 0) best = i
    }
  }
  return nodes[best]!.name
}

/** Schedules one pod against the snapshot: a host, or a FitError. Throws on plugin errors. */
export function schedulePod(sc: SchedulingContext, state: CycleState, pod: Cached<Pod>): ScheduleResult | { fitError: FitError } {
  const numAll = sc.handle.nodes().length
  if (numAll === 0) throw new Error('no nodes available to schedule pods')
  const { feasible, diagnosis } = findNodesThatFitPod(sc, state, pod)
  if (feasible.length === 0) return { fitError: { numAllNodes: numAll, diagnosis } }
  const evaluatedNodes = feasible.length + diagnosis.nodeToStatus.explicit.size
  if (feasible.length === 1) return { suggestedHost: feasible[0]!.name, evaluatedNodes, feasibleNodes: 1 }
  const pre = sc.fwk.runPreScorePlugins(state, pod, feasible)
  if (pre.code !== 'Success') throw new Error(statusMessage(pre))
  const totals = sc.fwk.runScorePlugins(state, pod, feasible)
  return { suggestedHost: selectHost(feasible, totals, sc.random), evaluatedNodes, feasibleNodes: feasible.length }
}

/**
 * @module
 * DefaultPreemption (PostFilter): when a pod fits nowhere, find nodes where evicting
 * lower-priority pods would make it fit, keep as few and as unimportant victims as
 * possible (sparing pods whose PodDisruptionBudget would be violated where it can), and
 * choose one node. The caller nominates the pod there and deletes the victims.
 */
// Upstream: pkg/scheduler/framework/preemption/preemption.go (Evaluator.Preempt,
// findCandidates, DryRunPreemption, GetOffsetAndNumCandidates) and
// pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go
// (PodEligibleToPreemptOthers, SelectVictimsOnNode, filterPodsWithPDBViolation).
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js'
import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js'
import { labelSelectorFromMeta, type Cached } from '../../api/index.js'
import { fitErrorMessage, newNodeToStatus, type NodeToStatus } from '../framework/fit-error.js'
import { addPodToNode, cloneNodeInfo, removePodFromNode, type NodeInfo } from '../framework/node-info.js'
import { moreImportantPod, type PodInfo } from '../framework/pod-info.js'
import type { Framework, PluginStatus } from '../framework/runtime.js'
import { cloneCycleState, success, unresolvable, unschedulable, type CycleState, type Handle, type Status } from '../framework/types.js'
import { pickOneNodeForPreemption, type Candidate } from './candidates.js'

const MIN_CANDIDATE_NODES_PERCENTAGE = 10
const MIN_CANDIDATE_NODES_ABSOLUTE = 100
const noVictims: Status = unresolvable('No preemption victims found for incoming pod')

export type PreemptionContext = {
  fwk: Framework
  handle: Handle
  nominatedPodsForNode(nodeName: string): readonly PodInfo[]
  pdbs(): readonly Cached<PodDisruptionBudget>[]
  random: () => number
}

/** `nominatedNodeName` '' asks the caller to clear a stale nomination. */
export type PreemptionResult = { status: Status; nominatedNodeName?: string; candidate?: Candidate }

/** Victims split by whether evicting them would break a PodDisruptionBudget. */
export function filterPodsWithPDBViolation(pods: readonly PodInfo[], pdbs: readonly Cached<PodDisruptionBudget>[]) {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0)
  const selectors = pdbs.map((p) => {
    try {
      return labelSelectorFromMeta(p.spec?.selector as MetaLabelSelector | undefined)
    } catch {
      return undefined
    }
  })
  const violating: PodInfo[] = []
  const nonViolating: PodInfo[] = []
  for (const pi of pods) {
    const labels = pi.pod.metadata?.labels
    let violated = false
    if (labels && Object.keys(labels).length) {
      pdbs.forEach((pdb, i) => {
        const sel = selectors[i]
        if (pdb.metadata?.namespace !== pi.pod.metadata?.namespace || !sel || sel.empty || sel.matchesNothing) return
        if (!sel.matches(labels)) return
        // Already being disrupted through the API: counted there, not again here.
        if (pdb.status?.disruptedPods?.[pi.pod.metadata?.name ?? '']) return
        if (--allowed[i]! < 0) violated = true
      })
    }
    ;(violated ? violating : nonViolating).push(pi)
  }
  return { violating, nonViolating }
}

function selectVictimsOnNode(pc: PreemptionContext, state: CycleState, pod: Cached<Pod>, node: NodeInfo,
  pdbs: readonly Cached<PodDisruptionBudget>[]): { victims: PodInfo[]; numPDBViolations: number; status: PluginStatus } {
  const priority = state.podInfo.priority
  const nominated = pc.nominatedPodsForNode(node.name)
  const remove = (pi: PodInfo) => {
    removePodFromNode(node, pi.uid)
    pc.fwk.runRemovePod(state, pod, pi, node)
  }
  const add = (pi: PodInfo) => {
    addPodToNode(node, pi)
    pc.fwk.runAddPod(state, pod, pi, node)
  }
  const potential = node.pods.filter((p) => p.priority < priority)
  if (!potential.length) return { victims: [], numPDBViolations: 0, status: noVictims }
  for (const p of potential) remove(p)
  // If it does not fit even with every lower-priority pod gone, this node cannot help.
  const fits = pc.fwk.runFilterPluginsWithNominatedPods(state, pod, node, nominated)
  if (fits.code !== 'Success') return { victims: [], numPDBViolations: 0, status: fits }
  potential.sort((a, b) => (moreImportantPod(a, b) ? -1 : moreImportantPod(b, a) ? 1 : 0))
  const { violating, nonViolating } = filterPodsWithPDBViolation(potential, pdbs)
  const victims: PodInfo[] = []
  let numPDBViolations = 0
  // Reprieve as many as possible, the PDB-protected and the more important ones first.
  const reprieve = (pi: PodInfo) => {
    add(pi)
    if (pc.fwk.runFilterPluginsWithNominatedPods(state, pod, node, nominated).code === 'Success') return true
    remove(pi)
    victims.push(pi)
    return false
  }
  for (const p of violating) if (!reprieve(p)) numPDBViolations++
  for (const p of nonViolating) reprieve(p)
  if (violating.length && nonViolating.length) victims.sort((a, b) => (moreImportantPod(a, b) ? -1 : moreImportantPod(b, a) ? 1 : 0))
  return { victims, numPDBViolations, status: success }
}

// Terminating pods on the nominated node will free its room soon: wait for them.
function eligibleToPreempt(pc: PreemptionContext, pod: Cached<Pod>, priority: number, m: NodeToStatus): string | undefined {
  if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.'
  const nom = pod.status?.nominatedNodeName
  if (!nom) return undefined
  const st = m.explicit.get(nom) ?? m.absent
  if (st.code === 'UnschedulableAndUnresolvable') return undefined
  const node = pc.handle.node(nom)
  if (node?.pods.some((p) => p.priority < priority && p.pod.metadata?.deletionTimestamp)) {
    return 'not eligible due to a terminating pod on the nominated node.'
  }
  return undefined
}

function notHelpful(numAllNodes: number, statuses: NodeToStatus): string {
  statuses.absent = unresolvable('Preemption is not helpful for scheduling')
  return fitErrorMessage({ numAllNodes, diagnosis: { nodeToStatus: statuses, unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' } })
}

/** Upstream's Evaluator.Preempt for the default profile. */
export function preempt(pc: PreemptionContext, state: CycleState, pod: Cached<Pod>, m: NodeToStatus): PreemptionResult {
  const notEligible = eligibleToPreempt(pc, pod, state.podInfo.priority, m)
  if (notEligible) return { status: unschedulable(notEligible) }
  const all = pc.handle.nodes()
  const potential = all.filter((n) => (m.explicit.get(n.name) ?? m.absent).code === 'Unschedulable')
  if (!potential.length) {
    return { status: unschedulable(notHelpful(all.length, newNodeToStatus())), nominatedNodeName: '' }
  }
  const pdbs = pc.pdbs()
  const n = potential.length
  const numCandidates = Math.min(n, Math.max(Math.trunc((n * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE))
  const offset = Math.floor(pc.random() * n)
  const nonViolating: Candidate[] = []
  const violating: Candidate[] = []
  const statuses = newNodeToStatus()
  for (let i = 0; i < n; i++) {
    const node = potential[(offset + i) % n]!
    // Most failing pods have nothing below them: say so without copying the node.
    if (!node.pods.some((p) => p.priority < state.podInfo.priority)) {
      statuses.explicit.set(node.name, noVictims)
      continue
    }
    const r = selectVictimsOnNode(pc, cloneCycleState(state), pod, cloneNodeInfo(node), pdbs)
    if (r.status.code === 'Success' && r.victims.length) {
      ;(r.numPDBViolations ? violating : nonViolating).push({ nodeName: node.name, victims: r.victims, numPDBViolations: r.numPDBViolations })
      if (nonViolating.length && nonViolating.length + violating.length >= numCandidates) break
      continue
    }
    statuses.explicit.set(node.name, r.status.code === 'Success'
      ? { code: 'Error', reasons: [`expected at least one victim pod on node "${node.name}"`] } : r.status)
  }
  const candidate = pickOneNodeForPreemption([...nonViolating, ...violating])
  if (!candidate) return { status: unschedulable(notHelpful(all.length, statuses)), nominatedNodeName: '' }
  return { status: success, nominatedNodeName: candidate.nodeName, candidate }
}

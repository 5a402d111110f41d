/**
 * @module
 * Why a pod fits nowhere, and the one-line message users read in FailedScheduling events:
 * "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node
 * affinity/selector. preemption: ...".
 */
// Upstream: pkg/scheduler/framework/types.go (Diagnosis, FitError.Error, NodeToStatus with
// its absent-nodes status).
import type { PluginStatus } from './runtime.js'
import { statusMessage, unresolvable, type Status } from './types.js'

/** Each rejected node's status, and one status standing for every node not listed. */
export type NodeToStatus = { explicit: Map<string, PluginStatus>; absent: Status }

export const newNodeToStatus = (): NodeToStatus => ({ explicit: new Map(), absent: unresolvable() })

export type Diagnosis = {
  nodeToStatus: NodeToStatus
  /** Plugins that rejected the pod somewhere: the queue retries it on their events. */
  unschedulablePlugins: Set<string>
  preFilterMsg: string
  postFilterMsg: string
}

export const newDiagnosis = (): Diagnosis =>
  ({ nodeToStatus: newNodeToStatus(), unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' })

export type FitError = { numAllNodes: number; diagnosis: Diagnosis }

/** "N reason" per distinct reason, sorted as strings (so "10 x" sorts before "2 y", as upstream). */
export function reasonHistogram(nts: NodeToStatus, numAllNodes: number): string[] {
  const counts = new Map<string, number>()
  for (const s of nts.explicit.values()) {
    if ('reasons' in s) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1)
  }
  const absent = numAllNodes - nts.explicit.size
  if (absent > 0 && 'reasons' in nts.absent) {
    for (const r of nts.absent.reasons) counts.set(r, (counts.get(r) ?? 0) + absent)
  }
  return [...counts].map(([r, n]) => `${n} ${r}`).sort()
}

/** Upstream's FitError.Error(). */
export function fitErrorMessage({ numAllNodes, diagnosis }: FitError): string {
  let msg = `0/${numAllNodes} nodes are available:`
  if (diagnosis.preFilterMsg) msg += ` ${diagnosis.preFilterMsg}.`
  else {
    const reasons = reasonHistogram(diagnosis.nodeToStatus, numAllNodes)
    if (reasons.length) msg += ` ${reasons.join(', ')}.`
  }
  // The post-filter message is itself a FitError message ending in "." and gets the separator's
  // "." too: real clusters print "…for incoming pod..", and so do we.
  if (diagnosis.postFilterMsg) msg += ` ${diagnosis.postFilterMsg}.`
  return msg
}

export { statusMessage }

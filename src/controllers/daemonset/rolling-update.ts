/**
 * @module
 * DaemonSet rolling updates. Without surge: delete old pods while no more than maxUnavailable
 * nodes lack an available pod, and let the main loop create the replacements. With maxSurge:
 * start a new pod beside the old one on up to maxSurge nodes, and delete the old pod once the
 * new one is available.
 */
// Upstream: pkg/controller/daemon/update.go (rollingUpdate, findUpdatedPodsOnNode,
// updatedDesiredNodeCounts) and util/daemonset_util.go (SurgeCount, UnavailableCount,
// AllowsSurge); intstr.GetScaledValueFromIntOrPercent.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { isPodAvailable } from '../util/index.js'
import { isPodUpdated, templateGeneration } from './history.js'
import { nodeShouldRunDaemonPod } from './node-eligibility.js'
import { syncNodes, type DaemonSyncContext } from './pod-control.js'

type Ds = Cached<DaemonSet>
type P = Cached<Pod>

/** An int-or-percent scaled against `total`, rounding percentages up. */
export function scaledValue(v: number | string | undefined, total: number): number {
  if (v === undefined || v === null) return 0
  if (typeof v === 'number') return v
  const m = /^(\d+)%$/.exec(v)
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${v}"`)
  return Math.ceil((Number(m[1]) * total) / 100)
}

const rollingUpdate = (ds: Ds) => (ds.spec?.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate : undefined)
export const surgeCount = (ds: Ds, n: number) => scaledValue(rollingUpdate(ds)?.maxSurge, n)
export const unavailableCount = (ds: Ds, n: number) => scaledValue(rollingUpdate(ds)?.maxUnavailable, n)
/** Whether a node may briefly run an old and a new pod. */
export const allowsSurge = (ds: Ds) => surgeCount(ds, 1) > 0

/** The one new and one old live pod on a node; undefined when there are more (the main loop prunes those first). */
export function findUpdatedPodsOnNode(ds: Ds, pods: readonly P[], hash: string): { newPod?: P; oldPod?: P } | undefined {
  let newPod: P | undefined
  let oldPod: P | undefined
  const generation = templateGeneration(ds)
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return undefined
      newPod = pod
    } else {
      if (oldPod) return undefined
      oldPod = pod
    }
  }
  return { newPod, oldPod }
}

/** Deletes old pods (or surges new ones) within maxUnavailable / maxSurge. */
export async function rollingUpdateDaemonSet(c: DaemonSyncContext, nodes: readonly Cached<Node>[], nodeToPods: Map<string, P[]>,
  nowMs: number): Promise<void> {
  const { ds, hash } = c
  const byNode = new Map(nodeToPods)
  let desired = 0
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue
    desired++
    if (!byNode.has(node.metadata!.name!)) byNode.set(node.metadata!.name!, [])
  }
  const maxSurge = surgeCount(ds, desired)
  let maxUnavailable = unavailableCount(ds, desired)
  // An impossible 0/0 configuration falls back to one unavailable pod, as upstream.
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1
  const minReady = ds.spec?.minReadySeconds ?? 0
  const available = (p: P) => isPodAvailable(p, minReady, nowMs)
  const nodeByName = new Map(nodes.map((n) => [n.metadata!.name!, n]))
  const shouldRun = (name: string) => {
    const node = nodeByName.get(name)
    return !!node && nodeShouldRunDaemonPod(node, ds).shouldRun
  }

  if (maxSurge === 0) {
    let numUnavailable = 0
    const replacements: string[] = []
    const candidates: string[] = []
    for (const pods of byNode.values()) {
      const found = findUpdatedPodsOnNode(ds, pods, hash)
      if (!found) { numUnavailable++; continue }
      const { newPod, oldPod } = found
      if (!oldPod) {
        if (!newPod || !available(newPod)) numUnavailable++ // nothing yet, or a new pod still starting
      } else if (newPod) {
        numUnavailable++ // the main loop sorts out the pair
      } else if (!available(oldPod)) {
        replacements.push(oldPod.metadata!.name!) // already down: replacing it costs nothing
        numUnavailable++
      } else if (numUnavailable < maxUnavailable) {
        candidates.push(oldPod.metadata!.name!)
      }
    }
    const room = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidates.length)
    return syncNodes(c, [...replacements, ...candidates.slice(0, room)], [])
  }

  const oldPodsToDelete: string[] = []
  const shouldNotRunPodsToDelete: string[] = []
  const allowedNewNodes: string[] = []
  const candidateNewNodes: string[] = []
  let numSurge = 0
  let numAvailable = 0
  for (const [nodeName, pods] of byNode) {
    const found = findUpdatedPodsOnNode(ds, pods, hash)
    if (!found) { numSurge++; continue }
    const { newPod, oldPod } = found
    if (oldPod ? available(oldPod) : newPod && available(newPod)) numAvailable++
    if (!oldPod) continue // the main loop creates the pod if there is none
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun(nodeName)) oldPodsToDelete.push(oldPod.metadata!.name!)
        else allowedNewNodes.push(nodeName) // down anyway: start its replacement now
      } else if (!shouldRun(nodeName)) {
        shouldNotRunPodsToDelete.push(oldPod.metadata!.name!)
      } else if (numSurge < maxSurge) {
        candidateNewNodes.push(nodeName)
      }
    } else if (!available(newPod)) {
      numSurge++ // waiting for the new pod
    } else {
      oldPodsToDelete.push(oldPod.metadata!.name!) // the new pod took over
    }
  }
  // With surge the owner expects full availability: pods on nodes the DaemonSet left go only
  // as pods elsewhere become available.
  const deletable = Math.min(Math.max(numAvailable - desired, 0), shouldNotRunPodsToDelete.length)
  oldPodsToDelete.push(...shouldNotRunPodsToDelete.slice(0, deletable))
  const room = Math.min(Math.max(maxSurge - numSurge, 0), candidateNewNodes.length)
  return syncNodes(c, oldPodsToDelete, [...allowedNewNodes, ...candidateNewNodes.slice(0, room)])
}

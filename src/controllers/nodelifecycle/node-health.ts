/**
 * @module
 * Node health as the controller observes it: when it last saw the kubelet's Ready heartbeat
 * or the node's Lease move (by its own clock, so skew between machines does not matter),
 * and the conditions a node gets once that was longer ago than the grace period.
 */
// Upstream: pkg/controller/nodelifecycle/node_lifecycle_controller.go (tryUpdateNodeHealth,
// nodeHealthData).
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'

/** What the controller remembers about one node between syncs. */
export type NodeHealth = {
  /** When (controller clock) a heartbeat was last seen to move. */
  probeMs: number
  /** The Ready condition's heartbeat as last seen; undefined while the node never posted one. */
  readyHeartbeat?: string
  /** The Lease's renewTime as last seen. */
  leaseRenewMs?: number
}

/** The conditions the controller sets to Unknown; NetworkUnavailable belongs to the network. */
const MONITORED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const

/** Updates the remembered heartbeats from the node and its Lease. */
export function observeHealth(saved: NodeHealth | undefined, node: Cached<Node>, lease: Cached<Lease> | undefined, nowMs: number): NodeHealth {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')
  let h: NodeHealth
  if (!ready) {
    // Never posted: count from the node's creation, so a kubelet that registers and dies
    // is noticed, while one that is just starting gets the startup grace period.
    const created = Date.parse(node.metadata?.creationTimestamp ?? '')
    h = saved ? { ...saved, readyHeartbeat: undefined } : { probeMs: Number.isFinite(created) ? created : nowMs }
  } else if (!saved || saved.readyHeartbeat !== ready.lastHeartbeatTime) {
    h = { ...saved, probeMs: nowMs, readyHeartbeat: ready.lastHeartbeatTime ?? '' }
  } else {
    h = { ...saved }
  }
  // A renewed Lease is a heartbeat too; it is what kubelets send between status updates.
  const renew = Date.parse(lease?.spec?.renewTime ?? '')
  if (Number.isFinite(renew) && (h.leaseRenewMs === undefined || h.leaseRenewMs < renew)) {
    h.leaseRenewMs = renew
    h.probeMs = nowMs
  }
  return h
}

/**
 * The node's conditions once its heartbeats are older than `gracePeriodMs`: every monitored
 * condition Unknown. Undefined while the node is healthy or already marked, so nothing needs
 * writing.
 */
export function staleConditions(node: Cached<Node>, h: NodeHealth, gracePeriodMs: number, nowMs: number, nowIso: string): NodeCondition[] | undefined {
  if (nowMs <= h.probeMs + gracePeriodMs) return undefined
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }))
  for (const type of MONITORED) {
    const c = conditions.find((x) => x.type === type)
    if (!c) {
      conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: nowIso })
    } else if (c.status !== 'Unknown') {
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: nowIso })
    }
  }
  // Upstream writes only when Ready itself changed.
  const before = node.status?.conditions?.find((c) => c.type === 'Ready')
  const after = conditions.find((c) => c.type === 'Ready')
  const changed = !before || before.status !== after?.status || before.reason !== after?.reason
  return changed ? conditions : undefined
}

/**
 * @module
 * The node half of a simulated kubelet: registration (or adoption of a Node left by an
 * earlier run, as a restarted kubelet does), Lease renewal every heartbeat, and node status:
 * reported at registration, every nodeStatusReportFrequency, and at once when the stored
 * conditions stop saying what this kubelet reports (the node lifecycle controller marked it).
 */
// Upstream: pkg/kubelet/kubelet_node_status.go (registerWithAPIServer, tryRegisterWithAPIServer,
// tryUpdateNodeStatus: report when changed or when nodeStatusReportFrequency passed),
// pkg/kubelet/nodelease (renew every 10s; create the Lease when missing).
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import type { Node } from 'kubernetes-types/core/v1.js'
import { isAlreadyExists, isNotFound } from '../../api/index.js'
import { podIPPool } from './addresses.js'
import { BY_NODE, LEASE, NODE, keys, type FleetContext, type SimNode } from './context.js'
import {
  LEASE_DURATION_SECONDS, NODE_LEASE_NAMESPACE, conditionsDiffer, microTime, nodeConditions, nodeLabels, nodeLease, nodeStatus, simNode,
} from './node-object.js'

/** Creates the Node and its Lease (or adopts existing ones), then starts the node's heartbeats. */
export async function registerNode(ctx: FleetContext, node: SimNode): Promise<void> {
  const { client, bootID } = ctx
  const name = node.shape.name
  const t = ctx.now()
  let stored: Node
  try {
    stored = await ctx.api(() => client.create(simNode(node.shape, bootID, t)))
  } catch (err) {
    if (!isAlreadyExists(err)) throw err
    const existing = await ctx.api(() => client.get<Node>(NODE, name))
    // spec.podCIDR is immutable once set: keep the one the Node has.
    const cidr = existing.spec?.podCIDR
    if (cidr && cidr !== node.shape.podCIDR) {
      node.shape.podCIDR = cidr
      node.pool = podIPPool(cidr)
      reserveAddresses(ctx, node)
    }
    const ip = existing.status?.addresses?.find((a) => a.type === 'InternalIP')?.address
    if (ip) node.shape.internalIP = ip
    await ctx.api(() => client.patch(NODE, name, undefined, { metadata: { labels: nodeLabels(node.shape) } }, { type: 'merge' }))
    stored = await ctx.api(() => client.patch<Node>(NODE, name, undefined,
      { status: nodeStatus(node.shape, bootID, existing.status, t) }, { type: 'merge', subresource: 'status' }))
  }
  node.uid = stored.metadata?.uid
  try {
    await ctx.api(() => client.create(nodeLease(name, node.uid, t)))
  } catch (err) {
    if (!isAlreadyExists(err)) throw err
    await renew(ctx, node, t)
  }
  node.registered = true
  if (node.stopped) return
  // Nodes registered together would beat together forever: spread their first beats over half a period.
  const spread = (periodMs: number) => t + Math.round(periodMs * (1 - 0.5 * ctx.random()))
  ctx.schedule(keys.lease(name), spread(ctx.timings.heartbeatMs))
  ctx.schedule(keys.status(name), spread(ctx.timings.nodeStatusReportMs))
  schedulePods(ctx, name)
}

/** Records the addresses the node's unfinished pods hold, so a restarted sim hands out no duplicates. */
export function reserveAddresses(ctx: FleetContext, node: SimNode) {
  for (const pod of ctx.podCache.byIndex(BY_NODE, node.shape.name)) {
    const done = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
    if (!done && pod.status?.podIP && !pod.spec?.hostNetwork) node.pool.reserve(pod.metadata?.uid ?? '', pod.status.podIP)
  }
}

/** Asks for an evaluation of every pod bound to `nodeName` (after registration or a restart). */
export function schedulePods(ctx: FleetContext, nodeName: string) {
  const now = ctx.now()
  for (const pod of ctx.podCache.byIndex(BY_NODE, nodeName)) {
    ctx.schedule(keys.pod(`${pod.metadata?.namespace}/${pod.metadata?.name}`), now)
  }
}

async function renew(ctx: FleetContext, node: SimNode, t: number) {
  const name = node.shape.name
  const spec = { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(t) }
  try {
    await ctx.api(() => ctx.client.patch<Lease>(LEASE, name, NODE_LEASE_NAMESPACE, { spec }, { type: 'merge' }))
  } catch (err) {
    if (!isNotFound(err)) throw err
    try {
      await ctx.api(() => ctx.client.create(nodeLease(name, node.uid, t)))
    } catch (err2) {
      if (!isAlreadyExists(err2)) throw err2
    }
  }
}

/** One heartbeat: renew the Lease, and check that the stored conditions still hold. */
export async function heartbeat(ctx: FleetContext, node: SimNode): Promise<void> {
  if (node.stopped || !node.registered) return
  const name = node.shape.name
  const t = ctx.now()
  // The next beat is set first, so a failed renewal cannot end the heartbeats.
  ctx.schedule(keys.lease(name), t + ctx.timings.heartbeatMs)
  const cached = ctx.nodeCache.get(name)
  // A kubelet does not re-register a Node deleted under it; neither does the sim.
  if (!cached) return
  await renew(ctx, node, t)
  if (conditionsDiffer(cached.status?.conditions)) ctx.schedule(keys.status(name), t)
}

/** Posts the node's conditions with a fresh heartbeat time. */
export async function reportStatus(ctx: FleetContext, node: SimNode): Promise<void> {
  if (node.stopped || !node.registered) return
  const name = node.shape.name
  const t = ctx.now()
  ctx.schedule(keys.status(name), t + ctx.timings.nodeStatusReportMs)
  const cached = ctx.nodeCache.get(name)
  if (!cached) return
  const conditions = nodeConditions(cached.status?.conditions, t)
  await ctx.api(() => ctx.client.patch(NODE, name, undefined, { status: { conditions } }, { type: 'merge', subresource: 'status' }))
}

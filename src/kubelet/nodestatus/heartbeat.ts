/**
 * @module
 * Registering the Node and keeping it alive: create it (or adopt the one a previous run left,
 * as a restarted kubelet does), wait for its Pod CIDR, renew its Lease every 10 s, and post its
 * status when it changes or every 5 minutes.
 */
// Upstream: pkg/kubelet/kubelet_node_status.go (registerWithAPIServer, tryUpdateNodeStatus),
// pkg/kubelet/nodelease/controller.go (renewInterval 10 s, lease duration 40 s),
// kubelet config nodeStatusUpdateFrequency 10s, nodeStatusReportFrequency 5m.
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import type { Node } from 'kubernetes-types/core/v1.js'
import { isStatusError } from '../../api/index.js'
import type { Client } from '../../client/index.js'
import { LEASE_DURATION_SECONDS, NODE_LEASE_NAMESPACE, microTime, nodeLease } from '../../runtime/sim/node-object.js'
import { initialNode, nodeLabels, nodeStatus, statusChanged, type NodeFacts } from './node-status.js'

const NODE = { apiVersion: 'v1', kind: 'Node' }
const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }
const isCode = (err: unknown, code: number) => isStatusError(err) && err.status.code === code

/** Creates the Node, or brings an existing one up to date with this kubelet's labels and status. */
export async function registerNode(client: Client, facts: NodeFacts, nowMs: number): Promise<Node> {
  try {
    return await client.create(initialNode(facts, nowMs))
  } catch (err) {
    if (!isCode(err, 409)) throw err
  }
  const existing = await client.get<Node>(NODE, facts.name)
  const merged = await client.patch<Node>(NODE, facts.name, undefined, {
    metadata: { labels: nodeLabels(facts), annotations: facts.annotations ?? {} },
  }, { type: 'merge' })
  return client.patch<Node>(NODE, facts.name, undefined, { status: nodeStatus(facts, existing.status, nowMs) },
    { type: 'merge', subresource: 'status' }).catch(() => merged)
}

/** Resolves with the node's Pod CIDR once the node IPAM controller (or an admin) set one. */
export async function waitForPodCIDR(client: Client, name: string, signal: AbortSignal, onWait?: () => void): Promise<string> {
  let warned = false
  for (;;) {
    const node = await client.get<Node>(NODE, name, undefined, { signal })
    const cidr = node.spec?.podCIDRs?.find((c) => !c.includes(':')) ?? node.spec?.podCIDR
    if (cidr) return cidr
    if (!warned) {
      warned = true
      onWait?.()
    }
    await new Promise((r) => setTimeout(r, 100))
    signal.throwIfAborted()
  }
}

export type Heartbeats = {
  /** Posts the status now if it changed (the network came up, a condition moved). */
  syncNow(): Promise<void>
  stop(): void
}

export function startHeartbeats(opts: {
  client: Client
  facts: () => NodeFacts
  now?: () => number
  intervalMs?: number
  reportEveryMs?: number
  onError?: (err: unknown) => void
}): Heartbeats {
  const { client } = opts
  const now = opts.now ?? Date.now
  const interval = opts.intervalMs ?? 10_000
  const reportEvery = opts.reportEveryMs ?? 300_000
  let lastReport = 0
  let stored: Node['status'] | undefined
  let nodeUid: string | undefined
  let running: Promise<void> = Promise.resolve()
  const onError = opts.onError ?? ((err) => process.stderr.write(`kubelet: heartbeat: ${err instanceof Error ? err.message : String(err)}\n`))

  const renewLease = async (name: string, t: number) => {
    const spec = { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(t) }
    try {
      await client.patch<Lease>(LEASE, name, NODE_LEASE_NAMESPACE, { spec }, { type: 'merge' })
    } catch (err) {
      if (!isCode(err, 404)) throw err
      await client.create(nodeLease(name, nodeUid, t))
    }
  }

  const beat = async () => {
    const facts = opts.facts()
    const t = now()
    if (!stored || !nodeUid) {
      const node = await client.get<Node>(NODE, facts.name)
      stored = node.status
      nodeUid = node.metadata?.uid
    }
    await renewLease(facts.name, t)
    const next = nodeStatus(facts, stored, t)
    if (statusChanged(stored, next) || t - lastReport >= reportEvery) {
      const node = await client.patch<Node>(NODE, facts.name, undefined, { status: next }, { type: 'merge', subresource: 'status' })
      stored = node.status
      lastReport = t
    }
  }
  const run = () => {
    running = running.then(beat).catch((err) => {
      stored = undefined // re-read: someone else may have changed the node
      onError(err)
    })
    return running
  }
  const timer = setInterval(run, interval)
  timer.unref()
  void run()
  return { syncNow: run, stop: () => clearInterval(timer) }
}

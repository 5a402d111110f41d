/**
 * @module
 * The node lifecycle controller: notices nodes whose kubelet stopped sending heartbeats
 * (neither the Lease in kube-node-lease nor the Ready condition moved for the grace period),
 * marks them Unknown, keeps the condition taints in step (NoSchedule for the scheduler,
 * NoExecute for eviction), marks their pods not ready, and evicts pods by their tolerations.
 */
// Upstream: pkg/controller/nodelifecycle/node_lifecycle_controller.go (monitorNodeHealth,
// doNoScheduleTaintingPass, processTaintBaseEviction, markNodeAsReachable) and
// pkg/controller/util/node/controller_utils.go (MarkPodsNotReady, RecordNodeStatusChange).
// Differences: no per-zone rate limiting or disruption modes; taints change in the same
// pass that marks the node, instead of one monitor period later; each node is requeued for
// the moment its grace period runs out instead of a 5 s sweep of all nodes.
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { copy, isNotFound, type Cached, type KubeObject } from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/index.js'
import { rfc3339 } from '../util/index.js'
import { observeHealth, staleConditions, type NodeHealth } from './node-health.js'
import { taintEvictor } from './taint-eviction.js'
import { desiredTaints } from './taints.js'

export type NodeLifecycleOptions = {
  /** How long heartbeats may stop before the node is Unknown (upstream's --node-monitor-grace-period, 40 s). */
  nodeMonitorGracePeriodMs?: number
  /** The same for a node that never posted status (upstream's --node-startup-grace-period, 60 s). */
  nodeStartupGracePeriodMs?: number
  /**
   * Caps how long pods stay on a not-ready or unreachable node despite tolerating it
   * (the admission default is 300 s). No cap by default; a knob for tests and small clusters.
   */
  podEvictionTimeoutMs?: number
}

/** Where kubelets keep their heartbeat Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease'
const NODE = { apiVersion: 'v1', kind: 'Node' }
const POD_NODE_INDEX = 'nodelifecycle:nodeName'

type N = Node & KubeObject
type P = Pod & KubeObject
const readyOf = (n: Cached<Node>) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status

/** The node lifecycle controller, with its taint-based eviction. */
export function nodeLifecycleController(ctx: ControllerContext, opts: NodeLifecycleOptions = {}): Controller {
  const { client } = ctx
  const monitorGraceMs = opts.nodeMonitorGracePeriodMs ?? 40_000
  const startupGraceMs = opts.nodeStartupGracePeriodMs ?? 60_000
  const nodes = ctx.informers.of<N>('v1', 'Node')
  const leases = ctx.informers.of<Lease & KubeObject>('coordination.k8s.io/v1', 'Lease')
  const pods = ctx.informers.of<P>('v1', 'Pod')
  pods.addIndex(POD_NODE_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []))
  const recorder = ctx.recorder('node-controller')
  const evictor = taintEvictor({ client, recorder: ctx.recorder('taint-eviction-controller'), now: ctx.now, podEvictionTimeoutMs: opts.podEvictionTimeoutMs })
  const health = new Map<string, NodeHealth>()
  /** Nodes whose pods could not all be marked not ready: retried on the next pass. */
  const podsToMark = new Set<string>()

  const hasNoExecute = (nodeName: string) => nodes.get(nodeName)?.spec?.taints?.some((t) => t.effect === 'NoExecute') ?? false

  /** Sets Ready=False on the node's pods; the kubelet that would do it is not answering. */
  async function markPodsNotReady(nodeName: string, signal: AbortSignal): Promise<void> {
    let failed = false
    for (const pod of pods.byIndex(POD_NODE_INDEX, nodeName)) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')
      if (!ready || ready.status === 'False') continue
      const next = copy(pod) as P
      next.status!.conditions = next.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(ctx.now()) } : c))
      try {
        await client.updateStatus(next, { signal })
      } catch (err) {
        if (!isNotFound(err)) failed = true
        continue
      }
      recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata }, 'Warning', 'NodeNotReady', 'Node is not ready')
    }
    if (failed) podsToMark.add(nodeName)
    else podsToMark.delete(nodeName)
  }

  async function sync(name: string, signal: AbortSignal) {
    const cached = nodes.get(name)
    if (!cached) {
      health.delete(name)
      podsToMark.delete(name)
      evictor.forget(name)
      return
    }
    const nowMs = ctx.now()
    const nowIso = rfc3339(nowMs)
    const observedReady = readyOf(cached)
    const h = observeHealth(health.get(name), cached, leases.get(`${NODE_LEASE_NAMESPACE}/${name}`), nowMs)
    health.set(name, h)
    const graceMs = observedReady === undefined ? startupGraceMs : monitorGraceMs

    let node: Cached<N> = cached
    const stale = staleConditions(cached, h, graceMs, nowMs, nowIso)
    if (stale) {
      const next = copy(cached)
      next.status = { ...next.status, conditions: stale }
      node = await client.updateStatus(next as N, { signal })
    }
    const taints = desiredTaints(node, nowIso)
    if (taints) {
      // The resourceVersion makes this a compare-and-swap: a stale view never drops a taint.
      node = await client.patch<N>(NODE, name, undefined, { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints } }, { signal })
    }

    const currentReady = readyOf(node)
    if (observedReady === 'True' && currentReady !== 'True') {
      recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: node.metadata }, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`)
      await markPodsNotReady(name, signal)
    } else if (podsToMark.has(name) && currentReady !== 'True') {
      await markPodsNotReady(name, signal)
    } else if (currentReady === 'True') {
      podsToMark.delete(name)
    }

    const nextEvictionMs = await evictor.process(node, pods.byIndex(POD_NODE_INDEX, name), signal)
    // Come back when the grace period would run out (if still running) or a pod is due.
    const expiresInMs = currentReady === 'Unknown' ? undefined : h.probeMs + graceMs - nowMs + 1
    const waits = [expiresInMs, nextEvictionMs].filter((ms): ms is number => ms !== undefined && ms > 0)
    return waits.length ? { requeueAfterMs: Math.min(...waits) } : undefined
  }

  return {
    name: 'nodelifecycle',
    triggers: [
      nodes.on((ev) => [ev.obj.metadata?.name ?? '']),
      leases.on((ev) => (ev.obj.metadata?.namespace === NODE_LEASE_NAMESPACE ? [ev.obj.metadata.name ?? ''] : [])),
      // A pod arriving on (or changing tolerations on) a NoExecute-tainted node needs a decision.
      pods.on((ev) => {
        const nodeName = ev.obj.spec?.nodeName
        return nodeName && ev.type !== 'delete' && hasNoExecute(nodeName) ? [nodeName] : []
      }),
    ],
    sync,
  }
}

/**
 * @module
 * The pod garbage collector: pods nobody else will ever clean up. Every 20 s it deletes
 * finished pods above a threshold (oldest and evicted first), pods bound to a node that no
 * longer exists (after a 40 s quarantine, in case the node is only slow to appear), pods
 * terminating on an out-of-service node, and terminating pods never scheduled anywhere.
 * Each is first marked Failed, since no kubelet is left to say how it ended.
 */
// Upstream: pkg/controller/podgc/gc_controller.go (PodGCController: gc, gcTerminated,
// gcTerminating, gcOrphaned, discoverDeletedNodes, gcUnscheduledTerminating,
// byEvictionAndCreationTimestamp, markFailedAndDeletePodWithCondition). No events, as upstream.
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import { copy, isNotFound, type Cached } from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/index.js'
import { rfc3339 } from '../util/index.js'

/** kube-controller-manager's pod GC settings. */
export type PodGCOptions = {
  /** --terminated-pod-gc-threshold (12500); 0 or less keeps every finished pod. */
  terminatedPodThreshold?: number
  /** How often the collector runs (20 s). */
  gcCheckPeriodMs?: number
  /** How long a node must stay missing before its pods count as orphaned (40 s). */
  quarantineTimeMs?: number
}

type P = Cached<Pod>
const POD = { apiVersion: 'v1', kind: 'Pod' }
const NODE = { apiVersion: 'v1', kind: 'Node' }
const OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service'
// Parallel deletes per batch: enough to clear a backlog quickly without a request storm.
const BATCH = 32

const isTerminated = (p: P) => !['Pending', 'Running', 'Unknown'].includes(p.status?.phase ?? '')
const isEvicted = (p: P) => p.status?.phase === 'Failed' && p.status.reason === 'Evicted'
const isNodeReady = (n: Cached<Node>) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false

/** Evicted pods first, then oldest first, then by name. */
function byEvictionAndCreationTimestamp(a: P, b: P): number {
  if (isEvicted(a) !== isEvicted(b)) return isEvicted(a) ? -1 : 1
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0
  if (ta !== tb) return ta - tb
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1
}

/** The `podgc` controller: periodic, so all its work is in `tick`. */
export function podGCController(ctx: ControllerContext, opts: PodGCOptions = {}): Controller {
  const threshold = opts.terminatedPodThreshold ?? 12_500
  const quarantineMs = opts.quarantineTimeMs ?? 40_000
  const pods = ctx.informers.of<Pod>('v1', 'Pod')
  const nodes = ctx.informers.of<Node>('v1', 'Node')
  // Nodes seen missing, with the time their quarantine ends (upstream's delaying nodeQueue).
  const quarantine = new Map<string, number>()

  async function markFailedAndDelete(pod: P, condition: PodCondition | undefined, signal: AbortSignal) {
    const name = pod.metadata?.name ?? ''
    const ns = pod.metadata?.namespace
    try {
      // An orphan would stay Running forever: no kubelet is left to report its end.
      if (pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') {
        const status: Pod['status'] = { phase: 'Failed' }
        if (condition) status.conditions = withCondition(pod, condition, ctx.now())
        await ctx.client.patch(POD, name, ns, { metadata: { uid: pod.metadata?.uid }, status }, { type: 'strategic', subresource: 'status', signal })
      }
      await ctx.client.delete(POD, name, ns, { gracePeriodSeconds: 0, signal })
    } catch (err) {
      if (!isNotFound(err)) throw err // already gone is what we wanted
    }
  }

  async function deleteAll(list: P[], signal: AbortSignal, condition?: PodCondition) {
    const errors: unknown[] = []
    for (let i = 0; i < list.length && !signal.aborted; i += BATCH) {
      const results = await Promise.allSettled(list.slice(i, i + BATCH).map((p) => markFailedAndDelete(p, condition, signal)))
      for (const r of results) if (r.status === 'rejected') errors.push(r.reason)
    }
    if (errors.length) throw errors[0]
  }

  async function gcTerminated(all: P[], signal: AbortSignal) {
    const terminated = all.filter(isTerminated)
    const excess = terminated.length - threshold
    if (excess <= 0) return
    await deleteAll(terminated.sort(byEvictionAndCreationTimestamp).slice(0, excess), signal)
  }

  async function gcTerminating(all: P[], signal: AbortSignal) {
    const doomed = all.filter((p) => {
      if (!p.metadata?.deletionTimestamp) return false
      const node = nodes.get(p.spec?.nodeName ?? '')
      return !!node && !isNodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE)
    })
    await deleteAll(doomed.sort(byEvictionAndCreationTimestamp), signal)
  }

  async function gcOrphaned(all: P[], signal: AbortSignal) {
    const existing = new Set(nodes.list().map((n) => n.metadata?.name ?? ''))
    const now = ctx.now()
    for (const p of all) {
      const node = p.spec?.nodeName
      if (node && !existing.has(node) && !quarantine.has(node)) quarantine.set(node, now + quarantineMs)
    }
    const deleted = new Set<string>()
    for (const [node, until] of quarantine) {
      if (until > now) continue
      quarantine.delete(node) // seen again next round if its pods are still there
      if (existing.has(node)) continue
      // The cache may lag: only the API server can say the node is really gone.
      try {
        await ctx.client.get(NODE, node, undefined, { signal })
      } catch (err) {
        if (isNotFound(err)) deleted.add(node)
      }
    }
    if (deleted.size === 0) return
    const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' }
    await deleteAll(all.filter((p) => deleted.has(p.spec?.nodeName ?? '')), signal, condition)
  }

  async function gc(signal: AbortSignal) {
    const all = pods.list()
    const errors: unknown[] = []
    const step = (fn: (all: P[], signal: AbortSignal) => Promise<void>) => fn(all, signal).catch((err) => void errors.push(err))
    if (threshold > 0) await step(gcTerminated)
    await step(gcTerminating)
    await step(gcOrphaned)
    await step((list, s) => deleteAll(list.filter((p) => p.metadata?.deletionTimestamp && !p.spec?.nodeName), s))
    if (errors.length) throw errors[0]
  }

  return {
    name: 'pod-garbage-collector-controller',
    triggers: [],
    async sync() {},
    tick: { everyMs: opts.gcCheckPeriodMs ?? 20_000, run: gc },
  }
}

/** The pod's conditions with `c` set; the transition time moves only when its status does. */
function withCondition(pod: P, c: PodCondition, nowMs: number): PodCondition[] {
  const conditions = copy(pod.status?.conditions ?? []) as PodCondition[]
  const i = conditions.findIndex((x) => x.type === c.type)
  const old = i >= 0 ? conditions[i] : undefined
  const next = { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : rfc3339(nowMs) }
  if (i >= 0) conditions[i] = next
  else conditions.push(next)
  return conditions
}

/**
 * @module
 * The DaemonSet controller: one pod on every node that should run it. Pods are created with a
 * required node affinity for their node (the scheduler binds them), failed ones are replaced
 * with backoff, pods on nodes that no longer qualify are deleted, and template changes roll
 * out under maxUnavailable / maxSurge or wait for OnDelete.
 */
// Upstream: pkg/controller/daemon/daemon_controller.go (syncDaemonSet, updateDaemonSet, manage,
// podsShouldBeOnNode, getNodesToDaemonPods, getUnscheduledPodsWithoutNode, failedPodsBackoff).
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { labelSelectorFromMeta, type Cached, type LabelSelector } from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/types.js'
import { claimObjects } from '../util/index.js'
import { isPodAvailable, isPodReady } from '../util/index.js'
import { failedPodsBackoff } from './backoff.js'
import { newExpectations } from '../../client/index.js'
import { cleanupHistory, constructHistory, DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY } from './history.js'
import { nodeShouldRunDaemonPod, targetNodeName } from './node-eligibility.js'
import { syncNodes, type DaemonSyncContext } from './pod-control.js'
import { allowsSurge, rollingUpdateDaemonSet } from './rolling-update.js'
import { byCreationTimestampAndPhase, daemonSetCounts, storeDaemonSetStatus } from './status.js'
import { daemonSetTriggers } from './triggers.js'

type P = Cached<Pod>
type Ds = Cached<DaemonSet>
const POD = { apiVersion: 'v1', kind: 'Pod' }

/** Builds the DaemonSet controller. */
export function daemonSetController(ctx: ControllerContext): Controller {
  const { client } = ctx
  const sets = ctx.informers.of<DaemonSet>('apps/v1', 'DaemonSet')
  const pods = ctx.informers.of<Pod>('v1', 'Pod')
  const nodes = ctx.informers.of<Node>('v1', 'Node')
  const revisions = ctx.informers.of<ControllerRevision>('apps/v1', 'ControllerRevision')
  const recorder = ctx.recorder('daemonset-controller')
  const expectations = newExpectations(ctx.now)
  const backoff = failedPodsBackoff(ctx.now)

  /** The set's pods by target node, claiming orphans; terminal pods being deleted are left out unless asked for. */
  async function nodesToDaemonPods(ds: Ds, selector: LabelSelector, signal: AbortSignal, includeDeletedTerminal = false) {
    const candidates = pods.list(ds.metadata?.namespace).filter((p) => {
      const ref = p.metadata?.ownerReferences?.find((r) => r.controller === true)
      return !ref || ref.uid === ds.metadata?.uid
    })
    const claimed = await claimObjects(candidates, { client, owner: ds, kind: POD, selector, signal })
    const byNode = new Map<string, P[]>()
    for (const pod of claimed) {
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
      if (!includeDeletedTerminal && terminal && pod.metadata?.deletionTimestamp) continue
      const node = targetNodeName(pod)
      if (node === undefined) continue
      byNode.set(node, [...(byNode.get(node) ?? []), pod])
    }
    return byNode
  }

  /** Pods to create and delete on one node; `retryAfterMs` when a failed pod waits out its backoff. */
  function podsShouldBeOnNode(c: DaemonSyncContext, node: Cached<Node>, byNode: Map<string, P[]>) {
    const { ds } = c
    const name = node.metadata!.name!
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds)
    const daemonPods = byNode.get(name)
    const create: string[] = []
    const remove: string[] = []
    let retryAfterMs: number | undefined
    if (shouldRun && !daemonPods) {
      create.push(name)
    } else if (shouldContinueRunning) {
      const running: P[] = []
      for (const pod of daemonPods ?? []) {
        if (pod.metadata?.deletionTimestamp) continue
        const where = `${pod.metadata?.namespace}/${pod.metadata?.name} on node ${name}`
        if (pod.status?.phase === 'Failed') {
          // The kubelet may keep rejecting the pod: back off instead of fighting it in a hot loop.
          const bkey = `${ds.metadata?.uid}/${ds.status?.observedGeneration ?? 0}/${name}`
          if (backoff.inBackoff(bkey)) {
            retryAfterMs = Math.min(retryAfterMs ?? Infinity, backoff.delay(bkey))
            continue
          }
          backoff.next(bkey)
          recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${where}, will try to kill it`)
          remove.push(pod.metadata!.name!)
        } else if (pod.status?.phase === 'Succeeded') {
          recorder.event(ds, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${where}, will try to delete it`)
          remove.push(pod.metadata!.name!)
        } else {
          running.push(pod)
        }
      }
      running.sort(byCreationTimestampAndPhase)
      if (!allowsSurge(ds)) {
        remove.push(...running.slice(1).map((p) => p.metadata!.name!)) // keep the oldest
      } else if (running.length === 0) {
        if (shouldRun) create.push(name)
      } else if (running.length > 1) {
        // With surge, an old and a new pod may overlap until the new one is available.
        const isNew = (p: P) => p.metadata?.labels?.[DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY] === c.hash
        const oldestNew = running.find(isNew)
        const oldestOld = running.find((p) => !isNew(p))
        for (const p of running) if (p !== oldestNew && p !== oldestOld) remove.push(p.metadata!.name!)
        if (oldestNew && oldestOld &&
          (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, ctx.now()))) {
          remove.push(oldestOld.metadata!.name!)
        }
      }
    } else if (daemonPods) {
      for (const pod of daemonPods) if (!pod.metadata?.deletionTimestamp) remove.push(pod.metadata!.name!)
    }
    return { create, remove, retryAfterMs }
  }

  /** Creates and deletes so each qualifying node has its pod; unbound pods for vanished nodes go too. */
  async function manage(c: DaemonSyncContext, nodeList: readonly Cached<Node>[], selector: LabelSelector, signal: AbortSignal) {
    const byNode = await nodesToDaemonPods(c.ds, selector, signal)
    const create: string[] = []
    const remove: string[] = []
    let retryAfterMs: number | undefined
    for (const node of nodeList) {
      const r = podsShouldBeOnNode(c, node, byNode)
      create.push(...r.create)
      remove.push(...r.remove)
      if (r.retryAfterMs !== undefined) retryAfterMs = Math.min(retryAfterMs ?? Infinity, r.retryAfterMs)
    }
    const existing = new Set(nodeList.map((n) => n.metadata!.name!))
    // The pod GC only removes bound pods; these were never scheduled and never will be.
    for (const [node, list] of byNode) {
      if (!existing.has(node)) remove.push(...list.filter((p) => !p.spec?.nodeName).map((p) => p.metadata!.name!))
    }
    await syncNodes(c, remove, create)
    return retryAfterMs
  }

  return {
    name: 'daemonset',
    triggers: daemonSetTriggers(sets, pods, nodes, revisions, expectations),
    async sync(key, signal) {
      backoff.gc()
      const ds = sets.get(key)
      if (!ds) {
        expectations.delete(key)
        return
      }
      const sel = ds.spec?.selector
      if (sel && !Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
        recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.')
        return
      }
      let selector: LabelSelector
      try {
        selector = labelSelectorFromMeta(sel as never)
      } catch {
        return // invalid selectors are rejected by validation; nothing to retry
      }
      // Pods and revisions of a set being deleted may already be gone: no status can be trusted.
      if (ds.metadata?.deletionTimestamp) return
      const nodeList = nodes.list()
      const { cur, old } = await constructHistory({ client, revisions, signal }, ds, selector, ownedPods(ds))
      const hash = cur.metadata?.labels?.[DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY] ?? ''
      const c: DaemonSyncContext = { client, recorder, expectations, key, ds, hash, signal }
      const status = async (observed: boolean) => {
        const counts = daemonSetCounts(ds, nodeList, await nodesToDaemonPods(ds, selector, signal), hash, ctx.now())
        await storeDaemonSetStatus(client, ds, counts, observed, signal)
        // Availability arrives with time, not with an event: look again after minReadySeconds.
        const minReady = ds.spec?.minReadySeconds ?? 0
        return minReady > 0 && counts.numberReady !== counts.numberAvailable ? minReady * 1000 : undefined
      }
      // Until our last writes show in the cache, only report (without claiming the new generation).
      if (!expectations.satisfied(key)) {
        const again = await status(false)
        return again === undefined ? undefined : { requeueAfterMs: again }
      }
      let failure: unknown
      let retryAfterMs: number | undefined
      try {
        retryAfterMs = await manage(c, nodeList, selector, signal)
        if (expectations.satisfied(key) && ds.spec?.updateStrategy?.type === 'RollingUpdate') {
          await rollingUpdateDaemonSet(c, nodeList, await nodesToDaemonPods(ds, selector, signal), ctx.now())
        }
        await cleanupHistory(client, ds, old, [...(await nodesToDaemonPods(ds, selector, signal, true)).values()].flat(), signal)
      } catch (err) {
        failure = err
      }
      let again: number | undefined
      try {
        again = await status(true)
      } catch (err) {
        failure ??= err
      }
      if (failure !== undefined) throw failure
      const after = Math.min(retryAfterMs ?? Infinity, again ?? Infinity)
      return Number.isFinite(after) ? { requeueAfterMs: after } : undefined
    },
  }

  /** The set's pods as the cache shows them, for relabelling duplicates in history. */
  function ownedPods(ds: Ds): P[] {
    return pods.list(ds.metadata?.namespace).filter((p) => p.metadata?.ownerReferences?.some((r) => r.controller === true && r.uid === ds.metadata?.uid))
  }
}

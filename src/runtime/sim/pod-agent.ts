/**
 * @module
 * The pod half of a simulated kubelet: watches the pods bound to the fleet's nodes (one
 * shared informer, indexed by spec.nodeName), asks `planPod` what comes next, and writes it:
 * a pods/status merge patch guarded by the resourceVersion it was computed from, or the
 * final delete. Pods on stopped nodes are left alone, as a dead kubelet leaves them.
 */
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js'
import type { EventRecorder } from '../../client/types.js'
import { isConflict, isNotFound, keyOf, type Cached } from '../../api/index.js'
import { ANNOTATIONS, durationAnnotation } from './annotations.js'
import { BY_NODE, POD, keys, type FleetContext } from './context.js'
import { planPod } from './pod-lifecycle.js'

const CONFLICT_RETRY_MS = 1000

type Memory = { startAtMs: number; deleteAtMs?: number }

const isTerminal = (p: Cached<Pod>) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed'

/** Watches the fleet's pods; `sync(key)` moves one pod on and `close` stops watching. */
export function podAgent(ctx: FleetContext) {
  // What the API does not hold: when each pod (by uid) is due to start or be removed.
  const memory = new Map<string, Memory>()
  // Pods we wrote, by key → the resourceVersion our write was based on: until the cache moves
  // past it, it still shows the old status and acting on it would repeat the write.
  const written = new Map<string, string | undefined>()

  ctx.podCache.addIndex(BY_NODE, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []))

  function observe(pod: Cached<Pod>, deleted: boolean) {
    const key = keyOf(pod)
    const node = ctx.nodes.get(pod.spec?.nodeName ?? '')
    const uid = pod.metadata?.uid ?? ''
    if (deleted) {
      node?.pool.release(uid)
      memory.delete(uid)
      written.delete(key)
      ctx.queue.cancel(keys.pod(key))
      return
    }
    if (!node) return
    // Addresses held by running pods survive a restart of the sim; finished pods give theirs up.
    if (isTerminal(pod)) node.pool.release(uid)
    else if (pod.status?.podIP && !pod.spec?.hostNetwork) node.pool.reserve(uid, pod.status.podIP)
    ctx.schedule(keys.pod(key), ctx.now())
  }

  const unsubscribe = ctx.podCache.subscribe((ev) => observe(ev.obj, ev.type === 'delete'))

  async function sync(key: string): Promise<void> {
    const pod = ctx.podCache.get(key)
    if (!pod) return
    const node = ctx.nodes.get(pod.spec?.nodeName ?? '')
    if (!node || node.stopped || !node.registered) return
    const rv = pod.metadata?.resourceVersion
    if (written.has(key) && written.get(key) === rv) return
    const now = ctx.now()
    const uid = pod.metadata?.uid ?? ''
    let mem = memory.get(uid)
    if (!mem) {
      const delay = durationAnnotation(pod, ANNOTATIONS.startDelay) ?? Math.floor(ctx.random() * ctx.timings.podStartMs)
      memory.set(uid, (mem = { startAtMs: now + delay }))
    }
    if (pod.metadata?.deletionTimestamp && mem.deleteAtMs === undefined) {
      mem.deleteAtMs = now + (durationAnnotation(pod, ANNOTATIONS.terminationDelay) ?? 0)
    }
    const plan = planPod(pod, {
      nowMs: now, hostIP: node.shape.internalIP, podIP: () => node.pool.allocate(uid),
      startAtMs: mem.startAtMs, deleteAtMs: mem.deleteAtMs ?? now, jobPodDurationMs: ctx.jobPodDurationMs,
    })
    const [name, namespace] = [pod.metadata?.name ?? '', pod.metadata?.namespace ?? '']
    if (plan.action !== 'delete' && plan.atMs !== undefined) ctx.schedule(keys.pod(key), plan.atMs)
    try {
      if (plan.action === 'status') {
        const out = await ctx.api(() => ctx.client.patch<Pod>(POD, name, namespace,
          { metadata: { resourceVersion: rv }, status: plan.status }, { type: 'merge', subresource: 'status' }))
        if (out.metadata?.resourceVersion !== rv) written.set(key, rv)
        recordKubeletEvents(ctx.recorder(node.shape.name), pod, plan.status)
        if (plan.status.phase === 'Succeeded' || plan.status.phase === 'Failed') node.pool.release(uid)
      } else if (plan.action === 'delete') {
        await ctx.api(() => ctx.client.delete(POD, name, namespace, { gracePeriodSeconds: 0, preconditions: { uid } }))
      }
    } catch (err) {
      // Gone already: nothing left to do. Conflict: the cache is behind; its event will come.
      if (isNotFound(err)) return
      if (isConflict(err)) return ctx.schedule(keys.pod(key), ctx.now() + CONFLICT_RETRY_MS)
      throw err
    }
  }

  return { sync, close: unsubscribe }
}

/**
 * The kubelet's container events for a status change: Pulled/Created/Started when a container
 * (re)starts, Killing when a deleted pod's containers stop. A sim node has every image.
 */
// Upstream: pkg/kubelet/kuberuntime/kuberuntime_container.go (startContainer, killContainer)
// and pkg/kubelet/images/image_manager.go, with 1.32's wording.
function recordKubeletEvents(recorder: EventRecorder, pod: Cached<Pod>, next: PodStatus) {
  const before = new Map((pod.status?.containerStatuses ?? []).map((c) => [c.name, c]))
  const specs = new Map((pod.spec?.containers ?? []).map((c) => [c.name, c]))
  for (const c of next.containerStatuses ?? []) {
    const prev = before.get(c.name)
    const fieldPath = `spec.containers{${c.name}}`
    const started = c.state?.running && (!prev || (c.restartCount ?? 0) > (prev.restartCount ?? 0) || !prev.state?.running)
    if (started && !pod.metadata?.deletionTimestamp) {
      recorder.event(pod, 'Normal', 'Pulled', `Container image "${specs.get(c.name)?.image ?? c.image}" already present on machine`, { fieldPath })
      recorder.event(pod, 'Normal', 'Created', `Created container: ${c.name}`, { fieldPath })
      recorder.event(pod, 'Normal', 'Started', `Started container ${c.name}`, { fieldPath })
    }
    if (pod.metadata?.deletionTimestamp && prev?.state?.running && c.state?.terminated) {
      recorder.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, { fieldPath })
    }
  }
}

/**
 * @module
 * Deleting everything in a terminating namespace, one resource type at a time, and
 * estimating how long what remains (pods in their grace period, objects held by
 * finalizers) will take to go.
 */
// Upstream: pkg/controller/namespace/deletion/namespaced_resources_deleter.go
// (deleteAllContent, deleteAllContentForGroupVersionResource, deleteEachItem,
// estimateGracefulTerminationForPods). Difference: the Client has no DELETE of a
// collection, so every type is deleted item by item (upstream's fallback path).
import type { Pod } from 'kubernetes-types/core/v1.js'
import { isNotFound, isStatusError, type KubeObject } from '../../api/index.js'
import type { Client, KindRef } from '../../client/index.js'
import type { DeletionReport } from './conditions.js'
import { gvrString, type DeletableResource } from './discovery.js'

/** Upstream's default wait for finalizers on remaining items to complete. */
const FINALIZER_ESTIMATE_SECONDS = 15
/** Deletes in flight at once, so a namespace of thousands of objects drains in reasonable time. */
const PARALLEL_DELETES = 16

const kindRef = (r: DeletableResource): KindRef => ({ apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind })
const ignorable = (err: unknown) => isNotFound(err) || (isStatusError(err) && err.status.reason === 'MethodNotAllowed')

type ResourceResult = { estimateSeconds: number; remaining: number; finalizers: Map<string, number>; error?: string }

/** The longest grace period of a pod that is still running; 0 once the namespace is older than it. */
// Upstream: estimateGracefulTermination / estimateGracefulTerminationForPods.
async function estimateForPods(client: Client, namespace: string, deletedAtMs: number, nowMs: number, signal?: AbortSignal): Promise<number> {
  const pods = await client.list<Pod & KubeObject>({ apiVersion: 'v1', kind: 'Pod' }, { namespace, signal })
  let estimate = 0
  for (const p of pods.items) {
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue
    estimate = Math.max(estimate, p.spec?.terminationGracePeriodSeconds ?? 0)
  }
  return nowMs - deletedAtMs >= estimate * 1000 ? 0 : estimate
}

async function deleteEachItem(client: Client, r: DeletableResource, namespace: string, signal?: AbortSignal) {
  const kind = kindRef(r)
  const { items } = await client.list(kind, { namespace, signal })
  // Objects already on their way out need no second DELETE.
  const todo = items.filter((o) => !o.metadata?.deletionTimestamp)
  for (let i = 0; i < todo.length; i += PARALLEL_DELETES) {
    await Promise.all(todo.slice(i, i + PARALLEL_DELETES).map((o) =>
      client.delete(kind, o.metadata?.name ?? '', namespace, { propagationPolicy: 'Background', signal }).catch((err) => {
        if (!ignorable(err)) throw err
      })))
  }
}

async function deleteAllOf(client: Client, r: DeletableResource, namespace: string, deletedAtMs: number, nowMs: number, signal?: AbortSignal): Promise<ResourceResult> {
  const none = { remaining: 0, finalizers: new Map<string, number>() }
  let estimateSeconds = 0
  try {
    if (r.group === '' && r.resource === 'pods') estimateSeconds = await estimateForPods(client, namespace, deletedAtMs, nowMs, signal)
  } catch (err) {
    return { ...none, estimateSeconds: 0, error: (err as Error).message }
  }
  try {
    await deleteEachItem(client, r, namespace, signal)
    // What is left after the deletes: pods terminating, objects held by finalizers.
    const { items } = await client.list(kindRef(r), { namespace, signal })
    if (!items.length) return { ...none, estimateSeconds: 0 }
    const finalizers = new Map<string, number>()
    for (const o of items) for (const f of o.metadata?.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1)
    if (estimateSeconds) return { estimateSeconds, remaining: items.length, finalizers }
    if (finalizers.size) return { estimateSeconds: FINALIZER_ESTIMATE_SECONDS, remaining: items.length, finalizers }
    return { estimateSeconds, remaining: items.length, finalizers, error: `unexpected items still remain in namespace: ${namespace} for gvr: ${gvrString(r)}` }
  } catch (err) {
    return { ...none, estimateSeconds, error: (err as Error).message }
  }
}

/** Deletes every object of every resource in `namespace`; the estimate is in seconds. */
export async function deleteAllContent(client: Client, resources: readonly DeletableResource[], namespace: string,
  deletedAtMs: number, nowMs: number, signal?: AbortSignal): Promise<{ estimateSeconds: number; report: DeletionReport }> {
  const report: DeletionReport = { contentErrors: [], remaining: new Map(), finalizers: new Map() }
  let estimateSeconds = 0
  for (const r of resources) {
    const res = await deleteAllOf(client, r, namespace, deletedAtMs, nowMs, signal)
    if (res.error) report.contentErrors.push(res.error)
    estimateSeconds = Math.max(estimateSeconds, res.estimateSeconds)
    if (res.remaining > 0) {
      report.remaining.set(`${r.resource}.${r.group}`, res.remaining)
      for (const [f, n] of res.finalizers) report.finalizers.set(f, (report.finalizers.get(f) ?? 0) + n)
    }
  }
  return { estimateSeconds, report }
}

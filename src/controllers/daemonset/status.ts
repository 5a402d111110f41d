/**
 * @module
 * DaemonSet status: how many nodes should run the pod, how many do, how many run it where they
 * should not, and how many of those pods are ready, available and up to date.
 */
// Upstream: pkg/controller/daemon/daemon_controller.go (updateDaemonSetStatus,
// storeDaemonSetStatus, podByCreationTimestampAndPhase).
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { copy, isConflict, type Cached, type KubeObject } from '../../api/index.js'
import type { Client } from '../../client/types.js'
import { isPodAvailable, isPodReady } from '../util/index.js'
import { isPodUpdated, templateGeneration } from './history.js'
import { nodeShouldRunDaemonPod } from './node-eligibility.js'

type P = Cached<Pod>
const DS = { apiVersion: 'apps/v1', kind: 'DaemonSet' }
const STATUS_UPDATE_RETRIES = 1

const time = (p: P) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0
/** Bound pods first, then oldest first, then by name. */
export function byCreationTimestampAndPhase(a: P, b: P): number {
  if (!!a.spec?.nodeName !== !!b.spec?.nodeName) return a.spec?.nodeName ? -1 : 1
  if (time(a) !== time(b)) return time(a) - time(b)
  const an = a.metadata?.name ?? ''
  const bn = b.metadata?.name ?? ''
  return an < bn ? -1 : an > bn ? 1 : 0
}

type Counts = Required<Pick<DaemonSetStatus, 'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' |
  'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'>>

/** The status counts over `nodes`, judging each node by its oldest daemon pod. */
export function daemonSetCounts(ds: Cached<DaemonSet>, nodes: readonly Cached<Node>[], nodeToPods: Map<string, P[]>, hash: string, nowMs: number): Counts {
  const c: Counts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0,
    updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 }
  const generation = templateGeneration(ds)
  for (const node of nodes) {
    const pods = nodeToPods.get(node.metadata!.name!) ?? []
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (pods.length) c.numberMisscheduled++
      continue
    }
    c.desiredNumberScheduled++
    if (!pods.length) continue
    c.currentNumberScheduled++
    const pod = [...pods].sort(byCreationTimestampAndPhase)[0]!
    if (isPodReady(pod)) {
      c.numberReady++
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, nowMs)) c.numberAvailable++
    }
    if (isPodUpdated(pod, hash, generation)) c.updatedNumberScheduled++
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable
  return c
}

/** Writes the counts (and, when the spec was acted on, observedGeneration) unless nothing changed. */
export async function storeDaemonSetStatus(client: Client, ds: Cached<DaemonSet>, counts: Counts, updateObservedGen: boolean,
  signal?: AbortSignal): Promise<void> {
  const s = ds.status
  const same = (Object.keys(counts) as (keyof Counts)[]).every((k) => (s?.[k] ?? 0) === counts[k])
  if (same && (s?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0)) return
  let latest = copy(ds) as DaemonSet & KubeObject
  for (let i = 0; ; i++) {
    const status = { ...latest.status!, ...counts, ...(updateObservedGen ? { observedGeneration: ds.metadata?.generation } : {}) }
    try {
      await client.updateStatus({ ...latest, status }, { signal })
      return
    } catch (err) {
      // One fresh retry; after that the sync fails and is requeued with backoff.
      if (!isConflict(err) || i >= STATUS_UPDATE_RETRIES) throw err
      latest = await client.get<DaemonSet & KubeObject>(DS, ds.metadata!.name!, ds.metadata?.namespace, { signal })
    }
  }
}

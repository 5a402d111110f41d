/**
 * @module
 * The replica manager: keeps exactly `spec.replicas` active pods for a ReplicaSet or a
 * ReplicationController, claiming pods by selector and controller reference, and reports
 * how many of them are labeled, ready and available.
 */
// Upstream: pkg/controller/replicaset/replica_set.go (syncReplicaSet, manageReplicas,
// claimPods, getPodsToDelete). Deletion ranking by co-located related pods is left out:
// surplus pods are chosen by util's deletionOrder alone.
import type { Pod } from 'kubernetes-types/core/v1.js'
import { isNotFound, keyOf, type Cached, type LabelSelector } from '../../api/index.js'
import type { Controller, ControllerContext, EventRecorder, SyncResult } from '../../client/types.js'
import { deletionOrder, isPodActive } from '../util/index.js'
import { claimObjects, recheckDeletion } from '../util/index.js'
import { podExpectations, type PodExpectations } from './expectations.js'
import { createPod, deletePod, isNamespaceTerminating, slowStartBatch, SLOW_START_INITIAL_BATCH_SIZE } from './pod-control.js'
import { calculateStatus, nextAvailableAfterMs, updateReplicaStatus } from './status.js'
import { replicaTriggers } from './triggers.js'
import type { ReplicaKind, Replicated } from './types.js'

/** At most this many pods are created or deleted per sync; the rest wait for the next. */
export const BURST_REPLICAS = 500

type Deps = { ctx: ControllerContext; recorder: EventRecorder; expectations: PodExpectations; kind: ReplicaKind }

/** A controller for `kind`'s objects and their pods. */
export function replicaManager(ctx: ControllerContext, kind: ReplicaKind): Controller {
  const owners = ctx.informers.of<Replicated>(kind.apiVersion, kind.kind)
  const pods = ctx.informers.of<Pod>('v1', 'Pod')
  const deps: Deps = { ctx, recorder: ctx.recorder(kind.component), expectations: podExpectations(ctx.now), kind }

  async function sync(key: string): Promise<SyncResult> {
    const cached = owners.get(key)
    if (!cached) {
      deps.expectations.delete(key)
      return
    }
    // Events and owner references need the kind even if a watch left it out.
    const rs = { ...cached, apiVersion: kind.apiVersion, kind: kind.kind } as Cached<Replicated>
    const needsSync = deps.expectations.satisfied(key)
    let selector: LabelSelector
    try {
      selector = kind.selector(rs)
    } catch (err) {
      // A selector the API accepted cannot turn invalid; retrying would not help.
      console.error(`${kind.component}: ${key}: invalid selector: ${err instanceof Error ? err.message : err}`)
      return
    }
    // All pods of the namespace: owned pods that stopped matching must be seen to be released.
    const active = pods.list(rs.metadata?.namespace).filter(isPodActive)
    const claimed = await claimObjects(active, {
      client: ctx.client, owner: rs, kind: { apiVersion: 'v1', kind: 'Pod' }, selector,
      canAdopt: recheckDeletion(ctx.client, rs),
    })
    let manageErr: unknown
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      manageErr = await manageReplicas(deps, key, rs, claimed).then(() => undefined, (err: unknown) => err ?? new Error('manageReplicas failed'))
    }
    const nowMs = ctx.now()
    const status = calculateStatus(rs, claimed, manageErr, nowMs)
    const updated = await updateReplicaStatus(ctx.client, rs, status)
    if (manageErr) throw manageErr
    // Availability is a matter of time: come back when the next ready pod has been ready long enough.
    const after = nextAvailableAfterMs(updated, claimed, nowMs)
    return after === undefined ? undefined : { requeueAfterMs: after }
  }

  return { name: kind.component, triggers: replicaTriggers(owners, pods, deps.expectations, kind), sync }
}

async function manageReplicas(deps: Deps, key: string, rs: Cached<Replicated>, pods: Cached<Pod>[]): Promise<void> {
  const { ctx, recorder, expectations } = deps
  const diff = pods.length - (rs.spec?.replicas ?? 1)
  if (diff < 0) {
    const n = Math.min(-diff, BURST_REPLICAS)
    // Expect before creating: the informer may show a new pod before create() returns.
    expectations.expectCreations(key, n)
    const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH_SIZE, async () => {
      try {
        await createPod(ctx.client, recorder, rs.spec?.template, rs)
      } catch (err) {
        if (!isNamespaceTerminating(err)) throw err
      }
    })
    // Pods never created (failed or skipped) will never be observed.
    for (let i = successes; i < n; i++) expectations.creationObserved(key)
    if (error) throw error
  } else if (diff > 0) {
    const n = Math.min(diff, BURST_REPLICAS)
    const victims = n < pods.length ? [...pods].sort(deletionOrder).slice(0, n) : pods
    expectations.expectDeletions(key, victims.map((p) => keyOf(p)))
    const errors: unknown[] = []
    await Promise.all(victims.map(async (pod) => {
      try {
        await deletePod(ctx.client, recorder, rs.metadata?.namespace, pod.metadata!.name!, rs)
      } catch (err) {
        // This deletion will never be observed; a pod already gone is no failure.
        expectations.deletionObserved(key, keyOf(pod))
        if (!isNotFound(err)) errors.push(err)
      }
    }))
    if (errors.length) throw errors[0]
  }
}

/**
 * @module
 * The StatefulSet controller: watches sets and their pods, claims the pods named
 * `<set>-<n>` that its selector matches, runs the ordered algorithm, records status and
 * trims history. Pods are found by name and selector, so a deleted pod is recreated with the
 * same name, hostname and claims.
 */
// Upstream: pkg/controller/statefulset/stateful_set.go (NewStatefulSetController, addPod,
// updatePod, deletePod, getPodsForStatefulSet, adoptOrphanRevisions, sync, syncStatefulSet),
// stateful_set_control.go (UpdateStatefulSet, performUpdate, updateStatefulSetStatus) and
// stateful_set_status_updater.go.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js'
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js'
import { copy, isConflict, keyOf, labelSelectorFromMeta, type Cached, type KubeObject, type LabelSelector } from '../../api/index.js'
import type { Controller, ControllerContext, InformerEvent } from '../../client/types.js'
import { listControllerRevisions, sortControllerRevisions } from '../history/index.js'
import { claimObjects } from '../util/index.js'
import { isMemberOf, replicasOf, type Sts } from './identity.js'
import { statefulPodControl } from './pod-control.js'
import { statefulSetRevisions, truncateHistory } from './revisions.js'
import { completeRollingUpdate, inconsistentStatus, updateStatefulSetPods } from './set-control.js'

const SET_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' }
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' }
const REVISION_KIND = { apiVersion: 'apps/v1', kind: 'ControllerRevision' }
const STATUS_RETRIES = 5

function selectorOf(set: Sts): LabelSelector | undefined {
  try {
    return labelSelectorFromMeta(set.spec?.selector as never)
  } catch {
    return undefined // invalid: nothing to do until the user fixes it, so no retry
  }
}

/** Builds the StatefulSet controller. */
export function statefulSetController(ctx: ControllerContext): Controller {
  const { client } = ctx
  const sets = ctx.informers.of<StatefulSet>('apps/v1', 'StatefulSet')
  const pods = ctx.informers.of<Pod>('v1', 'Pod')
  const claims = ctx.informers.of<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim')
  const revisions = ctx.informers.of<ControllerRevision>('apps/v1', 'ControllerRevision')
  const recorder = ctx.recorder('statefulset-controller')

  /** The set a controller reference names, if it still is that set (same uid). */
  const resolve = (pod: Cached<Pod>, ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true)) => {
    if (!ref || ref.kind !== 'StatefulSet') return []
    const set = sets.get(`${pod.metadata?.namespace}/${ref.name}`)
    return set && set.metadata?.uid === ref.uid ? [keyOf(set)] : []
  }
  // An orphan wakes every set that might adopt it.
  const adopters = (pod: Cached<Pod>) => sets.list(pod.metadata?.namespace)
    .filter((s) => selectorOf(s)?.matches(pod.metadata?.labels)).map((s) => keyOf(s))
  const controlled = (pod: Cached<Pod>) => !!pod.metadata?.ownerReferences?.some((r) => r.controller === true)

  function podKeys(ev: InformerEvent<Pod>): string[] {
    const pod = ev.obj
    if (ev.type === 'delete') return resolve(pod)
    if (ev.type === 'add') return controlled(pod) ? resolve(pod) : adopters(pod)
    const old = ev.old
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return [] // a resync: nothing changed
    const oldRef = old.metadata?.ownerReferences?.find((r) => r.controller === true)
    const curRef = pod.metadata?.ownerReferences?.find((r) => r.controller === true)
    const keys = oldRef && oldRef.uid !== curRef?.uid ? resolve(old) : []
    if (curRef) return [...keys, ...resolve(pod)]
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {})
    return labelsChanged || oldRef ? [...keys, ...adopters(pod)] : keys
  }

  async function writeStatus(set: Sts, status: StatefulSetStatus, signal: AbortSignal): Promise<void> {
    completeRollingUpdate(set, status)
    if (!inconsistentStatus(set, status)) return
    let fresh = copy(set) as StatefulSet
    for (let attempt = 0; ; attempt++) {
      fresh.status = status
      try {
        await client.updateStatus(fresh as KubeObject, { signal })
        return
      } catch (err) {
        if (!isConflict(err) || attempt >= STATUS_RETRIES) throw err
        fresh = await client.get<StatefulSet & KubeObject>(SET_KIND, set.metadata!.name!, set.metadata?.namespace, { signal })
      }
    }
  }

  async function updateStatefulSet(set: Sts, owned: readonly Cached<Pod>[], selector: LabelSelector, signal: AbortSignal) {
    const history = sortControllerRevisions(listControllerRevisions(revisions, set, selector))
    let current: Cached<ControllerRevision> | undefined
    let update: Cached<ControllerRevision> | undefined
    let status: StatefulSetStatus | undefined
    let failure: unknown
    try {
      const revs = await statefulSetRevisions(client, set, history, signal)
      current = revs.current
      update = revs.update
      const control = statefulPodControl({ client, claims, recorder, signal })
      const result = await updateStatefulSetPods({ set, pods: owned, current, update, collisionCount: revs.collisionCount, control, nowMs: ctx.now() })
      status = result.status
      failure = result.error
      try {
        await writeStatus(set, status, signal)
      } catch (err) {
        failure ??= err
      }
    } catch (err) {
      failure = err
    }
    // History is trimmed even after a failure, as upstream does.
    await truncateHistory(client, set, owned, history, current, update, signal)
    if (failure !== undefined) throw failure
    return status
  }

  return {
    name: 'statefulset',
    triggers: [sets.on((ev) => [keyOf(ev.obj)]), pods.on(podKeys)],
    async sync(key, signal) {
      const set = sets.get(key)
      if (!set) return
      const selector = selectorOf(set)
      if (!selector) return
      const orphanRevisions = listControllerRevisions(revisions, set, selector).filter((r) => !r.metadata?.ownerReferences?.some((o) => o.controller === true))
      if (orphanRevisions.length) await claimObjects(orphanRevisions, { client, owner: set, kind: REVISION_KIND, selector, signal })
      const owned = await claimObjects(candidatePods(set), { client, owner: set, kind: POD_KIND, selector, signal, filter: (p) => isMemberOf(set, p) })
      const status = await updateStatefulSet(set, owned, selector, signal)
      // Availability is a matter of time: look again once minReadySeconds may have passed.
      const minReady = set.spec?.minReadySeconds ?? 0
      if (minReady > 0 && status && status.availableReplicas !== replicasOf(set)) return { requeueAfterMs: minReady * 1000 }
    },
  }

  /** Pods this set owns or might adopt: everything in its namespace not controlled by someone else. */
  function candidatePods(set: Sts): Cached<Pod>[] {
    return pods.list(set.metadata?.namespace).filter((p) => {
      const ref = p.metadata?.ownerReferences?.find((r) => r.controller === true)
      return !ref || ref.uid === set.metadata?.uid
    })
  }
}

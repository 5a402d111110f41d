/**
 * @module
 * Which DaemonSets an event concerns: the owner of a pod or revision (noting the pod writes the
 * expectations were waiting for), the sets that might adopt an orphan, and the sets whose
 * placement a node addition or change affects.
 */
// Upstream: pkg/controller/daemon/daemon_controller.go (addPod, updatePod, deletePod, addNode,
// updateNode, shouldIgnoreNodeUpdate, addHistory, updateHistory, deleteHistory,
// resolveControllerRef, getDaemonSetsForPod).
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import { keyOf, labelSelectorFromMeta, semanticEqual, type Cached } from '../../api/index.js'
import type { Informer, InformerEvent, Trigger } from '../../client/types.js'
import type { Expectations } from '../../client/index.js'
import { nodeShouldRunDaemonPod } from './node-eligibility.js'

type Owned = { readonly metadata?: Cached<Pod>['metadata'] }
const controllerOf = (o: Owned) => o.metadata?.ownerReferences?.find((r) => r.controller === true)

/** The triggers of the DaemonSet controller. */
export function daemonSetTriggers(sets: Informer<DaemonSet>, pods: Informer<Pod>, nodes: Informer<Node>,
  revisions: Informer<ControllerRevision>, expectations: Expectations): Trigger[] {
  const resolve = (namespace: string | undefined, ref: Cached<OwnerReference> | undefined): string[] => {
    if (!ref || ref.kind !== 'DaemonSet') return []
    const ds = sets.get(`${namespace}/${ref.name}`)
    return ds && ds.metadata?.uid === ref.uid ? [keyOf(ds)] : []
  }
  const adopters = (o: Owned) => sets.list(o.metadata?.namespace).filter((ds) => {
    try {
      return labelSelectorFromMeta(ds.spec?.selector as never).matches(o.metadata?.labels)
    } catch {
      return false
    }
  }).map((ds) => keyOf(ds))

  function ownerChange(ev: Extract<InformerEvent<Owned>, { type: 'update' }>): string[] {
    const { obj, old } = ev
    if (obj.metadata?.resourceVersion === old.metadata?.resourceVersion) return [] // a resync
    const oldRef = controllerOf(old)
    const curRef = controllerOf(obj)
    const keys = oldRef && !semanticEqual(oldRef, curRef) ? resolve(old.metadata?.namespace, oldRef) : []
    if (curRef) return [...keys, ...resolve(obj.metadata?.namespace, curRef)]
    const changed = !semanticEqual(old.metadata?.labels, obj.metadata?.labels) || !!oldRef
    return changed ? [...keys, ...adopters(obj)] : keys
  }

  function deletedPod(pod: Cached<Pod>): string[] {
    const keys = resolve(pod.metadata?.namespace, controllerOf(pod))
    for (const k of keys) expectations.deletionObserved(k)
    return keys
  }

  function podKeys(ev: InformerEvent<Pod>): string[] {
    if (ev.type === 'delete') return deletedPod(ev.obj)
    // A pod that shows up already terminating counts as a deletion, not a creation.
    if (ev.obj.metadata?.deletionTimestamp && !(ev.type === 'update' && ev.old.metadata?.deletionTimestamp)) return deletedPod(ev.obj)
    if (ev.type === 'add') {
      const ref = controllerOf(ev.obj)
      if (!ref) return adopters(ev.obj)
      const keys = resolve(ev.obj.metadata?.namespace, ref)
      for (const k of keys) expectations.creationObserved(k)
      return keys
    }
    return ownerChange(ev)
  }

  function nodeKeys(ev: InformerEvent<Node>): string[] {
    if (ev.type === 'delete') return sets.list().map((ds) => keyOf(ds))
    if (ev.type === 'add') return sets.list().filter((ds) => nodeShouldRunDaemonPod(ev.obj, ds).shouldRun).map((ds) => keyOf(ds))
    return sets.list().filter((ds) => {
      const before = nodeShouldRunDaemonPod(ev.old, ds)
      const after = nodeShouldRunDaemonPod(ev.obj, ds)
      return before.shouldRun !== after.shouldRun || before.shouldContinueRunning !== after.shouldContinueRunning
    }).map((ds) => keyOf(ds))
  }

  function revisionKeys(ev: InformerEvent<ControllerRevision>): string[] {
    if (ev.type === 'delete') return resolve(ev.obj.metadata?.namespace, controllerOf(ev.obj))
    if (ev.type === 'add') return controllerOf(ev.obj) ? [] : adopters(ev.obj)
    return ownerChange(ev)
  }

  return [
    sets.on((ev) => {
      if (ev.type === 'delete') expectations.delete(keyOf(ev.obj)) // a new set of the same name starts clean
      return [keyOf(ev.obj)]
    }),
    pods.on(podKeys),
    nodes.on(nodeKeys),
    revisions.on(revisionKeys),
  ]
}

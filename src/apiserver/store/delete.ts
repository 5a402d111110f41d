/**
 * @module
 * Deletion as upstream's generic store does it: preconditions, graceful deletion (pods),
 * finalizers (the object stays, marked with deletionTimestamp, until they are removed), and
 * namespaces, which turn Terminating until their content is gone.
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go (Delete,
// updateForGracefulDeletionAndFinalizers) and pkg/registry/core/namespace/storage/storage.go.
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js'
import { conflict, groupResourceString, notFound, type KubeObject } from '../../api/index.js'
import { decodeObject, encodeObject } from './codec.js'
import { rfc3339 } from './meta-fields.js'
import type { ResourceStore } from './store.js'
import type { Backend } from '../../storage/index.js'
import type { WriteContext } from './types.js'

const FOREGROUND = 'foregroundDeletion'
const ORPHAN = 'orphan'

export type DeleteResult = { obj: KubeObject; deleted: boolean }

export async function deleteObject(backend: Backend, store: ResourceStore, ns: string, name: string,
  options: DeleteOptions, ctx: WriteContext): Promise<DeleteResult> {
  const { rt } = store
  const gr = { group: rt.group, resource: rt.resource }
  const key = store.keyOf(ns, name)
  for (let attempt = 0; attempt < 100; attempt++) {
    const kv = await store.getRaw(ns, name)
    if (!kv) throw notFound(gr, name)
    const obj = decodeObject(kv)
    const meta = (obj.metadata ??= {})
    const pre = options.preconditions
    if (pre?.uid && pre.uid !== meta.uid) {
      throw conflict(gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`)
    }
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw conflict(gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${meta.resourceVersion}`)
    }
    let grace = 0
    if (rt.gracePeriodSeconds) {
      grace = options.gracePeriodSeconds ?? rt.gracePeriodSeconds(obj) ?? 0
      // Upstream (pod strategy CheckGracefulDelete): a pod no node runs, or one that already
      // finished, has nothing to wait for.
      const spec = obj.spec as { nodeName?: string } | undefined
      const phase = (obj.status as { phase?: string } | undefined)?.phase
      if (!spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0
    }
    // The garbage collector's finalizers (upstream's deletionFinalizersForGarbageCollection):
    // Foreground deletes the dependents first, Orphan strips their owner references first.
    // The object is marked deleted before either starts, so no controller re-adopts meanwhile.
    let finalizersChanged = false
    const gcFinalizer = options.propagationPolicy === 'Foreground' ? FOREGROUND
      : options.propagationPolicy === 'Orphan' || (options.orphanDependents === true && !options.propagationPolicy) ? ORPHAN : undefined
    if (gcFinalizer && !meta.finalizers?.includes(gcFinalizer)) {
      meta.finalizers = [...(meta.finalizers ?? []).filter((f) => f !== FOREGROUND && f !== ORPHAN), gcFinalizer]
      finalizersChanged = true
    }
    const namespaceFinalizers = rt.resource === 'namespaces' && !rt.group
      ? ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : []
    const pending = grace > 0 || (meta.finalizers?.length ?? 0) > 0 || namespaceFinalizers.length > 0
    if (pending) {
      // A repeated delete may only shorten the grace period, never lengthen it.
      if (meta.deletionTimestamp && (meta.deletionGracePeriodSeconds ?? 0) <= grace) {
        if (!finalizersChanged) return { obj, deleted: false }
      } else {
        meta.deletionTimestamp = rfc3339(new Date(ctx.now.getTime() + grace * 1000))
        meta.deletionGracePeriodSeconds = grace
      }
      if (namespaceFinalizers.length) obj.status = { ...(obj.status as object), phase: 'Terminating' }
      if (ctx.dryRun) return { obj, deleted: false }
      const swap = await backend.update(key, encodeObject(obj), kv.modRevision)
      if (!swap.ok) continue
      meta.resourceVersion = String(swap.kv.modRevision)
      return { obj, deleted: false }
    }
    if (ctx.dryRun) return { obj, deleted: true }
    if (await store.remove(ns, name, kv.modRevision, obj)) return { obj, deleted: true }
  }
  throw conflict(gr, name, `too many concurrent changes to ${groupResourceString(gr)}, please try again`)
}

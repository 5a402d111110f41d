/**
 * @module
 * Orphaning dependents: `propagationPolicy: Orphan` removes the owner's reference from every
 * object that names it, before the owner goes.
 *
 * Upstream: the generic store adds the `orphan` finalizer and the garbage collector strips
 * the references (pkg/controller/garbagecollector, orphanDependents). Until kubelite has a
 * garbage collector, the API server does that step itself, synchronously, so dependents
 * never point at a deleted owner.
 */
import type { KubeObject } from '../../api/index.js'
import type { ResourceStore } from './store.js'
import type { WriteContext } from './types.js'

export async function orphanDependents(owner: KubeObject, ownerNamespaced: boolean, stores: Iterable<ResourceStore>, ctx: WriteContext) {
  const uid = owner.metadata?.uid
  if (!uid || ctx.dryRun) return
  // A namespaced owner can only own objects in its namespace; a cluster-scoped one, any.
  const ns = ownerNamespaced ? owner.metadata?.namespace ?? '' : ''
  for (const store of stores) {
    if (ownerNamespaced && !store.rt.namespaced) continue
    const page = await store.listRaw(store.rt.namespaced ? ns : '', {})
    for (const kv of page.kvs) {
      const dep = store.decodeShared(kv)
      if (!dep.metadata?.ownerReferences?.some((r) => r.uid === uid)) continue
      await store.update(dep.metadata.namespace ?? '', dep.metadata.name ?? '', (cur) => {
        const refs = (cur.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid)
        if (refs.length) cur.metadata!.ownerReferences = refs
        else delete cur.metadata!.ownerReferences
        delete cur.metadata!.resourceVersion // no precondition: re-read and retry on a race
        return cur
      }, ctx).catch((err: { status?: { code?: number } }) => {
        if (err.status?.code !== 404) throw err // gone meanwhile: nothing to orphan
      })
    }
  }
}

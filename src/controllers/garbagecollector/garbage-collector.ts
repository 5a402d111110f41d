/**
 * @module
 * The garbage collector: deletes objects whose owners are all gone (background cascading
 * deletion), deletes the dependents of an owner marked `foregroundDeletion` before letting
 * the owner go, and strips the references to an owner marked `orphan`.
 *
 * The dependency graph is the informers themselves, indexed by owner uid: one queue of keys
 * `apiVersion|Kind|namespace/name` serves every kind.
 */
// Upstream: pkg/controller/garbagecollector (garbagecollector.go attemptToDeleteItem,
// processDeletingDependentsItem, attemptToOrphanWorker; graph_builder.go processGraphChanges).
// Differences: no graph of virtual nodes (a missing owner is looked up when its dependent is
// processed), a chosen list of kinds instead of discovery, and writes are PUTs of the live
// object rather than patches.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import type { Cached, KubeObject } from '../../api/index.js'
import type { Controller, ControllerContext, Informer, InformerEvent, KindRef } from '../../client/index.js'
import { ownerClassifier, UID_INDEX } from './classify.js'
import {
  FOREGROUND_FINALIZER, GC_KINDS, ORPHAN_FINALIZER, hasFinalizer, isDeletingDependents, itemKey, kindId, parseItemKey,
  servedKindResolver, type ServedKind,
} from './kinds.js'
import { deleteExactly, getLatest, removeFinalizer, removeOwnerReferences, unblockOwnerReferences } from './writes.js'

/** The index every watched informer gets: owner uid → the objects that reference it. */
export const OWNER_INDEX = 'garbagecollector:owner'

export type GarbageCollectorOptions = {
  /** The kinds to watch (default: `GC_KINDS`). */
  kinds?: readonly KindRef[]
}

type Watched = { kind: ServedKind; informer: Informer<KubeObject> }
type Obj = Cached<KubeObject>
type Ref = Cached<OwnerReference>

const refsOf = (o: Obj): readonly Ref[] => o.metadata?.ownerReferences ?? []
const gcFinalizing = (o: Obj) => !!o.metadata?.deletionTimestamp && (hasFinalizer(o, ORPHAN_FINALIZER) || hasFinalizer(o, FOREGROUND_FINALIZER))
const sameRefs = (a: readonly Ref[], b: readonly Ref[]) => JSON.stringify(a) === JSON.stringify(b)

/** The garbage collector over every kind in `opts.kinds`. */
export function garbageCollector(ctx: ControllerContext, opts: GarbageCollectorOptions = {}): Controller {
  const { client } = ctx
  const resolve = servedKindResolver(opts.kinds ?? GC_KINDS)
  const watched = new Map<string, Watched>()
  for (const k of opts.kinds ?? GC_KINDS) {
    const kind = resolve(k)
    if (!kind) continue
    const informer = ctx.informers.of<KubeObject>(kind.apiVersion, kind.kind)
    informer.addIndex(OWNER_INDEX, (o) => refsOf(o).map((r) => r.uid))
    informer.addIndex(UID_INDEX, (o) => (o.metadata?.uid ? [o.metadata.uid] : []))
    watched.set(kindId(kind), { kind, informer })
  }
  const recorder = ctx.recorder('garbage-collector-controller')
  const classify = ownerClassifier({ client, recorder, resolve, informerOf: (k) => watched.get(kindId(k))?.informer })

  /** Every cached object that references `owner`; a namespaced owner only owns in its namespace. */
  function dependentsOf(owner: Obj, ownerNamespaced: boolean): { w: Watched; obj: Obj }[] {
    const uid = owner.metadata?.uid
    if (!uid) return []
    const out: { w: Watched; obj: Obj }[] = []
    for (const w of watched.values()) {
      for (const obj of w.informer.byIndex(OWNER_INDEX, uid)) {
        if (ownerNamespaced && obj.metadata?.namespace !== owner.metadata?.namespace) continue
        out.push({ w, obj })
      }
    }
    return out
  }
  const refTo = (dep: Obj, uid: string | undefined) => refsOf(dep).find((r) => r.uid === uid)

  /** Queue keys of the owners `refs` name, for the kinds we watch. */
  function ownerKeys(obj: Obj, refs: readonly Ref[]): string[] {
    const keys: string[] = []
    for (const r of refs) {
      const kind = resolve(r)
      if (!kind || !watched.has(kindId(kind))) continue
      keys.push(itemKey(kind, kind.namespaced ? obj.metadata?.namespace : undefined, r.name))
    }
    return keys
  }

  function keysFor(w: Watched, ev: InformerEvent<KubeObject>): string[] {
    const self = itemKey(w.kind, ev.obj.metadata?.namespace, ev.obj.metadata?.name ?? '')
    if (ev.type === 'add') return refsOf(ev.obj).length || gcFinalizing(ev.obj) ? [self] : []
    if (ev.type === 'delete') {
      // The dependents of a deleted owner may now be garbage; an owner deleting in the
      // foreground may have just lost its last blocking dependent.
      const deps = dependentsOf(ev.obj, w.kind.namespaced).map(({ w: dw, obj }) => itemKey(dw.kind, obj.metadata?.namespace, obj.metadata?.name ?? ''))
      return [...deps, ...ownerKeys(ev.obj, refsOf(ev.obj))]
    }
    const keys: string[] = []
    if (!sameRefs(refsOf(ev.old), refsOf(ev.obj)) || gcFinalizing(ev.obj)) keys.push(self)
    // A blocking reference removed or unblocked may release an owner waiting in the foreground.
    // Upstream: graph_builder.go (addUnblockedOwnersToDeleteQueue).
    const unblocked = refsOf(ev.old).filter((r) => r.blockOwnerDeletion && !refTo(ev.obj, r.uid)?.blockOwnerDeletion)
    keys.push(...ownerKeys(ev.obj, unblocked))
    return keys
  }

  /** Deletes `item` if every owner is gone, or drops the references to owners that are. */
  // Upstream: garbagecollector.go (attemptToDeleteItem).
  async function attemptToDelete(w: Watched, item: Obj, signal: AbortSignal): Promise<void> {
    let refs = refsOf(item)
    if (!refs.length || item.metadata?.deletionTimestamp) return
    let c = await classify(w.kind, item, refs, signal)
    if (c.solid.length && !c.dangling.length && !c.waiting.length) return
    // About to write: decide again on the live object, whose references may have changed.
    const latest = await getLatest(client, w.kind, item, signal)
    if (!latest || latest.metadata?.deletionTimestamp) return
    const live = latest as Obj
    if (!sameRefs(refsOf(live), refs)) {
      refs = refsOf(live)
      if (!refs.length) return
      c = await classify(w.kind, live, refs, signal)
      if (c.solid.length && !c.dangling.length && !c.waiting.length) return
    }
    if (c.solid.length) {
      // Keep the object for its live owner; a waiting owner must not wait for it either.
      const gone = new Set([...c.dangling, ...c.waiting].map((r) => r.uid))
      await removeOwnerReferences(client, w.kind, live, gone, signal)
      return
    }
    const deps = dependentsOf(live, w.kind.namespaced)
    if (c.waiting.length && deps.length) {
      // An owner waits for this object, which has dependents of its own: delete those first.
      // A dependent that is itself waiting would wait on us forever, so stop blocking it.
      let target: KubeObject | undefined = latest
      if (deps.some(({ obj }) => isDeletingDependents(obj))) target = await unblockOwnerReferences(client, w.kind, live, signal)
      if (target) await deleteExactly(client, w.kind, target, 'Foreground', signal)
      return
    }
    const policy = hasFinalizer(live, ORPHAN_FINALIZER) ? 'Orphan' : hasFinalizer(live, FOREGROUND_FINALIZER) ? 'Foreground' : 'Background'
    await deleteExactly(client, w.kind, latest, policy, signal)
  }

  /** An owner deleting in the foreground: its dependents go first, then its finalizer. */
  // Upstream: garbagecollector.go (processDeletingDependentsItem).
  async function processDeletingDependents(w: Watched, owner: Obj, signal: AbortSignal): Promise<void> {
    for (const { w: dw, obj } of dependentsOf(owner, w.kind.namespaced)) {
      if (!obj.metadata?.deletionTimestamp) await attemptToDelete(dw, obj, signal)
    }
    // Dependents being deleted (pods in their grace period) still block until they are gone.
    const blocking = dependentsOf(owner, w.kind.namespaced).filter(({ obj }) => refTo(obj, owner.metadata?.uid)?.blockOwnerDeletion)
    if (!blocking.length) await removeFinalizer(client, w.kind, owner, FOREGROUND_FINALIZER, signal)
  }

  /** An owner deleted with propagationPolicy Orphan: its dependents lose the reference. */
  // Upstream: garbagecollector.go (attemptToOrphanWorker, orphanDependents).
  async function attemptToOrphan(w: Watched, owner: Obj, signal: AbortSignal): Promise<void> {
    const uid = new Set([owner.metadata?.uid ?? ''])
    await Promise.all(dependentsOf(owner, w.kind.namespaced).map(({ w: dw, obj }) => removeOwnerReferences(client, dw.kind, obj, uid, signal)))
    await removeFinalizer(client, w.kind, owner, ORPHAN_FINALIZER, signal)
  }

  return {
    name: 'garbagecollector',
    triggers: [...watched.values()].map((w) => w.informer.on((ev) => keysFor(w, ev))),
    async sync(key, signal) {
      const parsed = parseItemKey(key)
      const w = parsed && watched.get(kindId(parsed.kind))
      const obj = w?.informer.get(parsed!.cacheKey)
      if (!w || !obj) return // gone: its dependents were queued by its delete event
      if (obj.metadata?.deletionTimestamp) {
        if (hasFinalizer(obj, ORPHAN_FINALIZER)) return attemptToOrphan(w, obj, signal)
        if (hasFinalizer(obj, FOREGROUND_FINALIZER)) return processDeletingDependents(w, obj, signal)
        return // on its way out; its dependents are handled once it is gone
      }
      await attemptToDelete(w, obj, signal)
    },
  }
}

/** The queue key the collector uses for `obj` (for tests and callers that enqueue by hand). */
export const garbageCollectorKey = (obj: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } }) =>
  itemKey({ apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '' }, obj.metadata?.namespace, obj.metadata?.name ?? '')

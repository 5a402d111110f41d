/**
 * @module
 * Sorting an object's owner references into solid (the owner exists), dangling (verified
 * absent at the API server, not just missing from a cache that may lag) and waiting (the
 * owner exists but is being deleted in the foreground, waiting for this object to go).
 */
// Upstream: pkg/controller/garbagecollector/garbagecollector.go (isDangling,
// classifyReferences) and graph_builder.go (reportInvalidNamespaceOwnerRef).
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import { isNotFound, type Cached, type KubeObject } from '../../api/index.js'
import type { Client, EventRecorder, Informer, KindRef } from '../../client/index.js'
import { asRef, cacheKeyOf, isDeletingDependents, kindId, type ServedKind } from './kinds.js'

type Ref = Cached<OwnerReference>
export type Classified = { solid: Ref[]; dangling: Ref[]; waiting: Ref[] }

/** The index every watched informer gets: object uid → the object. */
export const UID_INDEX = 'garbagecollector:uid'

/** Owners verified absent stay absent (uids are never reused); bounded like upstream's LRU. */
const ABSENT_CACHE_SIZE = 500

export type ClassifierDeps = {
  client: Client
  recorder: EventRecorder
  resolve: (ref: Ref) => ServedKind | undefined
  informerOf: (kind: KindRef) => Informer<KubeObject> | undefined
}

export function ownerClassifier({ client, recorder, resolve, informerOf }: ClassifierDeps) {
  const absent = new Set<string>()
  const reported = new Set<string>()
  const remember = (key: string) => {
    if (absent.size >= ABSENT_CACHE_SIZE) absent.delete(absent.values().next().value!)
    absent.add(key)
  }

  // Upstream's event names the reference as its objectReference prints: [apiVersion/kind,
  // namespace, name, uid]. Reported once per dependent and owner, not on every retry.
  function reportInvalidNamespace(kind: KindRef, item: Cached<KubeObject>, ref: Ref) {
    const ns = item.metadata?.namespace ?? ''
    const once = `${item.metadata?.uid}/${ref.uid}`
    if (reported.has(once)) return
    if (reported.size >= ABSENT_CACHE_SIZE) reported.delete(reported.values().next().value!)
    reported.add(once)
    recorder.event(asRef(kind, item), 'Warning', 'OwnerRefInvalidNamespace',
      `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${ns}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace "${ns}"`)
  }

  /** The owner `ref` points at, from the cache when it agrees, else from the API server. */
  async function findOwner(served: ServedKind, ref: Ref, ns: string | undefined, signal?: AbortSignal): Promise<Cached<KubeObject> | undefined> {
    const cached = informerOf(served)?.get(cacheKeyOf(ns, ref.name))
    if (cached?.metadata?.uid === ref.uid) return cached
    const absentKey = `${ns ?? ''}|${kindId(served)}|${ref.name}|${ref.uid}`
    if (absent.has(absentKey)) return undefined
    // The cache may simply not have seen the owner yet: only the server can say it is gone.
    try {
      const live = await client.get({ apiVersion: served.apiVersion, kind: served.kind }, ref.name, ns, { signal })
      if (live.metadata?.uid === ref.uid) return live as Cached<KubeObject>
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
    remember(absentKey)
    return undefined
  }

  return async function classify(kind: KindRef, item: Cached<KubeObject>, refs: readonly Ref[], signal?: AbortSignal): Promise<Classified> {
    const out: Classified = { solid: [], dangling: [], waiting: [] }
    const itemNs = item.metadata?.namespace || undefined
    for (const ref of refs) {
      const served = resolve(ref)
      // A kind nobody serves cannot be proven absent; upstream retries forever, we keep the
      // object, which is the same outcome without the busy loop.
      if (!served) {
        out.solid.push(ref)
        continue
      }
      if (served.namespaced && !itemNs) {
        // A cluster-scoped object cannot be owned by a namespaced one: unresolvable, kept.
        reportInvalidNamespace(kind, item, ref)
        out.solid.push(ref)
        continue
      }
      const ns = served.namespaced ? itemNs : undefined
      const owner = await findOwner(served, ref, ns, signal)
      if (!owner) {
        // Absent here but present in another namespace: the reference crosses namespaces.
        const elsewhere = served.namespaced && informerOf(served)?.byIndex(UID_INDEX, ref.uid).some((o) => o.metadata?.namespace !== itemNs)
        if (elsewhere) reportInvalidNamespace(kind, item, ref)
        out.dangling.push(ref)
      } else if (isDeletingDependents(owner)) {
        out.waiting.push(ref)
      } else {
        out.solid.push(ref)
      }
    }
    return out
  }
}

export type Classify = ReturnType<typeof ownerClassifier>

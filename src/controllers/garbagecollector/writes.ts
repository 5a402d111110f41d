/**
 * @module
 * The collector's writes, each made against the live object rather than the cache: the
 * cache may lag, and a write based on a stale copy could drop a reference someone just
 * added or delete an object that was just adopted.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import { isConflict, isNotFound, type Cached, type KubeObject } from '../../api/index.js'
import type { Client, KindRef } from '../../client/index.js'

const ATTEMPTS = 5

/** The live object, or undefined when it is gone or was replaced by one with another uid. */
export async function getLatest(client: Client, kind: KindRef, obj: Cached<KubeObject>, signal?: AbortSignal): Promise<KubeObject | undefined> {
  try {
    const latest = await client.get({ apiVersion: kind.apiVersion, kind: kind.kind }, obj.metadata?.name ?? '', obj.metadata?.namespace, { signal })
    return latest.metadata?.uid === obj.metadata?.uid ? latest : undefined
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
}

/**
 * Re-reads the object, lets `change` edit it (returning false when there is nothing to do)
 * and writes it back; a lost race re-reads and tries again, like upstream's RetryOnConflict.
 */
export async function updateLatest(client: Client, kind: KindRef, obj: Cached<KubeObject>,
  change: (latest: KubeObject) => boolean, signal?: AbortSignal): Promise<KubeObject | undefined> {
  for (let attempt = 1; ; attempt++) {
    const latest = await getLatest(client, kind, obj, signal)
    if (!latest || !change(latest)) return latest
    try {
      return await client.update({ ...latest, apiVersion: kind.apiVersion, kind: kind.kind }, { signal })
    } catch (err) {
      if (isNotFound(err)) return undefined
      if (!isConflict(err) || attempt >= ATTEMPTS) throw err
    }
  }
}

/** Removes one finalizer from the live object. */
// Upstream: pkg/controller/garbagecollector/patch.go (removeFinalizer).
export function removeFinalizer(client: Client, kind: KindRef, obj: Cached<KubeObject>, finalizer: string, signal?: AbortSignal) {
  return updateLatest(client, kind, obj, (latest) => {
    const before = latest.metadata?.finalizers ?? []
    if (!before.includes(finalizer)) return false
    latest.metadata!.finalizers = before.filter((f) => f !== finalizer)
    return true
  }, signal)
}

/** Drops the references to `uids` from the live object's ownerReferences. */
// Upstream: pkg/controller/garbagecollector/patch.go (deleteOwnerRefJSONMergePatch).
export function removeOwnerReferences(client: Client, kind: KindRef, obj: Cached<KubeObject>, uids: Set<string>, signal?: AbortSignal) {
  return editOwnerReferences(client, kind, obj, (refs) => refs.filter((r) => !uids.has(r.uid)), signal)
}

/** Sets blockOwnerDeletion to false on every reference, so no owner waits on this object. */
// Upstream: pkg/controller/garbagecollector/patch.go (unblockOwnerReferencesJSONMergePatch).
export function unblockOwnerReferences(client: Client, kind: KindRef, obj: Cached<KubeObject>, signal?: AbortSignal) {
  return editOwnerReferences(client, kind, obj, (refs) => refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)), signal)
}

function editOwnerReferences(client: Client, kind: KindRef, obj: Cached<KubeObject>,
  edit: (refs: OwnerReference[]) => OwnerReference[], signal?: AbortSignal) {
  return updateLatest(client, kind, obj, (latest) => {
    const before = latest.metadata?.ownerReferences ?? []
    const after = edit(before)
    if (JSON.stringify(after) === JSON.stringify(before)) return false
    if (after.length) latest.metadata!.ownerReferences = after
    else delete latest.metadata!.ownerReferences
    return true
  }, signal)
}

/**
 * Deletes the object exactly as it was read (uid and resourceVersion preconditions), so a
 * dependent re-adopted after the collector looked is never deleted on stale grounds.
 */
// Upstream: pkg/controller/garbagecollector/operations.go (deleteObject).
export async function deleteExactly(client: Client, kind: KindRef, latest: KubeObject,
  propagationPolicy: 'Orphan' | 'Background' | 'Foreground', signal?: AbortSignal): Promise<void> {
  const { name = '', namespace, uid, resourceVersion } = latest.metadata ?? {}
  try {
    await client.delete(kind, name, namespace, { propagationPolicy, preconditions: { uid, resourceVersion }, signal })
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}

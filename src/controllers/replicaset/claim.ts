/**
 * @module
 * Claiming by controller reference: a controller keeps the objects it owns that its selector
 * still matches, adopts orphans the selector matches, and releases owned objects it no longer
 * matches. Without release, relabelling a pod out of a ReplicaSet would leave it counted.
 */
// Upstream: pkg/controller/controller_ref_manager.go (BaseControllerRefManager.ClaimObject,
// AdoptPod/ReleasePod, AdoptReplicaSet/ReleaseReplicaSet, RecheckDeletionTimestamp).
// Difference: the ownerReferences list travels in a JSON merge patch guarded by the object's
// resourceVersion, instead of a strategic merge patch guarded by its uid.
import { controllerOf, isInvalid, isNotFound, type Cached, type KubeObject, type LabelSelector } from '../../api/index.js'
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js'
import type { Client, KindRef } from '../../client/types.js'
import { controllerRef } from '../util/index.js'

export type ClaimOptions = {
  client: Client
  /** The claiming controller, with apiVersion and kind set. */
  owner: Cached<KubeObject>
  /** The kind of the objects claimed (Pod, ReplicaSet). */
  kind: KindRef
  selector: LabelSelector
  /** Rejects when the owner must not adopt (it is gone or being deleted); asked at most once. */
  canAdopt(): Promise<void>
}

/** The objects of `objs` that `o.owner` controls after adopting and releasing as needed. */
export async function claimObjects<T extends { readonly metadata?: Cached<ObjectMeta> }>(objs: readonly T[], o: ClaimOptions): Promise<T[]> {
  const claimed: T[] = []
  const errors: unknown[] = []
  let adoptable: Promise<void> | undefined
  const canAdopt = () => (adoptable ??= o.canAdopt())
  for (const obj of objs) {
    try {
      const result = await claimOne(obj as Cached<KubeObject>, o, canAdopt)
      // An adopted object comes back as the patch stored it, so later writes are not stale.
      if (result) claimed.push(result === true ? obj : (result as unknown as T))
    } catch (err) {
      errors.push(err)
    }
  }
  // Like upstream's aggregate error: the sync fails and retries, having claimed what it could.
  if (errors.length) throw errors[0]
  return claimed
}

/** False, true (kept as is) or the adopted object as stored. */
async function claimOne(obj: Cached<KubeObject>, o: ClaimOptions, canAdopt: () => Promise<void>): Promise<boolean | KubeObject> {
  const owner = o.owner.metadata!
  const matches = o.selector.matches(obj.metadata?.labels)
  const ref = controllerOf(obj)
  if (ref) {
    if (ref.uid !== owner.uid) return false
    if (matches) return true
    // An owner being deleted takes no actions, not even a release.
    if (owner.deletionTimestamp) return false
    await release(obj, o)
    return false
  }
  if (owner.deletionTimestamp || !matches || obj.metadata?.deletionTimestamp) return false
  if (owner.namespace && owner.namespace !== obj.metadata?.namespace) return false
  try {
    await canAdopt().catch((err) => {
      throw new Error(`can't adopt ${o.kind.kind} ${obj.metadata?.namespace}/${obj.metadata?.name} (${obj.metadata?.uid}): ${errorText(err)}`)
    })
    return await patchOwners(obj, o, [...(obj.metadata?.ownerReferences ?? []), controllerRef(o.owner)])
  } catch (err) {
    if (isNotFound(err)) return false
    throw err
  }
}

async function release(obj: Cached<KubeObject>, o: ClaimOptions) {
  const rest = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== o.owner.metadata?.uid)
  try {
    await patchOwners(obj, o, rest.length ? rest : null)
  } catch (err) {
    // Gone, or already recreated under another uid: either way there is nothing to release.
    if (isNotFound(err) || isInvalid(err)) return
    throw err
  }
}

function patchOwners(obj: Cached<KubeObject>, o: ClaimOptions, refs: unknown): Promise<KubeObject> {
  const m = obj.metadata ?? {}
  const patch = { metadata: { ownerReferences: refs, uid: m.uid, resourceVersion: m.resourceVersion } }
  return o.client.patch(o.kind, m.name ?? '', m.namespace, patch, { type: 'merge' })
}

/** Upstream's RecheckDeletionTimestamp over a fresh read of the owner. */
export function recheckDeletion(client: Client, owner: Cached<KubeObject>): () => Promise<void> {
  return async () => {
    const m = owner.metadata ?? {}
    let fresh: KubeObject
    try {
      fresh = await client.get({ apiVersion: owner.apiVersion!, kind: owner.kind! }, m.name ?? '', m.namespace)
      if (fresh.metadata?.uid !== m.uid) {
        throw new Error(`original ${owner.kind} ${m.namespace}/${m.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${m.uid}`)
      }
    } catch (err) {
      throw new Error(`can't recheck DeletionTimestamp: ${errorText(err)}`)
    }
    if (fresh.metadata?.deletionTimestamp) {
      throw new Error(`${m.namespace}/${m.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`)
    }
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))

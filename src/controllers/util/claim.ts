/**
 * @module
 * Claiming by controller reference: a controller keeps the objects it owns that its selector
 * still matches, adopts orphans the selector matches, and releases owned objects it no longer
 * matches. Without release, relabelling a pod out of a ReplicaSet would leave it counted.
 * Pods, ReplicaSets and ControllerRevisions are all claimed this way.
 */
// Upstream: pkg/controller/controller_ref_manager.go (BaseControllerRefManager.ClaimObject,
// Adopt*/Release*, RecheckDeletionTimestamp). Difference: the whole ownerReferences list
// travels in a JSON merge patch guarded by the object's uid and resourceVersion, instead of a
// strategic merge patch guarded by its uid; the effect is the same.
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js'
import { controllerOf, isInvalid, isNotFound, type Cached, type KubeObject, type LabelSelector } from '../../api/index.js'
import type { Client, KindRef } from '../../client/types.js'
import { controllerRef } from './owners.js'

/** Anything with metadata, fresh or cached. */
export type Claimable = { readonly metadata?: Cached<ObjectMeta> }

export type ClaimOptions<T extends Claimable = Claimable> = {
  client: Client
  /** The claiming controller, with apiVersion and kind set. */
  owner: Cached<KubeObject>
  /** The kind of the objects claimed (Pod, ReplicaSet, ControllerRevision). */
  kind: KindRef
  selector: LabelSelector
  /** Extra condition to own an object (StatefulSets: the pod's name is `<set>-<n>`). */
  filter?: (obj: T) => boolean
  /** Rejects when the owner must not adopt; asked at most once per pass. Default: a fresh read
   *  of the owner (upstream's RecheckDeletionTimestamp). */
  canAdopt?: () => Promise<void>
  signal?: AbortSignal
}

/**
 * The objects of `objs` that `o.owner` controls after adopting and releasing as needed. An
 * adopted object comes back as the patch stored it, so later writes are not stale. Throws
 * (after trying every object) if a patch failed, as upstream's aggregate error does.
 */
export async function claimObjects<T extends Claimable>(objs: readonly T[], o: ClaimOptions<T>): Promise<T[]> {
  const owner = o.owner.metadata!
  const matches = (obj: T) => o.selector.matches(obj.metadata?.labels) && (!o.filter || o.filter(obj))
  const claimed: T[] = []
  const errors: unknown[] = []
  let adoptable: Promise<void> | undefined
  for (const obj of objs) {
    const ref = controllerOf(obj as Cached<KubeObject>)
    try {
      if (ref) {
        if (ref.uid !== owner.uid) continue // someone else's
        if (matches(obj)) claimed.push(obj)
        // An owner being deleted takes no actions, not even a release: the GC decides.
        else if (!owner.deletionTimestamp) await release(obj, o)
        continue
      }
      if (owner.deletionTimestamp || !matches(obj) || obj.metadata?.deletionTimestamp) continue
      if (owner.namespace && owner.namespace !== obj.metadata?.namespace) continue
      adoptable ??= (o.canAdopt ?? recheckDeletion(o.client, o.owner, o.signal))()
      await adoptable.catch((err) => {
        throw new Error(`can't adopt ${o.kind.kind} ${obj.metadata?.namespace}/${obj.metadata?.name} (${obj.metadata?.uid}): ${errorText(err)}`)
      })
      const refs = [...(obj.metadata?.ownerReferences ?? []) as OwnerReference[], controllerRef(o.owner)]
      claimed.push(await patchOwners(obj, o, refs) as unknown as T)
    } catch (err) {
      if (!isNotFound(err)) errors.push(err)
    }
  }
  if (errors.length === 1) throw errors[0]
  if (errors.length) throw new AggregateError(errors, errors.map(errorText).join('; '))
  return claimed
}

async function release(obj: Claimable, o: ClaimOptions<never>) {
  const rest = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== o.owner.metadata?.uid) as OwnerReference[]
  try {
    await patchOwners(obj, o, rest.length ? rest : null)
  } catch (err) {
    // Gone, or already recreated under another uid: either way there is nothing to release.
    if (isNotFound(err) || isInvalid(err)) return
    throw err
  }
}

function patchOwners(obj: Claimable, o: ClaimOptions<never>, refs: OwnerReference[] | null): Promise<KubeObject> {
  const m = obj.metadata ?? {}
  const patch = { metadata: { ownerReferences: refs, uid: m.uid, resourceVersion: m.resourceVersion } }
  return o.client.patch(o.kind, m.name ?? '', m.namespace, patch, { type: 'merge', signal: o.signal })
}

/** Upstream's RecheckDeletionTimestamp over a fresh read of the owner. */
export function recheckDeletion(client: Client, owner: Cached<KubeObject>, signal?: AbortSignal): () => Promise<void> {
  return async () => {
    const m = owner.metadata ?? {}
    let fresh: KubeObject
    try {
      fresh = await client.get({ apiVersion: owner.apiVersion!, kind: owner.kind! }, m.name ?? '', m.namespace, { signal })
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

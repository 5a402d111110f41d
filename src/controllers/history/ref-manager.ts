/**
 * @module
 * Claiming: a controller adopts orphans its selector matches and releases objects it owns
 * that no longer match, so ownership follows labels the way `kubectl label` users expect.
 * Pods and ControllerRevisions are claimed the same way.
 */
// Upstream: pkg/controller/controller_ref_manager.go (BaseControllerRefManager.ClaimObject,
// AdoptPod/ReleasePod, AdoptControllerRevision/ReleaseControllerRevision) and
// RecheckDeletionTimestamp. Patches are JSON merge patches carrying the whole owner list
// (upstream sends strategic merge patches keyed by uid): the effect is the same.
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js'
import { isInvalid, isNotFound, type Cached, type KubeObject, type LabelSelector } from '../../api/index.js'
import type { Client, KindRef } from '../../client/types.js'
import { controllerRef } from '../util/index.js'

/** Anything with metadata, fresh or cached. */
export type Claimable = { readonly metadata?: Cached<ObjectMeta> }

export type ClaimOptions<T extends Claimable> = {
  client: Client
  /** The controller claiming (a StatefulSet, a DaemonSet). */
  owner: Cached<KubeObject>
  /** The kind of the claimed objects, for patches. */
  kind: KindRef
  selector: LabelSelector
  /** Extra condition to own an object (StatefulSets: the pod's name is `<set>-<n>`). */
  filter?: (obj: T) => boolean
  signal?: AbortSignal
}

/**
 * Returns the objects `owner` should manage, adopting matching orphans and releasing owned
 * objects that stopped matching. Throws (after trying every object) if a patch failed.
 */
export async function claimObjects<T extends Claimable>(objects: readonly T[], opts: ClaimOptions<T>): Promise<T[]> {
  const { owner, selector, filter } = opts
  const ownerUid = owner.metadata?.uid
  const ownerDeleting = !!owner.metadata?.deletionTimestamp
  const matches = (o: T) => selector.matches(o.metadata?.labels) && (!filter || filter(o))
  const claimed: T[] = []
  const errors: unknown[] = []
  let canAdopt: Promise<void> | undefined
  for (const obj of objects) {
    const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true)
    try {
      if (ref) {
        if (ref.uid !== ownerUid) continue // someone else's
        if (matches(obj)) claimed.push(obj)
        // A controller being deleted keeps what it has: the garbage collector decides.
        else if (!ownerDeleting) await release(obj, opts)
        continue
      }
      if (ownerDeleting || !matches(obj) || obj.metadata?.deletionTimestamp) continue
      if (owner.metadata?.namespace && owner.metadata.namespace !== obj.metadata?.namespace) continue
      // One fresh read per claim pass: adopting for a controller that is already being
      // deleted would keep its orphans alive under a dead owner.
      canAdopt ??= recheckDeletion(opts)
      await canAdopt
      await adopt(obj, opts)
      claimed.push(obj)
    } catch (err) {
      if (!isNotFound(err)) errors.push(err)
    }
  }
  if (errors.length === 1) throw errors[0]
  if (errors.length) throw new AggregateError(errors, errors.map(String).join('; '))
  return claimed
}

async function recheckDeletion(opts: ClaimOptions<never>): Promise<void> {
  const { owner, client } = opts
  const kind = { apiVersion: owner.apiVersion!, kind: owner.kind! }
  const fresh = await client.get(kind, owner.metadata!.name!, owner.metadata?.namespace, { signal: opts.signal })
  if (fresh.metadata?.uid !== owner.metadata?.uid) {
    throw new Error(`original ${owner.kind} ${owner.metadata?.namespace}/${owner.metadata?.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${owner.metadata?.uid}`)
  }
  if (fresh.metadata?.deletionTimestamp) {
    throw new Error(`${owner.metadata?.namespace}/${owner.metadata?.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`)
  }
}

function adopt(obj: Claimable, opts: ClaimOptions<never>) {
  const refs = [...(obj.metadata?.ownerReferences ?? []) as OwnerReference[], controllerRef(opts.owner)]
  return patchRefs(obj, refs, opts)
}

async function release(obj: Claimable, opts: ClaimOptions<never>) {
  const refs = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== opts.owner.metadata?.uid) as OwnerReference[]
  try {
    await patchRefs(obj, refs, opts)
  } catch (err) {
    // Gone or recreated under another uid: there is nothing of ours left to release.
    if (!isInvalid(err)) throw err
  }
}

function patchRefs(obj: Claimable, refs: OwnerReference[], opts: ClaimOptions<never>) {
  // The uid pins the patch to this incarnation of the object, as upstream's patches do.
  const patch = { metadata: { ownerReferences: refs.length ? refs : null, uid: obj.metadata?.uid } }
  return opts.client.patch(opts.kind, obj.metadata!.name!, obj.metadata?.namespace, patch, { type: 'merge', signal: opts.signal })
}

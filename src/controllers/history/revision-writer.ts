/**
 * @module
 * The writes a controller makes to its history: create a revision (renaming on a hash
 * collision), renumber one (a rollback to an earlier template), delete one, and list the
 * revisions a parent owns or could adopt.
 */
// Upstream: pkg/controller/history/controller_history.go (realHistory).
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js'
import { copy, isAlreadyExists, isConflict, semanticEqual, type Cached, type KubeObject, type LabelSelector } from '../../api/index.js'
import type { Client, Informer } from '../../client/types.js'
import { controllerRevisionName, hashControllerRevision } from './controller-history.js'

const KIND = { apiVersion: 'apps/v1', kind: 'ControllerRevision' }
const CONFLICT_RETRIES = 5

/** Revisions in `parent`'s namespace matching `selector`, owned by `parent` or by no controller. */
export function listControllerRevisions(revisions: Informer<ControllerRevision>, parent: Cached<KubeObject>,
  selector: LabelSelector): Cached<ControllerRevision>[] {
  return revisions.list(parent.metadata?.namespace).filter((r) => {
    if (!selector.matches(r.metadata?.labels)) return false
    const ref = r.metadata?.ownerReferences?.find((o) => o.controller === true)
    return !ref || ref.uid === parent.metadata?.uid
  })
}

/**
 * Creates `revision` for `parent`. When its name is taken by different data, bumps the
 * collision count and retries under a new name; identical data already there is reused.
 * Returns the revision and the collision count to record in the parent's status.
 */
export async function createControllerRevision(client: Client, parent: Cached<KubeObject>, revision: ControllerRevision,
  collisionCount: number, signal?: AbortSignal): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  const clone = copy(revision) as ControllerRevision
  clone.metadata = { ...clone.metadata, namespace: parent.metadata?.namespace }
  for (;;) {
    clone.metadata!.name = controllerRevisionName(parent.metadata?.name ?? '', hashControllerRevision(revision.data, collisionCount))
    try {
      return { revision: await client.create(clone, { signal }), collisionCount }
    } catch (err) {
      if (!isAlreadyExists(err)) throw err
      const exists = await client.get<ControllerRevision>(KIND, clone.metadata!.name!, clone.metadata?.namespace, { signal })
      if (semanticEqual(exists.data, clone.data)) return { revision: exists, collisionCount }
      collisionCount++
    }
  }
}

/** Sets `revision`'s number to `newRevision`, re-reading it on conflicts. */
export async function updateControllerRevision(client: Client, revision: Cached<ControllerRevision>, newRevision: number,
  signal?: AbortSignal): Promise<ControllerRevision> {
  let clone = copy(revision) as ControllerRevision
  for (let attempt = 0; ; attempt++) {
    if (clone.revision === newRevision) return clone
    clone.revision = newRevision
    try {
      return await client.update(clone, { signal })
    } catch (err) {
      if (!isConflict(err) || attempt >= CONFLICT_RETRIES) throw err
      clone = await client.get<ControllerRevision>(KIND, clone.metadata!.name!, clone.metadata?.namespace, { signal })
    }
  }
}

/** Deletes one revision. */
export async function deleteControllerRevision(client: Client, revision: Cached<ControllerRevision>, signal?: AbortSignal): Promise<void> {
  await client.delete(KIND, revision.metadata!.name!, revision.metadata?.namespace, { signal })
}

/**
 * @module
 * A StatefulSet's history: the current revision (what most pods run), the update revision
 * (the set's template now), rollbacks that renumber an earlier revision instead of copying
 * it, and the trimming of old revisions to revisionHistoryLimit.
 */
// Upstream: pkg/controller/statefulset/stateful_set_control.go (getStatefulSetRevisions,
// truncateHistory) and stateful_set_utils.go (newRevision, ApplyRevision, nextRevision).
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js'
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { copy, type Cached } from '../../api/index.js'
import type { Client } from '../../client/types.js'
import {
  createControllerRevision, deleteControllerRevision, findEqualRevisions, newControllerRevision, templateOfRevision,
  templatePatch, updateControllerRevision,
  equalRevision,
} from '../history/index.js'
import { podRevision, type Sts } from './identity.js'

type Revision = Cached<ControllerRevision>

/** A revision recording `set`'s template, numbered `revision`. */
export function newRevision(set: Sts, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision(set, set.spec?.template?.metadata?.labels, templatePatch(set.spec?.template), revision, collisionCount)
  cr.metadata!.annotations = { ...set.metadata?.annotations }
  return cr
}

/** `set` as it was at `revision`: its template swapped for the recorded one. */
export function applyRevision(set: Sts, revision: Revision): Sts {
  const clone = copy(set) as StatefulSet
  const template = templateOfRevision(revision)
  if (template) clone.spec = { ...clone.spec!, template: copy(template) as PodTemplateSpec }
  return clone as Sts
}

/** One more than the newest revision's number (1 for the first). `revisions` must be sorted. */
export const nextRevision = (revisions: readonly Revision[]) => (revisions.length ? revisions[revisions.length - 1]!.revision + 1 : 1)

/**
 * The current and update revisions of `set`, creating the update revision, or renumbering an
 * equal older one (a rollback), when the template changed. `revisions` must be sorted.
 */
export async function statefulSetRevisions(client: Client, set: Sts, revisions: readonly Revision[], signal?: AbortSignal):
  Promise<{ current: Revision; update: Revision; collisionCount: number }> {
  let collisionCount = set.status?.collisionCount ?? 0
  const candidate = newRevision(set, nextRevision(revisions), collisionCount)
  const equal = findEqualRevisions(revisions, candidate)
  const last = revisions[revisions.length - 1]
  let update: Revision
  if (equal.length && equalRevision(last, equal[equal.length - 1])) {
    update = last! // the template has not changed since the newest revision
  } else if (equal.length) {
    update = await updateControllerRevision(client, equal[equal.length - 1]!, candidate.revision, signal)
  } else {
    const made = await createControllerRevision(client, set, candidate, collisionCount, signal)
    update = made.revision
    collisionCount = made.collisionCount
  }
  const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update
  return { current, update, collisionCount }
}

/**
 * Deletes the oldest revisions that no pod, nor the current or update revision, uses, until
 * at most revisionHistoryLimit of them remain. `revisions` must be sorted.
 */
export async function truncateHistory(client: Client, set: Sts, pods: readonly Cached<Pod>[], revisions: readonly Revision[],
  current: Revision | undefined, update: Revision | undefined, signal?: AbortSignal): Promise<void> {
  const live = new Set<string>(pods.map(podRevision))
  if (current?.metadata?.name) live.add(current.metadata.name)
  if (update?.metadata?.name) live.add(update.metadata.name)
  const history = revisions.filter((r) => !live.has(r.metadata?.name ?? ''))
  const limit = set.spec?.revisionHistoryLimit ?? 10
  if (limit < 0 || history.length <= limit) return
  for (const r of history.slice(0, history.length - limit)) await deleteControllerRevision(client, r, signal)
}

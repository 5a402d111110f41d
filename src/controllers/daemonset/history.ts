/**
 * @module
 * A DaemonSet's ControllerRevisions: one per template, named `<ds>-<hash>` and labelled with
 * `controller-revision-hash`, which new pods carry too so a rolling update can tell old pods
 * from new. The current revision is renumbered to the newest on a rollback; old ones beyond
 * revisionHistoryLimit that no pod uses are deleted.
 */
// Upstream: pkg/controller/daemon/update.go (constructHistory, cleanupHistory, maxRevision,
// dedupCurHistories, controlledHistories, Match, getPatch, snapshot) and
// pkg/controller/daemon/util/daemonset_util.go (GetTemplateGeneration, IsPodUpdated).
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { copy, isAlreadyExists, semanticEqual, type Cached, type KubeObject, type LabelSelector } from '../../api/index.js'
import type { Client, Informer } from '../../client/types.js'
import { templatePatch } from '../history/index.js'
import { claimObjects } from '../util/index.js'
import { computeHash, controllerRef } from '../util/index.js'

export const DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY = 'controller-revision-hash'
export const DAEMONSET_TEMPLATE_GENERATION_KEY = 'pod-template-generation'
const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation'
const REVISION = { apiVersion: 'apps/v1', kind: 'ControllerRevision' }
const DS = { apiVersion: 'apps/v1', kind: 'DaemonSet' }
const POD = { apiVersion: 'v1', kind: 'Pod' }

type Ds = Cached<DaemonSet>
type Revision = Cached<ControllerRevision>

/** The template generation the API server keeps in an annotation; undefined if absent or garbled. */
export function templateGeneration(ds: Ds): number | undefined {
  const v = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION]
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined
}

/** Whether `pod` runs the DaemonSet's current template (by hash, or by the older generation label). */
export function isPodUpdated(pod: Cached<Pod>, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {}
  return (!!hash && labels[DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY] === hash) ||
    (generation !== undefined && labels[DAEMONSET_TEMPLATE_GENERATION_KEY] === String(generation))
}

/** Whether `revision` records the DaemonSet's template as it is now. */
export const matchesTemplate = (ds: Ds, revision: Revision) => semanticEqual(templatePatch(ds.spec?.template), revision.data)

export type HistoryDeps = { client: Client; revisions: Informer<ControllerRevision>; signal?: AbortSignal }

/**
 * The revision of the DaemonSet's current template (created or renumbered as needed) and the
 * older ones. Revisions are claimed by selector first, as pods are.
 */
export async function constructHistory(deps: HistoryDeps, ds: Ds, selector: LabelSelector, pods: readonly Cached<Pod>[]):
  Promise<{ cur: Revision; old: Revision[] }> {
  const { client, signal } = deps
  const histories = await claimObjects(deps.revisions.list(ds.metadata?.namespace), { client, owner: ds, kind: REVISION, selector, signal })
  const current: Revision[] = []
  const old: Revision[] = []
  for (let h of histories) {
    // Revisions from before the label existed get their name as hash: no collision to fear.
    if (!h.metadata?.labels?.[DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY]) {
      const labelled = copy(h) as ControllerRevision
      labelled.metadata!.labels = { ...labelled.metadata!.labels, [DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY]: labelled.metadata!.name! }
      h = await client.update(labelled, { signal })
    }
    ;(matchesTemplate(ds, h) ? current : old).push(h)
  }
  const next = Math.max(0, ...old.map((h) => h.revision)) + 1
  if (!current.length) return { cur: await snapshot(client, ds, next, signal), old }
  const cur = await dedupCurrent(client, ds, current, pods, signal)
  if (cur.revision < next) await client.update({ ...copy(cur), revision: next } as ControllerRevision, { signal })
  return { cur, old }
}

/** Keeps the newest of several revisions of the same template, relabelling pods to it. */
async function dedupCurrent(client: Client, ds: Ds, current: Revision[], pods: readonly Cached<Pod>[], signal?: AbortSignal): Promise<Revision> {
  if (current.length === 1) return current[0]!
  const keep = current.reduce((a, b) => (b.revision >= a.revision ? b : a))
  const hash = keep.metadata?.labels?.[DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY]
  for (const pod of pods) {
    if (pod.metadata?.labels?.[DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY] === hash) continue
    await client.patch(POD, pod.metadata!.name!, pod.metadata?.namespace, { metadata: { labels: { [DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY]: hash } } }, { type: 'merge', signal })
  }
  for (const h of current) {
    if (h.metadata?.name !== keep.metadata?.name) await client.delete(REVISION, h.metadata!.name!, h.metadata?.namespace, { signal })
  }
  return keep
}

/**
 * Records the template as revision `revision`. A name taken by another template bumps
 * status.collisionCount and fails, so the retry hashes to a new name.
 */
async function snapshot(client: Client, ds: Ds, revision: number, signal?: AbortSignal): Promise<ControllerRevision> {
  const hash = computeHash(ds.spec?.template, ds.status?.collisionCount)
  const history: ControllerRevision = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata?.name}-${hash}`, namespace: ds.metadata?.namespace,
      labels: { ...ds.spec?.template?.metadata?.labels, [DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY]: hash },
      ...(ds.metadata?.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [controllerRef(ds as Cached<KubeObject>)],
    },
    data: templatePatch(ds.spec?.template), revision,
  }
  try {
    return await client.create(history, { signal })
  } catch (err) {
    if (!isAlreadyExists(err)) throw err
    const existing = await client.get<ControllerRevision>(REVISION, history.metadata!.name!, ds.metadata?.namespace, { signal })
    if (matchesTemplate(ds, existing)) return existing
    const fresh = await client.get<DaemonSet & KubeObject>(DS, ds.metadata!.name!, ds.metadata?.namespace, { signal })
    // A stale count in our cache would bump it twice; wait for the cache instead.
    if ((fresh.status?.collisionCount ?? undefined) !== (ds.status?.collisionCount ?? undefined)) {
      throw new Error(`found a stale collision count (${ds.status?.collisionCount}, expected ${fresh.status?.collisionCount}) of DaemonSet "${ds.metadata?.name}" while processing; will retry until it is updated`)
    }
    await client.updateStatus({ ...fresh, status: { ...fresh.status!, collisionCount: (fresh.status?.collisionCount ?? 0) + 1 } }, { signal })
    throw err
  }
}

/** Deletes the oldest revisions no pod uses until at most revisionHistoryLimit old ones remain. */
export async function cleanupHistory(client: Client, ds: Ds, old: readonly Revision[], pods: readonly Cached<Pod>[], signal?: AbortSignal): Promise<void> {
  let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10)
  if (toKill <= 0) return
  const live = new Set(pods.map((p) => p.metadata?.labels?.[DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY]).filter(Boolean))
  for (const h of [...old].sort((a, b) => a.revision - b.revision)) {
    if (toKill <= 0) break
    if (live.has(h.metadata?.labels?.[DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY])) continue
    await client.delete(REVISION, h.metadata!.name!, h.metadata?.namespace, { signal })
    toKill--
  }
}

/**
 * @module
 * ControllerRevisions: the snapshots of a template that StatefulSets and DaemonSets keep so a
 * rolling update knows which pods are current and `kubectl rollout undo` has something to
 * return to. Naming, hashing, ordering and equality here; the API writes in `revisionWriter`.
 */
// Upstream: pkg/controller/history/controller_history.go (ControllerRevisionName,
// NewControllerRevision, HashControllerRevision, SortControllerRevisions, EqualRevision,
// FindEqualRevisions). Upstream hashes the revision's raw JSON bytes; we hash canonical JSON,
// so names differ from upstream's but are as stable.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js'
import { semanticEqual, type Cached, type KubeObject } from '../../api/index.js'
import { controllerRef } from '../util/index.js'

/** The label holding the hash of a revision's data. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash'

/** What a revision records: a strategic merge patch that restores the template. */
export type RevisionData = { spec: { template: Record<string, unknown> } }

type Revision = Cached<ControllerRevision>

/** `<prefix>-<hash>`, the prefix cut to 223 bytes so the name stays within 253. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`
}

/** JSON with sorted keys, so equal data always hashes the same. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null'
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  const o = v as Record<string, unknown>
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
}

// Digits mapped into the alphabet without vowels, as apimachinery's rand.SafeEncodeString.
const SAFE = 'bcdfghjklmnpqrstvwxz2456789'
const safeEncode = (s: string) => [...s].map((ch) => SAFE[ch.charCodeAt(0) % SAFE.length]).join('')

/** FNV-32 (not 1a, as Go's fnv.New32) of the data, then of the probe written in decimal. */
export function hashControllerRevision(data: unknown, probe?: number): string {
  let h = 0x811c9dc5
  const feed = (s: string) => {
    for (const b of Buffer.from(s, 'utf8')) h = (Math.imul(h, 0x01000193) ^ b) >>> 0
  }
  feed(canonicalJson(data))
  if (probe !== undefined) feed(String(probe))
  return safeEncode(String(h >>> 0))
}

/**
 * A revision of `parent` holding `data`, labelled with the template's labels and the data's
 * hash, named `<parent>-<hash>`; `collisionCount` perturbs the hash after a name clash.
 */
export function newControllerRevision(parent: Cached<KubeObject>, templateLabels: Readonly<Record<string, string>> | undefined,
  data: RevisionData, revision: number, collisionCount?: number): ControllerRevision {
  const hash = hashControllerRevision(data, collisionCount)
  return {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(parent.metadata?.name ?? '', hash),
      namespace: parent.metadata?.namespace,
      labels: { ...templateLabels, [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [controllerRef(parent)],
    },
    data, revision,
  }
}

const created = (r: Revision) => Date.parse(r.metadata?.creationTimestamp ?? '') || 0

/** Oldest first: by revision number, then creation time, then name. */
export function sortControllerRevisions<R extends Revision>(revisions: readonly R[]): R[] {
  return [...revisions].sort((a, b) =>
    a.revision !== b.revision ? a.revision - b.revision
      : created(a) !== created(b) ? created(a) - created(b)
        : (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0)
}

/** Whether two revisions hold the same data. Hash labels are not compared: a revision made
 *  after a name collision carries a different hash for the same data. */
export function equalRevision(a: Revision | undefined, b: Revision | undefined): boolean {
  if (!a || !b) return a === b
  return semanticEqual(a.data, b.data)
}

/** The revisions equal to `needle`, in their original order. */
export function findEqualRevisions<R extends Revision>(revisions: readonly R[], needle: Revision): R[] {
  return revisions.filter((r) => equalRevision(r, needle))
}

/** The patch a revision records for a workload: its pod template, replacing whatever is there. */
export function templatePatch(template: unknown): RevisionData {
  return { spec: { template: { ...(template as Record<string, unknown>), $patch: 'replace' } } }
}

/** The pod template a revision recorded (without the `$patch` directive). */
export function templateOfRevision(revision: Revision): Record<string, unknown> | undefined {
  const t = (revision.data as Cached<RevisionData> | undefined)?.spec?.template
  if (!t) return undefined
  const { $patch: _, ...rest } = t as Record<string, unknown>
  return rest
}

/**
 * @module
 * What the garbage collector watches and how it names things: the built-in kinds that own
 * or are owned, the queue keys (`apiVersion|Kind|namespace/name`, so one queue carries every
 * kind), and the mapping from an ownerReference to the kind that serves it.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import { parseApiVersion, type Cached, type KubeObject } from '../../api/index.js'
import { resourceFor, type KindRef } from '../../client/index.js'

/** The finalizer that asks the collector to strip the owner's references from its dependents. */
export const ORPHAN_FINALIZER = 'orphan'
/** The finalizer that keeps an owner until its blocking dependents are gone. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion'

/**
 * Every built-in kind that is commonly an owner or a dependent. Events are left out, as the
 * brief allows: they carry no owner references and are the bulk of all objects.
 */
// Upstream watches every deletable resource through metadata-only informers
// (GetDeletableResources); our informers hold whole objects, so the list is chosen.
export const GC_KINDS: readonly KindRef[] = [
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'v1', kind: 'ReplicationController' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'Endpoints' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  { apiVersion: 'v1', kind: 'PersistentVolume' },
  { apiVersion: 'v1', kind: 'PodTemplate' },
  { apiVersion: 'v1', kind: 'Node' },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'apps/v1', kind: 'ControllerRevision' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
]

/** A kind the API serves, with its scope. */
export type ServedKind = KindRef & { namespaced: boolean }

export const kindId = (k: KindRef) => `${k.apiVersion}|${k.kind}`

/** The queue key of one object of `kind`. */
export function itemKey(kind: KindRef, namespace: string | undefined, name: string): string {
  return `${kindId(kind)}|${namespace ? `${namespace}/` : ''}${name}`
}

/** The parts of an `itemKey`; `cacheKey` is what the kind's informer is keyed by. */
export function parseItemKey(key: string): { kind: KindRef; cacheKey: string } | undefined {
  const [apiVersion, kind, cacheKey] = key.split('|')
  if (!apiVersion || !kind || cacheKey === undefined) return undefined
  return { kind: { apiVersion, kind }, cacheKey }
}

export const cacheKeyOf = (namespace: string | undefined, name: string) => (namespace ? `${namespace}/${name}` : name)

/**
 * The served kind an ownerReference names. Matched by group and kind first, so a reference
 * written with an older version (extensions/v1beta1 ReplicaSet) still finds its owner.
 * Undefined for a kind no built-in group serves (custom resources): the collector then
 * cannot prove the owner absent and leaves the dependent alone.
 */
export function servedKindResolver(watched: readonly KindRef[]) {
  const byGroupKind = new Map<string, KindRef>()
  for (const k of watched) byGroupKind.set(`${parseApiVersion(k.apiVersion).group}/${k.kind}`, k)
  const memo = new Map<string, ServedKind | undefined>()
  return function resolve(ref: Cached<Pick<OwnerReference, 'apiVersion' | 'kind'>>): ServedKind | undefined {
    const id = `${ref.apiVersion}|${ref.kind}`
    if (memo.has(id)) return memo.get(id)
    const candidate = byGroupKind.get(`${parseApiVersion(ref.apiVersion).group}/${ref.kind}`) ?? { apiVersion: ref.apiVersion, kind: ref.kind }
    let served: ServedKind | undefined
    try {
      served = { ...candidate, namespaced: resourceFor(candidate).namespaced }
    } catch {
      served = undefined
    }
    memo.set(id, served)
    return served
  }
}

export const hasFinalizer = (obj: Cached<KubeObject>, f: string) => obj.metadata?.finalizers?.includes(f) ?? false

/** Being deleted, and waiting for the collector to delete its dependents first. */
export const isDeletingDependents = (obj: Cached<KubeObject>) =>
  !!obj.metadata?.deletionTimestamp && hasFinalizer(obj, FOREGROUND_FINALIZER)

/** An object as an event's involvedObject: informer copies may lack apiVersion and kind. */
export const asRef = (kind: KindRef, obj: Cached<KubeObject>): Cached<KubeObject> =>
  ({ apiVersion: kind.apiVersion, kind: kind.kind, metadata: obj.metadata })

/**
 * @module
 * Plain-object helpers for anything with metadata. Objects handed out by caches are shared:
 * `Cached<T>` makes "don't mutate" a compile error, `copy` is the sanctioned way out.
 */
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js'

export type Cached<T> = T extends object ? { readonly [K in keyof T]: Cached<T[K]> } : T
export type Editable<T> = T extends object ? { -readonly [K in keyof T]: Editable<T[K]> } : T

/** Any Kubernetes object as it travels in JSON. Its metadata is editable: kubernetes-types marks
 *  the server-set fields (uid, resourceVersion, ...) readonly, and the server is who sets them. */
export type KubeObject = { apiVersion?: string; kind?: string; metadata?: Editable<ObjectMeta>; [field: string]: unknown }

/** "namespace/name", or "name" when cluster-scoped. What work queues carry. */
export type ObjectKey = string & { readonly __brand: 'ObjectKey' }

export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): ObjectKey {
  const { namespace, name = '' } = obj.metadata ?? {}
  return (namespace ? `${namespace}/${name}` : name) as ObjectKey
}

export function controllerOf(obj: Cached<KubeObject>): Cached<OwnerReference> | undefined {
  return obj.metadata?.ownerReferences?.find((ref) => ref.controller === true)
}

/** The one sanctioned way to get an editable object out of a cache. */
export const copy = <T>(obj: T): Editable<T> => structuredClone(obj) as Editable<T>

/** Deep equality over JSON values, with upstream's "semantic" rule that a missing field, null
 *  and an empty map or list are the same (so `{}` spec defaults do not look like changes). */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  const emptyA = isEmpty(a)
  const emptyB = isEmpty(b)
  if (emptyA || emptyB) return emptyA && emptyB
  if (typeof a !== typeof b || typeof a !== 'object') return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    return a.length === bb.length && a.every((v, i) => semanticEqual(v, bb[i]))
  }
  const ao = a as Record<string, unknown>
  const bo = b as Record<string, unknown>
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)])
  for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false
  return true
}
const isEmpty = (v: unknown) =>
  v === undefined || v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0)

/** `apps/v1` → `{group:'apps', version:'v1'}`; `v1` → `{group:'', version:'v1'}`. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/')
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) }
}
export const apiVersionOf = (group: string, version: string) => (group ? `${group}/${version}` : version)

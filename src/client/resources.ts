/**
 * @module
 * Kind → resource mapping for the built-in kinds (what client-go's RESTMapper answers from
 * discovery). Built once from the table of built-in kinds.
 */
import { parseApiVersion } from '../api/index.js'
import { BUILTIN_KINDS } from './builtin-kinds.js'
import type { KindRef, ResourceRef } from './types.js'

let table: Map<string, ResourceRef> | undefined

/** The resource serving `kind`; throws for a kind no built-in group serves. */
export function resourceFor(kind: KindRef): ResourceRef {
  table ??= new Map(BUILTIN_KINDS.map(([apiVersion, kind, resource, namespaced]) => {
    const { group, version } = parseApiVersion(apiVersion)
    return [`${apiVersion}/${kind}`, { group, version, resource, namespaced, kind }]
  }))
  const ref = table.get(`${kind.apiVersion}/${kind.kind}`)
  if (!ref) throw new Error(`no resource serves ${kind.kind} in ${kind.apiVersion}`)
  return ref
}

/** `/api/v1/namespaces/ns/pods/name/status` and friends. */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  const { group, version } = ref
  let p = group ? `/apis/${group}/${version}` : `/api/${version}`
  if (ref.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`
  p += `/${ref.resource}`
  if (name !== undefined) p += `/${encodeURIComponent(name)}`
  if (subresource) p += `/${subresource}`
  return p
}

export const kindOf = (obj: { apiVersion?: string; kind?: string }): KindRef => {
  if (!obj.apiVersion || !obj.kind) throw new Error('object has no apiVersion and kind')
  return { apiVersion: obj.apiVersion, kind: obj.kind }
}

export const groupOf = (apiVersion: string) => parseApiVersion(apiVersion).group

/**
 * @module
 * Label and field selectors applied to objects, with the selectable fields every kind has
 * (metadata.name, metadata.namespace) plus the registry entry's own.
 */
import { badRequest, parseFieldSelector, parseLabelSelector, type KubeObject } from '../api/index.js'
import type { ResourceType } from '../registry/types.js'

export type ObjectFilter = { matches(obj: KubeObject): boolean; empty: boolean }

export function objectFields(rt: ResourceType, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' }
  if (rt.namespaced) fields['metadata.namespace'] = obj.metadata?.namespace ?? ''
  return rt.selectableFields ? { ...fields, ...rt.selectableFields(obj) } : fields
}

export function objectFilter(rt: ResourceType, query: URLSearchParams): ObjectFilter {
  const labels = parseLabelSelector(query.get('labelSelector') ?? '')
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '')
  if (!fields.empty) {
    // Reject fields the kind cannot select on, as upstream does, instead of matching nothing.
    const known = new Set(['metadata.name', 'metadata.namespace', ...knownFields(rt)])
    for (const r of fields.requirements) {
      if (!known.has(r.field)) throw badRequest(`field label not supported: ${r.field}`)
    }
  }
  if (labels.empty && fields.empty) return { empty: true, matches: () => true }
  return {
    empty: false,
    matches(obj) {
      if (!labels.empty && !labels.matches(obj.metadata?.labels)) return false
      return fields.empty || fields.matches(objectFields(rt, obj))
    },
  }
}

const knownCache = new WeakMap<ResourceType, string[]>()
/** Selectable field names of a kind, found by asking its function about an empty object. */
function knownFields(rt: ResourceType): string[] {
  let names = knownCache.get(rt)
  if (!names) {
    try {
      names = Object.keys(rt.selectableFields?.({ metadata: {} }) ?? {})
    } catch {
      names = []
    }
    knownCache.set(rt, names)
  }
  return names
}

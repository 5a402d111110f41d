/**
 * @module
 * The schema model: one description per Kubernetes type (field names, types, required fields,
 * patch strategies and merge keys). It is the single source for strict field validation,
 * strategic merge patch, and the OpenAPI documents, so the three always agree.
 */

export type Primitive = 'string' | 'integer' | 'number' | 'boolean'

export type TypeRef =
  | { kind: 'primitive'; type: Primitive; format?: string }
  /** A named type in the schema table, e.g. 'io.k8s.api.core.v1.PodSpec'. */
  | { kind: 'ref'; name: string }
  | { kind: 'array'; items: TypeRef }
  /** A JSON object with arbitrary keys, e.g. labels (values: string). */
  | { kind: 'map'; values: TypeRef }
  /** Anything (RawExtension, JSON, FieldsV1): never checked for unknown fields. */
  | { kind: 'any' }

export type FieldSchema = {
  /** JSON name. */
  name: string
  type: TypeRef
  required?: boolean
  description?: string
  /** Upstream's x-kubernetes-patch-strategy: 'merge', 'retainKeys', 'merge,retainKeys', 'replace'. */
  patchStrategy?: string
  /** Upstream's x-kubernetes-patch-merge-key, e.g. 'name' for containers. */
  patchMergeKey?: string
  /** x-kubernetes-list-type / list-map-keys, for server-side apply later. */
  listType?: 'atomic' | 'set' | 'map'
  listMapKeys?: string[]
}

export type TypeSchema = {
  /** Fully qualified, as upstream's OpenAPI names it: 'io.k8s.api.apps.v1.Deployment'. */
  name: string
  description?: string
  /** Object types list their fields. Special scalars (Quantity, IntOrString, Time) have `scalar`. */
  fields?: FieldSchema[]
  /** A type that is a scalar on the wire: Quantity and IntOrString (string|int), Time (date-time string). */
  scalar?: { type: Primitive | 'int-or-string'; format?: string }
  /** For top-level kinds: x-kubernetes-group-version-kind. */
  gvk?: { group: string; version: string; kind: string }[]
}

/** Looks up a type by its fully qualified name. */
export type SchemaLookup = (name: string) => TypeSchema | undefined

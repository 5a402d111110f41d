/**
 * @module
 * Strategic-merge metadata read from the schema model: for a field of a type, its own type,
 * its patch strategies and its merge key. Anything the model does not describe comes back as
 * "unknown", which the merge treats as plain merge-patch (maps merge, lists are replaced).
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/meta.go (LookupPatchMeta,
// PatchMetaFromStruct), types.go (extractRetainKeysPatchStrategy in patch.go).
import type { SchemaLookup, TypeRef } from '../schema/types.js'
import { plainError } from './errors.js'

/** Where in the schema a value sits; undefined when the schema says nothing about it. */
export type Shape = TypeRef | undefined
export type FieldMeta = {
  shape: Shape
  /** The strategy other than retainKeys: 'merge', 'replace' or ''. */
  strategy: string
  mergeKey: string
}

const UNKNOWN: FieldMeta = { shape: undefined, strategy: '', mergeKey: '' }

// A field's x-kubernetes-patch-strategy may pair retainKeys with one other strategy.
function otherStrategy(spec: string | undefined): string {
  const parts = spec ? spec.split(',') : []
  if (parts.length === 0) return ''
  if (parts.length === 1) return parts[0] === 'retainKeys' ? '' : parts[0]!
  if (parts.length === 2 && parts[0] === 'retainKeys') return parts[1]!
  if (parts.length === 2 && parts[1] === 'retainKeys') return parts[0]!
  throw plainError(`unexpected patch strategy: [${parts.join(' ')}]`)
}

/** Metadata for `key` inside a value of `shape`. */
export function fieldMeta(shape: Shape, key: string, lookup: SchemaLookup): FieldMeta {
  if (!shape) return UNKNOWN
  if (shape.kind === 'map') return { shape: shape.values, strategy: '', mergeKey: '' }
  if (shape.kind !== 'ref') return UNKNOWN
  const field = lookup(shape.name)?.fields?.find((f) => f.name === key)
  if (!field) return UNKNOWN
  return { shape: field.type, strategy: otherStrategy(field.patchStrategy), mergeKey: field.patchMergeKey ?? '' }
}

/** Metadata for the list `key` inside a value of `shape`; `shape` of the result is the element's. */
export function listMeta(shape: Shape, key: string, lookup: SchemaLookup): FieldMeta {
  const meta = fieldMeta(shape, key, lookup)
  return { ...meta, shape: meta.shape?.kind === 'array' ? meta.shape.items : undefined }
}

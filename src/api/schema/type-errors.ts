/**
 * @module
 * Type checking of a decoded body against the schema: the first value whose JSON type its
 * field cannot hold, worded as upstream's JSON decoder words it, e.g.
 * `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
 * Upstream refuses such bodies whatever fieldValidation says; storing them would hand clients
 * objects they cannot decode.
 */
// Upstream: sigs.k8s.io/json, Kubernetes' fork of encoding/json (UnmarshalTypeError.Error):
// the struct holding the field, the field's dotted JSON path from the root without indexes,
// and the Go type; a number that does not fit an integer type is "number <value>".
import { lookupSchema } from './table.js'
import type { TypeRef, TypeSchema } from './types.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const jsonKind = (v: unknown) =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v

/** `io.k8s.api.apps.v1.DeploymentSpec` → `v1.DeploymentSpec`, as Go prints the type. */
const goTypeName = (name: string) => name.split('.').slice(-2).join('.')
const structName = (name: string) => name.split('.').pop()!

function goType(type: TypeRef): string {
  switch (type.kind) {
    case 'primitive':
      if (type.type === 'string') return 'string'
      if (type.type === 'boolean') return 'bool'
      if (type.type === 'number') return 'float64'
      return type.format === 'int64' ? 'int64' : 'int32'
    case 'ref': return goTypeName(type.name)
    case 'array': return `[]${goType(type.items)}`
    case 'map': return `map[string]${goType(type.values)}`
    default: return 'interface {}'
  }
}

const INT32 = 2 ** 31

/** Why `value` does not fit `type` (Go's words for the value), or undefined when it does. */
function mismatch(value: unknown, type: TypeRef): string | undefined {
  if (value === null || value === undefined) return undefined // null leaves the zero value
  switch (type.kind) {
    case 'primitive':
      if (type.type === 'string') return typeof value === 'string' ? undefined : jsonKind(value)
      if (type.type === 'boolean') return typeof value === 'boolean' ? undefined : jsonKind(value)
      if (typeof value !== 'number') return jsonKind(value)
      if (type.type === 'number') return undefined
      if (!Number.isInteger(value)) return `number ${value}`
      if (type.format !== 'int64' && (value < -INT32 || value >= INT32)) return `number ${value}`
      return Number.isSafeInteger(value) ? undefined : `number ${value}`
    case 'array': return Array.isArray(value) ? undefined : jsonKind(value)
    case 'map': return typeof value === 'object' && !Array.isArray(value) ? undefined : jsonKind(value)
    case 'ref': {
      const t = lookupSchema(type.name)
      if (!t) return undefined
      if (t.scalar) return scalarMismatch(value, t)
      if (!t.fields) return undefined // free-form
      return typeof value === 'object' && !Array.isArray(value) ? undefined : jsonKind(value)
    }
    default: return undefined
  }
}

// Quantity and IntOrString accept a string or a number; Time wants a string.
function scalarMismatch(value: unknown, t: TypeSchema): string | undefined {
  const kind = t.scalar!.type
  if (kind === 'int-or-string' || (kind === 'string' && !t.scalar!.format)) {
    return typeof value === 'string' || typeof value === 'number' ? undefined : jsonKind(value)
  }
  return typeof value === 'string' ? undefined : jsonKind(value)
}

const fieldIndex = new WeakMap<TypeSchema, Map<string, TypeRef>>()
function fieldsOf(t: TypeSchema): Map<string, TypeRef> | undefined {
  if (!t.fields) return undefined
  let index = fieldIndex.get(t)
  if (!index) fieldIndex.set(t, (index = new Map(t.fields.map((f) => [f.name, f.type]))))
  return index
}

/** The first type error in `obj` read as `typeName`, in document order; undefined if none. */
export function firstTypeError(obj: unknown, typeName: string): string | undefined {
  return walkStruct(obj, typeName, '')
}

function walkStruct(value: unknown, typeName: string, path: string): string | undefined {
  const t = lookupSchema(typeName)
  const fields = t && fieldsOf(t)
  if (!fields || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  for (const [key, v] of Object.entries(value as Record<string, Json>)) {
    const type = fields.get(key)
    if (!type) continue // unknown fields are fieldValidation's business
    const at = path ? `${path}.${key}` : key
    const bad = mismatch(v, type)
    if (bad) return `json: cannot unmarshal ${bad} into Go struct field ${structName(typeName)}.${at} of type ${goType(type)}`
    const inner = walkValue(v, type, at, structName(typeName))
    if (inner) return inner
  }
  return undefined
}

/** Descends into lists and maps; `owner` is the struct holding the field at `path`, which
 *  Go names for a bad element or map value too, with the element's type (no index or key). */
function walkValue(value: unknown, type: TypeRef, path: string, owner: string): string | undefined {
  if (value === null || value === undefined) return undefined
  switch (type.kind) {
    case 'ref': return walkStruct(value, type.name, path)
    case 'array':
      for (const item of value as unknown[]) {
        const bad = mismatch(item, type.items)
        if (bad) return `json: cannot unmarshal ${bad} into Go struct field ${owner}.${path} of type ${goType(type.items)}`
        const inner = walkValue(item, type.items, path, owner)
        if (inner) return inner
      }
      return undefined
    case 'map':
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const bad = mismatch(item, type.values)
        if (bad) return `json: cannot unmarshal ${bad} into Go struct field ${owner}.${path} of type ${goType(type.values)}`
        const inner = walkValue(item, type.values, `${path}.${key}`, owner)
        if (inner) return inner
      }
      return undefined
    default: return undefined
  }
}

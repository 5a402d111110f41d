/**
 * @module
 * Strict field validation: the paths of fields a body has but its type does not, worded as
 * upstream's strict decoder reports them (`spec.template.spec.containers[0].imagex`), so the
 * API server can answer `strict decoding error: unknown field "<path>"` like upstream does.
 * Runs on every write, so each type's field names are indexed once into a Map.
 */
import { lookupSchema } from './table.js'
import type { TypeRef, TypeSchema } from './types.js'

// Upstream: sigs.k8s.io/json internal/golang/encoding/json kubernetes_patch.go (saveStrictError):
// stops collecting after 100 strict errors.
const MAX_ERRORS = 100

const fieldIndex = new WeakMap<TypeSchema, Map<string, TypeRef>>()

function fieldsOf(t: TypeSchema): Map<string, TypeRef> | undefined {
  if (!t.fields) return undefined // scalars and free-form types: nothing to check
  let index = fieldIndex.get(t)
  if (!index) {
    index = new Map(t.fields.map((f) => [f.name, f.type]))
    fieldIndex.set(t, index)
  }
  return index
}

/**
 * Paths of unknown fields in `obj` read as type `typeName`, in document order; empty when all
 * are known or the type is not in the table. `apiVersion` and `kind` are always allowed at the
 * top; maps are descended only when their values are object types (as upstream's decoder does,
 * the key becomes a path segment); `any` values are never descended.
 */
export function findUnknownFields(obj: unknown, typeName: string): string[] {
  const t = lookupSchema(typeName)
  const out: string[] = []
  if (!t || !isObject(obj)) return out
  const fields = fieldsOf(t)
  if (!fields) return out
  for (const key of Object.keys(obj)) {
    const type = fields.get(key)
    if (type) walk(obj[key], type, key, out)
    else if (key !== 'apiVersion' && key !== 'kind') push(out, key)
  }
  return out
}

// Upstream: sigs.k8s.io/json decode.go (appendStrictFieldStackKey/Index): keys join with ".",
// indexes append as "[i]".
function walk(value: unknown, type: TypeRef, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object' || out.length >= MAX_ERRORS) return
  switch (type.kind) {
    case 'ref': {
      const t = lookupSchema(type.name)
      const fields = t && fieldsOf(t)
      if (!fields || Array.isArray(value)) return
      for (const key of Object.keys(value)) {
        const sub = fields.get(key)
        if (sub) walk((value as Record<string, unknown>)[key], sub, `${path}.${key}`, out)
        else push(out, `${path}.${key}`)
      }
      return
    }
    case 'array':
      if (!Array.isArray(value) || !descends(type.items)) return
      for (let i = 0; i < value.length; i++) walk(value[i], type.items, `${path}[${i}]`, out)
      return
    case 'map':
      if (Array.isArray(value) || !descends(type.values)) return
      for (const key of Object.keys(value)) walk((value as Record<string, unknown>)[key], type.values, `${path}.${key}`, out)
      return
    default:
      return
  }
}

/** Whether values of this type can hold fields to check (skips walking label maps and the like). */
function descends(type: TypeRef): boolean {
  if (type.kind === 'array') return descends(type.items)
  if (type.kind === 'map') return descends(type.values)
  return type.kind === 'ref'
}

function push(out: string[], path: string): void {
  if (out.length < MAX_ERRORS) out.push(path)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

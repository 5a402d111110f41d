/**
 * @module
 * Turns the compact message tables (./types.ts notation) into lookup structures the
 * decoder walks, resolving every type name once, at load, so a typo fails loudly then.
 */
import type { Messages } from './types.js'

export type Scalar = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'double'
export type ValueType =
  | { kind: 'scalar'; scalar: Scalar }
  | { kind: 'message'; name: string } // package-qualified, e.g. `core.PodSpec`
  // A map value of slice type: Protobuf cannot nest repeated fields, so it travels as a
  // wrapper message whose field 1 holds the items (e.g. authentication's ExtraValue).
  | { kind: 'list'; item: ValueType }

export type FieldSpec = {
  no: number
  json: string
  omitempty: boolean
  inline: boolean
  pointer: boolean
  shape: 'single' | 'repeated' | 'map'
  value: ValueType
}
export type MessageSpec = { name: string; fields: FieldSpec[]; byNo: Map<number, FieldSpec> }
export type Schema = ReadonlyMap<string, MessageSpec>

const scalars = new Set<string>(['string', 'bytes', 'bool', 'int32', 'int64', 'double'])

function valueType(pkg: string, type: string, known: (name: string) => boolean): ValueType {
  if (scalars.has(type)) return { kind: 'scalar', scalar: type as Scalar }
  if (type.startsWith('[]')) return { kind: 'list', item: valueType(pkg, type.slice(2), known) }
  const name = type.includes('.') ? type : `${pkg}.${type}`
  if (!known(name)) throw new Error(`protobuf tables: unknown type ${name}`)
  return { kind: 'message', name }
}

function fieldSpec(pkg: string, [no, tag, rawType]: readonly [number, string, string],
  known: (name: string) => boolean): FieldSpec {
  const [json, ...opts] = tag.split(',')
  let type = rawType
  const pointer = type.startsWith('*')
  if (pointer) type = type.slice(1)
  let shape: FieldSpec['shape'] = 'single'
  if (type.startsWith('map[string]')) {
    shape = 'map'
    type = type.slice('map[string]'.length)
  } else if (type.startsWith('[]')) {
    shape = 'repeated'
    type = type.slice(2)
  }
  const value = valueType(pkg, type, known)
  if (value.kind === 'list' && shape !== 'map') throw new Error(`protobuf tables: nested list in ${pkg} field ${no}`)
  return { no, json, omitempty: opts.includes('omitempty'), inline: json === '' && opts.includes('inline'),
    pointer, shape, value }
}

/** Resolves all packages' tables into one schema keyed by `pkg.Name`. */
export function compileSchema(packages: Readonly<Record<string, Messages>>): Schema {
  const known = (name: string) => {
    const [pkg, type] = name.split('.')
    return type !== undefined && Object.hasOwn(packages[pkg] ?? {}, type)
  }
  const schema = new Map<string, MessageSpec>()
  for (const [pkg, messages] of Object.entries(packages)) {
    for (const [type, fields] of Object.entries(messages)) {
      const specs = fields.map((f) => fieldSpec(pkg, f, known))
      const byNo = new Map(specs.map((f) => [f.no, f]))
      if (byNo.size !== specs.length) throw new Error(`protobuf tables: duplicate field number in ${pkg}.${type}`)
      schema.set(`${pkg}.${type}`, { name: `${pkg}.${type}`, fields: specs, byNo })
    }
  }
  return schema
}

/**
 * @module
 * The table-driven decoder: Protobuf message bytes in, the JSON object Go's encoding/json
 * would have produced from the same Go struct out.
 *
 * Upstream encodes with gogo-protobuf (proto2): non-pointer scalars are always sent, even
 * when empty, and pointers only when set. So presence on the wire is only meaningful for
 * pointers, and the JSON rules are applied here, field by field, from the Go json tag:
 * - `omitempty` scalars, lists and maps are dropped when zero or empty;
 * - pointers are kept whenever sent (even `replicas: 0`), dropped or `null` when not;
 * - non-pointer structs are always emitted (omitempty never drops a Go struct), lists and
 *   maps without omitempty become `null` when empty, as Go marshals a nil slice or map;
 * - `,inline` structs are merged into their parent.
 */
import { WireError, WireType, reader } from './wire.js'
import type { Reader } from './wire.js'
import type { FieldSpec, MessageSpec, Scalar, Schema, ValueType } from './schema.js'
import { specials } from './special-types.js'

type Json = Record<string, unknown>

// A []byte field that was not sent is nil, which Go marshals as null (an empty one as "").
const scalarZero: Record<Scalar, unknown> = { string: '', bytes: null, bool: false, int32: 0, int64: 0, double: 0 }
const varintScalars = new Set<Scalar>(['bool', 'int32', 'int64'])

/** Decodes `bytes` as message `name` of `schema` into its JSON value. */
export function decodeMessage(schema: Schema, name: string, bytes: Uint8Array): unknown {
  const spec = schema.get(name)
  if (!spec) throw new Error(`no table for message ${name}`) // tables are checked at load
  const values = readFields(schema, spec, reader(bytes))
  const obj = toJson(schema, spec, values)
  const special = specials.get(name)
  return special ? special.toJson(obj) : obj
}

/** Every value sent for each known field, in wire order; unknown fields are stepped over. */
function readFields(schema: Schema, spec: MessageSpec, r: Reader): Map<number, unknown[]> {
  const values = new Map<number, unknown[]>()
  while (!r.done()) {
    const { no, wireType } = r.tag()
    const field = spec.byNo.get(no)
    if (!field) {
      r.skip(wireType) // newer clients may send fields this table does not know yet
      continue
    }
    let list = values.get(no)
    if (!list) values.set(no, (list = []))
    const { value } = field
    if (field.shape === 'map') list.push(readMapEntry(schema, field, expectBytes(r, wireType, field)))
    else if (value.kind === 'scalar' && field.shape === 'repeated' && wireType === WireType.bytes &&
      varintScalars.has(value.scalar)) {
      const packed = reader(r.bytes()) // packed encoding: a run of varints in one length-delimited value
      while (!packed.done()) list.push(readScalar(packed, value.scalar))
    } else list.push(readValue(schema, r, wireType, value, field))
  }
  return values
}

function expectBytes(r: Reader, wireType: number, field: FieldSpec): Uint8Array {
  if (wireType !== WireType.bytes) throw new WireError(`field ${field.json || field.no}: wire type ${wireType}, expected length-delimited`)
  return r.bytes()
}

function readScalar(r: Reader, scalar: Scalar): unknown {
  switch (scalar) {
    case 'string': return r.string()
    case 'bytes': return Buffer.from(r.bytes()).toString('base64') // Go marshals []byte as base64
    case 'bool': return r.bool()
    case 'int32': return r.int32()
    case 'int64': return r.int64()
    case 'double': return r.double()
  }
}

const scalarWireType = (scalar: Scalar) =>
  scalar === 'string' || scalar === 'bytes' ? WireType.bytes : scalar === 'double' ? WireType.fixed64 : WireType.varint

function readValue(schema: Schema, r: Reader, wireType: number, value: ValueType, field: FieldSpec): unknown {
  if (value.kind === 'scalar') {
    const want = scalarWireType(value.scalar)
    if (wireType !== want) throw new WireError(`field ${field.json || field.no}: wire type ${wireType}, expected ${want}`)
    return readScalar(r, value.scalar)
  }
  const bytes = expectBytes(r, wireType, field)
  if (value.kind === 'message') return decodeMessage(schema, value.name, bytes)
  // A list wrapper message: field 1 repeated, anything else skipped.
  const items: unknown[] = []
  const inner = reader(bytes)
  while (!inner.done()) {
    const tag = inner.tag()
    if (tag.no === 1) items.push(readValue(schema, inner, tag.wireType, value.item, field))
    else inner.skip(tag.wireType)
  }
  return items
}

/** A map entry is a message with the key in field 1 and the value in field 2. */
function readMapEntry(schema: Schema, field: FieldSpec, bytes: Uint8Array): [string, unknown] {
  const r = reader(bytes)
  let key = ''
  let value: unknown
  while (!r.done()) {
    const { no, wireType } = r.tag()
    if (no === 1) key = readValue(schema, r, wireType, { kind: 'scalar', scalar: 'string' }, field) as string
    else if (no === 2) value = readValue(schema, r, wireType, field.value, field)
    else r.skip(wireType)
  }
  return [key, value ?? zeroOf(schema, field.value)]
}

function zeroOf(schema: Schema, value: ValueType): unknown {
  if (value.kind === 'scalar') return scalarZero[value.scalar]
  if (value.kind === 'list') return null
  return decodeMessage(schema, value.name, new Uint8Array(0)) // an empty struct, its defaults applied
}

const isZero = (v: unknown) => v === '' || v === 0 || v === false || v === null

function toJson(schema: Schema, spec: MessageSpec, values: Map<number, unknown[]>): Json {
  const out: Json = {}
  for (const field of spec.fields) {
    const sent = values.get(field.no)
    if (field.shape !== 'single') {
      const empty = !sent || sent.length === 0
      if (empty && field.omitempty) continue
      out[field.json] = empty ? null
        : field.shape === 'map' ? Object.fromEntries(sent as [string, unknown][]) : sent
      continue
    }
    let v = sent?.at(-1) // proto semantics: the last occurrence of a singular field wins
    if (v === undefined) {
      if (field.pointer) {
        if (!field.omitempty) out[field.json] = null
        continue
      }
      v = zeroOf(schema, field.value)
    }
    if (field.inline) Object.assign(out, v)
    else if (!field.pointer && field.omitempty && field.value.kind === 'scalar' && isZero(v)) continue
    else out[field.json] = v
  }
  return out
}

/**
 * @module
 * A small table-driven writer from JSON values to protobuf messages, for the gnostic
 * OpenAPI v2 messages (v2-protobuf.ts). A message is a table of JSON key → [field number,
 * kind]; maps become gnostic's repeated `Named*` { name = 1, value = 2 } entries, and
 * `x-` keys become vendor extensions whose values travel as YAML text (gnostic's `Any.yaml`).
 * Fields follow proto3 as Go writes them: in field-number order, zero values left out.
 */
import pb from 'protobufjs/minimal.js'
import { stringify } from 'yaml'

export type Writer = pb.Writer

/** Writes one JSON value as the body of a message (without its tag and length). */
export type Encoder = (w: Writer, value: unknown, at: string) => void

/** How one field is written: a scalar, a repeated scalar, a nested message or repeated messages. */
export type FieldKind = 'string' | 'strings' | 'bool' | 'double' | 'int64' | 'any' | 'anys' | Encoder | { repeated: Encoder }

export type Fields = Record<string, [number, FieldKind]>

const LEN = 2
const VARINT = 0
const FIXED64 = 1

/** Thrown when the document holds something these tables do not describe. */
export const unsupported = (at: string, what: string) => new Error(`openapi v2 protobuf: ${what} at ${at}`)

export function asObject(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unsupported(at, 'expected an object')
  return value as Record<string, unknown>
}

function asArray(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw unsupported(at, 'expected an array')
  return value
}

function asString(value: unknown, at: string): string {
  if (typeof value !== 'string') throw unsupported(at, 'expected a string')
  return value
}

/** Writes `encode(value)` as a length-delimited submessage in field `no`. */
export function writeMessage(w: Writer, no: number, encode: Encoder, value: unknown, at: string): void {
  w.uint32((no << 3) | LEN).fork()
  encode(w, value, at)
  w.ldelim()
}

export function writeString(w: Writer, no: number, value: string): void {
  if (value !== '') w.uint32((no << 3) | LEN).string(value)
}

/** A oneof member is written even when it holds its zero value: presence is the point. */
export function writeOneofBool(w: Writer, no: number, value: boolean): void {
  w.uint32((no << 3) | VARINT).bool(value)
}

// YAML 1.1 because kubectl reads these with go-yaml v2: a bare `on` or `no` would come back a
// boolean there, so the 1.1 schema quotes them. No line folding: one value, one plain text.
const yamlText = (value: unknown) => stringify(value, { version: '1.1', lineWidth: 0 })

/** gnostic's Any: the value as YAML text in field 2. */
export const anyValue: Encoder = (w, value) => writeString(w, 2, yamlText(value))

/** One vendor extension (`x-...`) as a NamedAny in field `no`. */
export function writeExtension(w: Writer, no: number, name: string, value: unknown, at: string): void {
  writeMessage(w, no, (wr, v) => {
    writeString(wr, 1, name)
    writeMessage(wr, 2, anyValue, v, `${at}.${name}`)
  }, value, at)
}

/** Writes one field of the given kind (nothing for proto3 zero values). */
export function writeField(w: Writer, no: number, kind: FieldKind, value: unknown, at: string): void {
  switch (kind) {
    case 'string': return writeString(w, no, asString(value, at))
    case 'strings':
      for (const [i, s] of asArray(value, at).entries()) w.uint32((no << 3) | LEN).string(asString(s, `${at}[${i}]`))
      return
    case 'bool':
      if (typeof value !== 'boolean') throw unsupported(at, 'expected a boolean')
      if (value) w.uint32((no << 3) | VARINT).bool(true)
      return
    case 'double':
      if (typeof value !== 'number') throw unsupported(at, 'expected a number')
      if (value !== 0) w.uint32((no << 3) | FIXED64).double(value)
      return
    case 'int64':
      if (!Number.isInteger(value)) throw unsupported(at, 'expected an integer')
      if (value !== 0) w.uint32((no << 3) | VARINT).int64(value as number)
      return
    case 'any': return writeMessage(w, no, anyValue, value, at)
    case 'anys':
      for (const [i, v] of asArray(value, at).entries()) writeMessage(w, no, anyValue, v, `${at}[${i}]`)
      return
    default:
      if (typeof kind === 'function') return writeMessage(w, no, kind, value, at)
      for (const [i, v] of asArray(value, at).entries()) writeMessage(w, no, kind.repeated, v, `${at}[${i}]`)
  }
}

/**
 * A message from a table of JSON keys; `extensions` is the field number of its repeated
 * NamedAny vendor_extension, which gnostic numbers after every other field (the two maps that
 * do not, Paths and Responses, are namedMap's). Unknown non-`x-` keys throw, so a new key in
 * the JSON document fails the tests instead of silently vanishing from the protobuf.
 */
export function message(fields: Fields, extensions?: number): Encoder {
  const order = Object.entries(fields).sort(([, [a]], [, [b]]) => a - b)
  return function encodeMessage(w, value, at) {
    const obj = asObject(value, at)
    const ext = extensions === undefined ? [] : Object.keys(obj).filter((k) => k.startsWith('x-'))
    for (const key of Object.keys(obj)) {
      if (!(key in fields) && !ext.includes(key)) throw unsupported(at, `unknown key "${key}"`)
    }
    for (const [key, [no, kind]] of order) if (obj[key] !== undefined) writeField(w, no, kind, obj[key], `${at}.${key}`)
    for (const k of ext) writeExtension(w, extensions as number, k, obj[k], at)
  }
}

/**
 * A JSON object as gnostic's ordered map: each entry a `Named*` { name = 1, value = 2 } in
 * field `entries`. With `extensions`, `x-` keys go there as vendor extensions instead.
 */
export function namedMap(value: Encoder, entries = 1, extensions?: number): Encoder {
  return function encodeMap(w, obj, at) {
    const all = Object.entries(asObject(obj, at))
    const ext = extensions === undefined ? [] : all.filter(([k]) => k.startsWith('x-'))
    const writeExtensions = () => {
      for (const [k, v] of ext) writeExtension(w, extensions as number, k, v, at)
    }
    if (extensions !== undefined && extensions < entries) writeExtensions()
    for (const [k, v] of all) {
      if (ext.some(([e]) => e === k)) continue
      writeMessage(w, entries, (wr, entry) => {
        writeString(wr, 1, k)
        writeMessage(wr, 2, value, entry, `${at}.${k}`)
      }, v, at)
    }
    if (extensions !== undefined && extensions > entries) writeExtensions()
  }
}

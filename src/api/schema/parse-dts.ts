/**
 * @module
 * Reads one `kubernetes-types` declaration file (generated from upstream's OpenAPI, so very
 * regular: one `export interface` per type, one doc comment per field, `?` for optional) into
 * TypeSchemas. Line-based on purpose: a full TypeScript parse would cost more than the whole
 * server's start-up budget, and the package is a runtime dependency while `typescript` is not.
 */
import type { FieldSchema, TypeRef, TypeSchema } from './types.js'

/** How names in one file resolve: its own OpenAPI prefix, and where each import comes from. */
export type DtsContext = {
  /** OpenAPI prefix of the file's own types, e.g. 'io.k8s.api.apps.v1.'. */
  prefix: string
  /** Module specifier as written in the file ('../meta/v1') → OpenAPI prefix. */
  modules: Record<string, string>
}

export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString'

// Types that are free-form on the wire: their fields are typed `any`, never descended.
const FREE_FORM = new Set(['RawExtension', 'FieldsV1', 'JSON', 'JSONSchemaPropsOrArray',
  'JSONSchemaPropsOrBool', 'JSONSchemaPropsOrStringArray'])

const IMPORT = /^import \{ ([^}]+) \} from "([^"]+)";/
const INTERFACE = /^export interface (\w+) \{/
const ALIAS = /^export type (\w+) = string;/
const FIELD = /^ {4}(?:readonly )?("[^"]+"|[\w$]+)(\?)?: (.*?);?$/

/** Parses a declaration file's text; `gvk` is filled from literal apiVersion/kind types. */
export function parseDts(text: string, ctx: DtsContext): TypeSchema[] {
  const imported = new Map<string, string>()
  const local = new Set<string>()
  for (const m of text.matchAll(/^export interface (\w+)/gm)) local.add(m[1])
  const out: TypeSchema[] = []
  let doc: string | undefined
  let current: (TypeSchema & { fields: FieldSchema[] }) | undefined
  let apiVersion: string | undefined
  let kind: string | undefined
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const trimmed = line.trim()
    if (trimmed.startsWith('/**')) {
      // Single-line `/** text */`, or a block whose lines start with ` * `.
      if (trimmed.endsWith('*/')) { doc = trimmed.slice(3, -2).trim(); continue }
      const parts: string[] = []
      for (i++; i < lines.length && !lines[i].trim().startsWith('*/'); i++) {
        parts.push(lines[i].trim().replace(/^\* ?/, '').replace(/^\*$/, ''))
      }
      doc = parts.join('\n').trim()
      continue
    }
    let m: RegExpMatchArray | null
    if ((m = IMPORT.exec(line))) {
      const prefix = ctx.modules[m[2]]
      if (prefix) for (const name of m[1].split(',')) imported.set(name.trim(), prefix)
    } else if ((m = ALIAS.exec(line))) { // Quantity, Time, MicroTime: strings on the wire
      out.push({ name: ctx.prefix + m[1], ...(doc ? { description: doc } : {}), scalar: { type: 'string' } })
    } else if ((m = INTERFACE.exec(line))) {
      current = { name: ctx.prefix + m[1], fields: [] }
      if (doc) current.description = doc
      apiVersion = kind = undefined
      if (line.endsWith('}')) { out.push(current); current = undefined } // `export interface X {}`
    } else if (current && line === '}') {
      if (apiVersion && kind) {
        const slash = apiVersion.indexOf('/')
        current.gvk = [{ group: slash < 0 ? '' : apiVersion.slice(0, slash),
          version: apiVersion.slice(slash + 1), kind }]
      }
      out.push(current)
      current = undefined
    } else if (current && (m = FIELD.exec(line))) {
      const name = m[1].startsWith('"') ? m[1].slice(1, -1) : m[1]
      let typeText = m[3]
      if (typeText === '{') { // a map: `{\n [name: string]: X;\n };`
        typeText = `{ ${lines[++i].trim()} }`
        i++
      }
      const literal = /^"(.*)"$/.exec(typeText)
      if (literal && name === 'apiVersion') apiVersion = literal[1]
      if (literal && name === 'kind') kind = literal[1]
      const field: FieldSchema = { name, type: parseType(typeText, ctx.prefix, local, imported) }
      if (!m[2]) field.required = true
      if (doc) field.description = doc
      current.fields.push(field)
    }
    doc = undefined
  }
  // Names, types and one-line docs are slices of `text`; a slice keeps its whole file alive
  // (~1 MB in all). A JSON round trip gives the table strings of its own.
  return JSON.parse(JSON.stringify(out)) as TypeSchema[]
}

function parseType(text: string, prefix: string, local: Set<string>, imported: Map<string, string>): TypeRef {
  const t = text.trim()
  if (t === 'string' || t.startsWith('"')) return { kind: 'primitive', type: 'string' }
  if (t === 'number') return { kind: 'primitive', type: 'integer', format: 'int32' }
  if (t === 'boolean') return { kind: 'primitive', type: 'boolean' }
  if (t === 'number | string' || t === 'string | number') return { kind: 'ref', name: INT_OR_STRING }
  if (t.startsWith('Array<') && t.endsWith('>')) {
    return { kind: 'array', items: parseType(t.slice(6, -1), prefix, local, imported) }
  }
  if (t.endsWith('[]')) return { kind: 'array', items: parseType(t.slice(0, -2), prefix, local, imported) }
  const map = /^\{ \[\w+: string\]: (.*?);? \}$/.exec(t)
  if (map) return { kind: 'map', values: parseType(map[1], prefix, local, imported) }
  if (FREE_FORM.has(t)) return { kind: 'any' }
  if (local.has(t)) return { kind: 'ref', name: prefix + t }
  const from = imported.get(t)
  if (from) return { kind: 'ref', name: from + t }
  // Local type aliases (Quantity, Time, MicroTime) resolve through the caller's alias table.
  return { kind: 'ref', name: prefix + t }
}

/**
 * @module
 * The schema table: every built-in type, generated on first use from `kubernetes-types` (field
 * names, types, required-ness, descriptions) with our committed overlays applied (patch
 * strategies, merge keys, list types, number formats, fields newer than that package).
 * Nothing is parsed at import time: the server pays (~20 ms) only when a schema is first needed.
 */
import { INT_OR_STRING, parseDts } from './parse-dts.js'
import { addExtraFields } from './overlay-fields.js'
import { doubleFields, int64Fields } from './overlay-formats.js'
import { patchOverlay } from './overlay-patch.js'
import { readSources } from './sources.js'
import type { FieldSchema, SchemaLookup, TypeRef, TypeSchema } from './types.js'

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.'

type Table = { types: Map<string, TypeSchema>; byGvk: Map<string, string> }
let table: Table | undefined

/** Looks up a built-in type by its OpenAPI name; builds the table on first call. */
export const lookupSchema: SchemaLookup = (name) => load().types.get(name)

/** The schema type name of a top-level kind, e.g. ('apps','v1','Deployment') → 'io.k8s.api.apps.v1.Deployment'. */
export function schemaNameForKind(group: string, version: string, kind: string): string | undefined {
  return load().byGvk.get(`${group}/${version}/${kind}`)
}

/** Every type in the table (for documents that list them all). */
export function allSchemas(): Iterable<TypeSchema> {
  return load().types.values()
}

function load(): Table {
  if (table) return table
  const types = new Map<string, TypeSchema>()
  for (const src of readSources()) {
    for (const t of parseDts(src.text, { prefix: src.prefix, modules: src.modules })) types.set(t.name, t)
  }
  addScalars(types)
  applyOverlays(types)
  const byGvk = new Map<string, string>()
  for (const t of types.values()) {
    for (const g of t.gvk ?? []) if (!byGvk.has(`${g.group}/${g.version}/${g.kind}`)) byGvk.set(`${g.group}/${g.version}/${g.kind}`, t.name)
  }
  table = { types, byGvk }
  return table
}

function addScalars(types: Map<string, TypeSchema>): void {
  for (const name of ['Time', 'MicroTime']) {
    const t = types.get(META + name)
    if (t) t.scalar = { type: 'string', format: 'date-time' }
  }
  types.set(INT_OR_STRING, { name: INT_OR_STRING, scalar: { type: 'int-or-string' },
    description: 'A value that is either an int32 or a string, e.g. a port number or a port name.' })
  // Free-form types keep their description but have neither fields nor scalar: anything goes.
  for (const name of [META + 'FieldsV1', 'io.k8s.apimachinery.pkg.runtime.RawExtension',
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON']) {
    const t = types.get(name)
    if (t) delete t.fields
  }
  // Status is sent by every group; upstream tags it with the core group's v1.
  const status = types.get(META + 'Status')
  if (status) status.gvk = [{ group: '', version: 'v1', kind: 'Status' }]
}

function applyOverlays(types: Map<string, TypeSchema>): void {
  addExtraFields(types)
  forFields(types, int64Fields, (f) => setFormat(f.type, 'int64'))
  forFields(types, doubleFields, (f) => setFormat(f.type, 'double', 'number'))
  for (const [typeName, fields] of Object.entries(patchOverlay)) {
    const t = types.get(typeName)
    for (const [name, spec] of Object.entries(fields)) {
      const f = t?.fields?.find((x) => x.name === name)
      if (f) applyPatchSpec(f, spec)
    }
  }
}

function forFields(types: Map<string, TypeSchema>, list: Record<string, string>, fn: (f: FieldSchema) => void) {
  for (const [typeName, names] of Object.entries(list)) {
    const fields = types.get(typeName)?.fields
    for (const name of names.split(' ')) {
      const f = fields?.find((x) => x.name === name)
      if (f) fn(f)
    }
  }
}

function setFormat(ref: TypeRef, format: string, type?: 'number'): void {
  if (ref.kind === 'array') return setFormat(ref.items, format, type)
  if (ref.kind === 'primitive') {
    ref.format = format
    if (type) ref.type = type
  }
}

/** Decodes one overlay entry (see overlay-patch.ts for the encoding) onto its field. */
export function applyPatchSpec(f: FieldSchema, spec: string): void {
  for (const token of spec.split(' ')) {
    const list = /^(atomic|set)$|^map\[(.*)\]$/.exec(token)
    if (list) {
      f.listType = (list[1] as 'atomic' | 'set' | undefined) ?? 'map'
      if (list[2]) f.listMapKeys = list[2].split(',')
      continue
    }
    const [strategy, key] = token.split('/')
    if (strategy) f.patchStrategy = strategy
    if (key) f.patchMergeKey = key
  }
}

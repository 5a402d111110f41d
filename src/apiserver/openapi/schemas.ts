/**
 * @module
 * Renders schema-table types as OpenAPI schema objects, in the shape of upstream's published
 * documents: `$ref` wrapped in `allOf` when the field has its own description (v3), GVK tags as
 * an array, `x-kubernetes-patch-*` / `x-kubernetes-list-*` on fields. kubectl reads these for
 * `explain` and for computing client-side apply's strategic merge patches.
 */
import { lookupSchema } from '../../api/schema/index.js'
import type { FieldSchema, TypeRef, TypeSchema } from '../../api/schema/index.js'

export type OpenApiFlavor = 'v3' | 'v2'
export type JsonObject = Record<string, unknown>

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity'
const refPrefix = (flavor: OpenApiFlavor) => (flavor === 'v3' ? '#/components/schemas/' : '#/definitions/')

/** The reference to a named type, as a schema object. */
export const refTo = (name: string, flavor: OpenApiFlavor): JsonObject => ({ $ref: refPrefix(flavor) + name })

/** Every table type reachable from `roots` (roots included), in a stable order. */
export function reachableTypes(roots: Iterable<string>): string[] {
  const seen = new Set<string>()
  const queue = [...roots]
  while (queue.length) {
    const name = queue.pop() as string
    if (seen.has(name)) continue
    const t = lookupSchema(name)
    if (!t) continue
    seen.add(name)
    for (const f of t.fields ?? []) collectRefs(f.type, queue)
  }
  return [...seen].sort()
}

function collectRefs(ref: TypeRef, into: string[]): void {
  if (ref.kind === 'ref') into.push(ref.name)
  else if (ref.kind === 'array') collectRefs(ref.items, into)
  else if (ref.kind === 'map') collectRefs(ref.values, into)
}

/** One named type as an OpenAPI schema object. */
export function typeToOpenApi(t: TypeSchema, flavor: OpenApiFlavor): JsonObject {
  const out: JsonObject = {}
  if (t.description) out.description = t.description
  if (t.scalar) {
    // Upstream: apimachinery intstr.IntOrString and resource.Quantity (OpenAPIV3OneOfTypes): v3 says
    // oneOf, v2 says string. kubectl explain then names them <IntOrString>/<Quantity> like upstream.
    const oneOf = t.scalar.type === 'int-or-string' ? ['integer', 'string'] : t.name === QUANTITY ? ['string', 'number'] : undefined
    if (oneOf && flavor === 'v3') out.oneOf = oneOf.map((type) => ({ type }))
    else out.type = t.scalar.type === 'int-or-string' ? 'string' : t.scalar.type
    const format = t.scalar.type === 'int-or-string' ? 'int-or-string' : t.scalar.format
    if (format) out.format = format
  } else {
    out.type = 'object'
  }
  if (t.fields && t.fields.length) {
    const properties: JsonObject = {}
    for (const f of t.fields) properties[f.name] = fieldToOpenApi(f, flavor)
    out.properties = properties
    const required = t.fields.filter((f) => f.required).map((f) => f.name)
    if (required.length) out.required = required
  }
  if (t.gvk) out['x-kubernetes-group-version-kind'] = t.gvk.map((g) => ({ group: g.group, kind: g.kind, version: g.version }))
  return out
}

function fieldToOpenApi(f: FieldSchema, flavor: OpenApiFlavor): JsonObject {
  let out = refToOpenApi(f.type, flavor)
  if (f.description) {
    // A v3 `$ref` ignores its siblings, so upstream wraps it in allOf to keep the description.
    out = out.$ref && flavor === 'v3' ? { allOf: [out], description: f.description } : { ...out, description: f.description }
  }
  if (f.listType) out['x-kubernetes-list-type'] = f.listType
  if (f.listMapKeys) out['x-kubernetes-list-map-keys'] = f.listMapKeys
  if (f.patchMergeKey) out['x-kubernetes-patch-merge-key'] = f.patchMergeKey
  if (f.patchStrategy) out['x-kubernetes-patch-strategy'] = f.patchStrategy
  return out
}

function refToOpenApi(ref: TypeRef, flavor: OpenApiFlavor): JsonObject {
  switch (ref.kind) {
    case 'primitive':
      return ref.format ? { type: ref.type, format: ref.format } : { type: ref.type }
    case 'ref':
      return refTo(ref.name, flavor)
    case 'array':
      return { type: 'array', items: itemSchema(ref.items, flavor) }
    case 'map':
      return { type: 'object', additionalProperties: itemSchema(ref.values, flavor) }
    case 'any':
      return flavor === 'v3' ? { 'x-kubernetes-preserve-unknown-fields': true } : { type: 'object' }
  }
}

// Upstream wraps item refs in allOf too (it adds a default there); a bare $ref reads the same.
const itemSchema = (ref: TypeRef, flavor: OpenApiFlavor) => refToOpenApi(ref, flavor)

/** Our own description of the PATCH body type (upstream names it meta/v1 Patch). */
export const patchBodySchema: JsonObject = {
  description: 'The body of a PATCH request; its format is given by the request Content-Type.',
  type: 'object',
}

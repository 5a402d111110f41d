/**
 * @module
 * The swagger 2.0 document (documents.ts swaggerDocument) as gnostic's `openapi.v2.Document`
 * protobuf: what `/openapi/v2` answers for `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`,
 * the only form kubectl reads. kubectl builds its v2 models from it for client-side validation
 * (1.27/1.28 always; later ones for `kind: List`), `explain --output=plaintext-openapiv2` and
 * patch computation, finding each kind's schema by its `x-kubernetes-group-version-kind` extension.
 * Only the messages and fields a swagger document of ours can hold are described; anything else
 * throws rather than being dropped.
 *
 * Upstream: kube-openapi pkg/handler/handler.go (ToProtoBinary: gnostic ParseDocument, then
 * proto.Marshal); field numbers from gnostic-models openapiv2/OpenAPIv2.proto.
 */
import pb from 'protobufjs/minimal.js'
import { asObject, message, namedMap, unsupported, writeOneofBool, writeField, writeMessage } from './v2-protobuf-wire.js'
import type { Encoder, Fields } from './v2-protobuf-wire.js'
import type { JsonObject } from './schemas.js'

/** The document as the bytes of an `openapi.v2.Document` message. */
export function swaggerToProtobuf(doc: JsonObject): Uint8Array {
  const w = pb.Writer.create()
  document(w, doc, '$')
  return w.finish()
}

// Schema is recursive: the tables below refer to it before its own table exists.
const schema: Encoder = (w, v, at) => schemaMessage(w, v, at)

/** `type`: one name or a list of them (TypeItem.value). */
const typeItem: Encoder = (w, v, at) => writeField(w, 1, 'strings', typeof v === 'string' ? [v] : v, at)

/** `items`: one schema or a list (ItemsItem.schema). */
const itemsItem: Encoder = (w, v, at) =>
  Array.isArray(v) ? writeField(w, 1, { repeated: schema }, v, at) : writeMessage(w, 1, schema, v, at)

/** `additionalProperties`: a schema (field 1) or a boolean (field 2). */
const additionalPropertiesItem: Encoder = (w, v, at) =>
  typeof v === 'boolean' ? writeOneofBool(w, 2, v) : writeMessage(w, 1, schema, v, at)

const schemaMessage = message({
  $ref: [1, 'string'], format: [2, 'string'], title: [3, 'string'], description: [4, 'string'], default: [5, 'any'],
  multipleOf: [6, 'double'], maximum: [7, 'double'], exclusiveMaximum: [8, 'bool'], minimum: [9, 'double'],
  exclusiveMinimum: [10, 'bool'], maxLength: [11, 'int64'], minLength: [12, 'int64'], pattern: [13, 'string'],
  maxItems: [14, 'int64'], minItems: [15, 'int64'], uniqueItems: [16, 'bool'], maxProperties: [17, 'int64'],
  minProperties: [18, 'int64'], required: [19, 'strings'], enum: [20, 'anys'],
  additionalProperties: [21, additionalPropertiesItem], type: [22, typeItem], items: [23, itemsItem],
  allOf: [24, { repeated: schema }], properties: [25, namedMap(schema)], discriminator: [26, 'string'],
  readOnly: [27, 'bool'], example: [30, 'any'],
}, 31)

/** The primitive part shared by parameters and PrimitivesItems, numbered from `first` on. */
const primitiveFields = (first: number): Fields => ({
  type: [first, 'string'], format: [first + 1, 'string'], items: [first + 2, primitivesItems],
  collectionFormat: [first + 3, 'string'], default: [first + 4, 'any'], maximum: [first + 5, 'double'],
  exclusiveMaximum: [first + 6, 'bool'], minimum: [first + 7, 'double'], exclusiveMinimum: [first + 8, 'bool'],
  maxLength: [first + 9, 'int64'], minLength: [first + 10, 'int64'], pattern: [first + 11, 'string'],
  maxItems: [first + 12, 'int64'], minItems: [first + 13, 'int64'], uniqueItems: [first + 14, 'bool'],
  enum: [first + 15, 'anys'], multipleOf: [first + 16, 'double'],
})

function primitivesItems(w: pb.Writer, v: unknown, at: string): void {
  primitivesItemsMessage(w, v, at)
}
const primitivesItemsMessage = message(primitiveFields(1), 18)

const head: Fields = { required: [1, 'bool'], in: [2, 'string'], description: [3, 'string'], name: [4, 'string'] }
// Query and formData parameters have allowEmptyValue at 5; header and path ones do not.
const queryLike = message({ ...head, allowEmptyValue: [5, 'bool'], ...primitiveFields(6) }, 23)
const pathLike = message({ ...head, ...primitiveFields(5) }, 22)
const bodyParameter = message({ description: [1, 'string'], name: [2, 'string'], in: [3, 'string'],
  required: [4, 'bool'], schema: [5, schema] }, 6)
const NON_BODY: Record<string, [number, Encoder]> = {
  header: [1, pathLike], formData: [2, queryLike], query: [3, queryLike], path: [4, pathLike],
}

const jsonReference = message({ $ref: [1, 'string'], description: [2, 'string'] })

/** ParametersItem: a `$ref` (field 2) or a Parameter (field 1): body (1) or non-body (2) by `in`. */
const parametersItem: Encoder = (w, v, at) => {
  const p = asObject(v, at)
  if (p.$ref !== undefined) return writeMessage(w, 2, jsonReference, p, at)
  writeMessage(w, 1, (pw) => {
    if (p.in === 'body') return writeMessage(pw, 1, bodyParameter, p, at)
    const sub = NON_BODY[String(p.in)]
    if (!sub) throw unsupported(at, `parameter location "${String(p.in)}"`)
    writeMessage(pw, 2, (nw) => writeMessage(nw, sub[0], sub[1], p, at), p, at)
  }, p, at)
}

const response = message({ description: [1, 'string'],
  schema: [2, (w, v, at) => writeMessage(w, 1, schema, v, at)] }, 5) // SchemaItem.schema; no file schemas

/** ResponseValue: a `$ref` (field 2) or a Response (field 1). */
const responseValue: Encoder = (w, v, at) =>
  asObject(v, at).$ref !== undefined ? writeMessage(w, 2, jsonReference, v, at) : writeMessage(w, 1, response, v, at)

/** SecurityRequirement: scheme name → scopes (NamedStringArray, StringArray.value). */
const securityRequirement = namedMap((w, v, at) => writeField(w, 1, 'strings', v, at))

const operation = message({
  tags: [1, 'strings'], summary: [2, 'string'], description: [3, 'string'], operationId: [5, 'string'],
  produces: [6, 'strings'], consumes: [7, 'strings'], parameters: [8, { repeated: parametersItem }],
  responses: [9, namedMap(responseValue, 1, 2)], schemes: [10, 'strings'], deprecated: [11, 'bool'],
  security: [12, { repeated: securityRequirement }],
}, 13)

const pathItem = message({
  $ref: [1, 'string'], get: [2, operation], put: [3, operation], post: [4, operation], delete: [5, operation],
  options: [6, operation], head: [7, operation], patch: [8, operation], parameters: [9, { repeated: parametersItem }],
}, 10)

const apiKeySecurity = message({ type: [1, 'string'], name: [2, 'string'], in: [3, 'string'], description: [4, 'string'] }, 5)
const basicSecurity = message({ type: [1, 'string'], description: [2, 'string'] }, 3)

/** SecurityDefinitionsItem: basic (field 1) or apiKey (field 2); we publish no OAuth2 schemes. */
const securityScheme: Encoder = (w, v, at) => {
  const type = asObject(v, at).type
  if (type === 'basic') return writeMessage(w, 1, basicSecurity, v, at)
  if (type === 'apiKey') return writeMessage(w, 2, apiKeySecurity, v, at)
  throw unsupported(at, `security scheme type "${String(type)}"`)
}

const document = message({
  swagger: [1, 'string'],
  info: [2, message({ title: [1, 'string'], version: [2, 'string'], description: [3, 'string'],
    termsOfService: [4, 'string'] }, 7)],
  host: [3, 'string'], basePath: [4, 'string'], schemes: [5, 'strings'], consumes: [6, 'strings'],
  produces: [7, 'strings'],
  paths: [8, namedMap(pathItem, 2, 1)], // Paths: vendor_extension = 1, path = 2
  definitions: [9, namedMap(schema)],
  security: [12, { repeated: securityRequirement }],
  securityDefinitions: [13, namedMap(securityScheme)],
  tags: [14, { repeated: message({ name: [1, 'string'], description: [2, 'string'] }, 4) }],
}, 16)

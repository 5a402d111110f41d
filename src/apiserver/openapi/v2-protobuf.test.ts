// The v2 protobuf encoder, checked by an independent decoder: protobufjs reading our bytes with
// a schema written here for the subset of gnostic's openapi.v2 messages we emit. The decoded
// message is turned back into swagger JSON and must equal the document it came from.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import protobuf from 'protobufjs'
import { parse } from 'yaml'
import { builtinResources } from '../../registry/index.js'
import { reviewResources } from '../reviews.js'
import { swaggerDocument } from './documents.js'
import type { JsonObject } from './schemas.js'
import { swaggerToProtobuf } from './v2-protobuf.js'

const PROTO = `
syntax = "proto3";
package t;
message Any { string yaml = 2; }
message NamedAny { string name = 1; Any value = 2; }
message Info { string title = 1; string version = 2; repeated NamedAny vendor_extension = 7; }
message StringArray { repeated string value = 1; }
message NamedStringArray { string name = 1; StringArray value = 2; }
message SecurityRequirement { repeated NamedStringArray additional_properties = 1; }
message ApiKeySecurity { string type = 1; string name = 2; string in = 3; string description = 4; }
message SecurityDefinitionsItem { oneof oneof { ApiKeySecurity api_key_security = 2; } }
message NamedSecurityDefinitionsItem { string name = 1; SecurityDefinitionsItem value = 2; }
message SecurityDefinitions { repeated NamedSecurityDefinitionsItem additional_properties = 1; }
message TypeItem { repeated string value = 1; }
message ItemsItem { repeated Schema schema = 1; }
message AdditionalPropertiesItem { oneof oneof { Schema schema = 1; bool boolean = 2; } }
message NamedSchema { string name = 1; Schema value = 2; }
message Properties { repeated NamedSchema additional_properties = 1; }
message Definitions { repeated NamedSchema additional_properties = 1; }
message Schema {
  string _ref = 1; string format = 2; string description = 4; int64 max_length = 11;
  repeated string required = 19; repeated Any enum = 20; AdditionalPropertiesItem additional_properties = 21;
  TypeItem type = 22; ItemsItem items = 23; repeated Schema all_of = 24; Properties properties = 25;
  repeated NamedAny vendor_extension = 31;
}
message JsonReference { string _ref = 1; string description = 2; }
message BodyParameter { string description = 1; string name = 2; string in = 3; bool required = 4; Schema schema = 5; }
message QueryParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4;
  string type = 6; bool unique_items = 20; repeated NamedAny vendor_extension = 23; }
message PathParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4;
  string type = 5; bool unique_items = 19; }
message NonBodyParameter { oneof oneof { QueryParameterSubSchema query_parameter_sub_schema = 3;
  PathParameterSubSchema path_parameter_sub_schema = 4; } }
message Parameter { oneof oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } }
message ParametersItem { oneof oneof { Parameter parameter = 1; JsonReference json_reference = 2; } }
message SchemaItem { oneof oneof { Schema schema = 1; } }
message Response { string description = 1; SchemaItem schema = 2; }
message ResponseValue { oneof oneof { Response response = 1; JsonReference json_reference = 2; } }
message NamedResponseValue { string name = 1; ResponseValue value = 2; }
message Responses { repeated NamedResponseValue response_code = 1; }
message Operation { repeated string tags = 1; string description = 3; string operation_id = 5;
  repeated string produces = 6; repeated string consumes = 7; repeated ParametersItem parameters = 8;
  Responses responses = 9; repeated string schemes = 10; repeated NamedAny vendor_extension = 13; }
message PathItem { Operation get = 2; Operation put = 3; Operation post = 4; Operation delete = 5; Operation patch = 8;
  repeated ParametersItem parameters = 9; }
message NamedPathItem { string name = 1; PathItem value = 2; }
message Paths { repeated NamedAny vendor_extension = 1; repeated NamedPathItem path = 2; }
message Document { string swagger = 1; Info info = 2; Paths paths = 8; Definitions definitions = 9;
  repeated SecurityRequirement security = 12; SecurityDefinitions security_definitions = 13; }
`
const Document = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('t.Document')

type Msg = Record<string, any>
const decode = (doc: JsonObject): Msg => Document.toObject(Document.decode(swaggerToProtobuf(doc)), { longs: Number, oneofs: false })

// Back from the decoded messages to swagger JSON (proto3 drops zero values: see normalize).
const yaml = (a: Msg) => parse(a.yaml, { version: '1.1' })
const ext = (list: Msg[] = []) => Object.fromEntries(list.map((n) => [n.name, yaml(n.value)]))
const strip = (o: Msg) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
const named = <T>(list: Msg[] = [], f: (m: Msg) => T) => Object.fromEntries(list.map((n) => [n.name, f(n.value)]))

function schema(s: Msg): Msg {
  return strip({ $ref: s._ref, format: s.format, description: s.description, maxLength: s.max_length,
    required: s.required, enum: s.enum?.map(yaml),
    additionalProperties: s.additional_properties && (s.additional_properties.schema
      ? schema(s.additional_properties.schema) : s.additional_properties.boolean),
    type: s.type && (s.type.value.length === 1 ? s.type.value[0] : s.type.value),
    items: s.items && (s.items.schema.length === 1 ? schema(s.items.schema[0]) : s.items.schema.map(schema)),
    allOf: s.all_of?.map(schema), properties: s.properties && named(s.properties.additional_properties, schema),
    ...ext(s.vendor_extension) })
}
function parameter(p: Msg): Msg {
  if (p.json_reference) return strip({ $ref: p.json_reference._ref })
  const { body_parameter: body, non_body_parameter: nb } = p.parameter
  if (body) return strip({ ...body, schema: body.schema && schema(body.schema) })
  const sub = nb.query_parameter_sub_schema ?? nb.path_parameter_sub_schema
  const { unique_items: uniqueItems, vendor_extension: x, ...rest } = sub
  return strip({ ...rest, uniqueItems, ...ext(x) })
}
function operation(o: Msg): Msg {
  return strip({ tags: o.tags, description: o.description, operationId: o.operation_id,
    parameters: o.parameters?.map(parameter), consumes: o.consumes, produces: o.produces, schemes: o.schemes,
    responses: named(o.responses.response_code, (r) => strip({ description: r.response.description,
      schema: r.response.schema && schema(r.response.schema.schema) })),
    ...ext(o.vendor_extension) })
}
function toSwagger(d: Msg): Msg {
  return { swagger: d.swagger, info: d.info,
    paths: named(d.paths.path, (item) => strip({ parameters: item.parameters?.map(parameter),
      ...Object.fromEntries(['get', 'put', 'post', 'delete', 'patch'].filter((m) => item[m]).map((m) => [m, operation(item[m])])) })),
    definitions: named(d.definitions.additional_properties, schema),
    securityDefinitions: named(d.security_definitions.additional_properties, (s) => s.api_key_security),
    security: d.security.map((r: Msg) => named(r.additional_properties, (a) => a.value ?? [])) }
}

/**
 * What proto3 keeps: no false, '' or 0 fields and no empty lists. Vendor extension values travel
 * whole, as YAML; security requirements are maps (scheme → scopes), whose entries always stay.
 */
function normalize(v: unknown, inMap = false): unknown {
  if (Array.isArray(v)) return v.map((x) => normalize(x))
  if (typeof v !== 'object' || v === null) return v
  const kept = (k: string, x: unknown) => inMap || k.startsWith('x-') ||
    (x !== false && x !== '' && x !== 0 && !(Array.isArray(x) && x.length === 0))
  return Object.fromEntries(Object.entries(v).filter(([k, x]) => kept(k, x)).map(([k, x]) =>
    [k, k.startsWith('x-') ? x : k === 'security' ? (x as unknown[]).map((r) => normalize(r, true)) : normalize(x)]))
}

describe('swaggerToProtobuf', () => {
  const doc = swaggerDocument([...builtinResources(), ...reviewResources])
  const decoded = decode(doc)

  it('round-trips the whole swagger document of every served resource', () => {
    assert.deepEqual(toSwagger(decoded), normalize(doc))
  })

  it('tags kinds and operations with their GVK as YAML that reads back as the GVK', () => {
    const deployment = decoded.definitions.additional_properties.find((n: Msg) => n.name === 'io.k8s.api.apps.v1.Deployment')
    const gvk = deployment.value.vendor_extension.find((n: Msg) => n.name === 'x-kubernetes-group-version-kind')
    assert.deepEqual(parse(gvk.value.yaml, { version: '1.1' }), [{ group: 'apps', kind: 'Deployment', version: 'v1' }])
    const pod = decoded.definitions.additional_properties.find((n: Msg) => n.name === 'io.k8s.api.core.v1.Pod')
    assert.match(pod.value.vendor_extension[0].value.yaml, /^- group: ""\n {2}kind: Pod\n {2}version: v1\n$/)
    const item = decoded.paths.path.find((p: Msg) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')
    const patchGvk = item.value.patch.vendor_extension.find((n: Msg) => n.name === 'x-kubernetes-group-version-kind')
    assert.deepEqual(parse(patchGvk.value.yaml), { group: 'apps', version: 'v1', kind: 'Deployment' })
    const query = item.value.patch.parameters.map((p: Msg) => p.parameter.non_body_parameter?.query_parameter_sub_schema?.name)
    assert.ok(query.includes('fieldValidation'), 'kubectl 1.27 looks for fieldValidation on the PATCH operation')
  })

  it('encodes oneof falses, list types and items, refs, and quotes YAML 1.1 booleans', () => {
    const small = { swagger: '2.0', info: { title: 't', version: 'v' }, security: [], securityDefinitions: {},
      paths: { 'x-note': 'n1', '/a': { get: { parameters: [{ $ref: '#/parameters/p' }], responses: { default: { $ref: '#/responses/r' } } } } },
      definitions: { A: { type: ['string', 'null'], additionalProperties: false, maxLength: 3, items: [{ type: 'string' }, { type: 'integer' }],
        enum: ['on', 'yes', 1], 'x-kubernetes-patch-strategy': 'on', 'x-big': { a: [1, 'no'] } } } }
    const d = decode(small)
    assert.deepEqual(d.paths.vendor_extension.map((n: Msg) => [n.name, n.value.yaml]), [['x-note', 'n1\n']])
    assert.deepEqual(d.paths.path[0].value.get.parameters[0].json_reference, { _ref: '#/parameters/p' })
    assert.deepEqual(d.paths.path[0].value.get.responses.response_code[0].value.json_reference, { _ref: '#/responses/r' })
    const a = schema(d.definitions.additional_properties[0].value)
    assert.deepEqual(a, small.definitions.A)
    const raw = d.definitions.additional_properties[0].value
    assert.equal(raw.additional_properties.boolean, false, 'a oneof false is present on the wire')
    assert.equal(typeof parse(raw.vendor_extension[0].value.yaml, { version: '1.1' }), 'string')
  })

  it('refuses what it cannot carry instead of dropping it', () => {
    const bad = { swagger: '2.0', paths: {}, definitions: { A: { type: 'object', xml: { name: 'a' } } } }
    assert.throws(() => swaggerToProtobuf(bad), /unknown key "xml" at \$\.definitions\.A/)
    const cookie = { swagger: '2.0', paths: { '/a': { parameters: [{ name: 'c', in: 'cookie', type: 'string' }] } } }
    assert.throws(() => swaggerToProtobuf(cookie), /parameter location "cookie"/)
  })
})

/**
 * @module
 * Request bodies in (JSON, YAML, Protobuf) and response shapes out (plain JSON or a
 * server-side Table), chosen by Content-Type and Accept as upstream negotiates them.
 */
import { badRequest, notAcceptable, unsupportedMediaType, type KubeObject } from '../api/index.js'
import { yaml } from '../api/lazy.js'

export const JSON_TYPE = 'application/json'
export const YAML_TYPE = 'application/yaml'
export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf'
export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const

/** The media type without parameters, lower-cased. */
export const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase()

/** Parses a JSON or YAML document; a syntax error is the client's (400). */
export function parseDocument(buf: Buffer, type: string): unknown {
  const text = buf.toString('utf8')
  if (type === YAML_TYPE || type === PATCH_TYPES.apply || type === 'application/yaml' || type === 'text/yaml') {
    try {
      return yaml().parse(text, { uniqueKeys: false, maxAliasCount: 100 })
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`)
    }
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`)
  }
}

/** Decodes a create/update body to an object. The Protobuf tables load on the first such body. */
export async function decodeObjectBody(buf: Buffer, contentType: string | undefined): Promise<KubeObject> {
  const type = mediaType(contentType) || JSON_TYPE
  let obj: unknown
  if (type === PROTOBUF_TYPE) obj = (await import('./protobuf/index.js')).decodeProtobufObject(buf)
  else if (type === JSON_TYPE || type === YAML_TYPE || type === '*/*') obj = parseDocument(buf, type)
  else throw unsupportedMediaType(type, [JSON_TYPE, YAML_TYPE, PROTOBUF_TYPE])
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw badRequest("Object 'Kind' is missing in '" + buf.toString('utf8').slice(0, 200) + "'")
  }
  return obj as KubeObject
}

export type ResponseShape = { table: false } | { table: true; version: 'v1' | 'v1beta1' }

/** Reads Accept: a Table when asked for with `as=Table;g=meta.k8s.io`, else JSON. */
export function responseShape(accept: string | undefined): ResponseShape {
  if (!accept) return { table: false }
  let jsonOk = false
  for (const part of accept.split(',')) {
    const [base, ...params] = part.split(';').map((s) => s.trim())
    const p = Object.fromEntries(params.map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]))
    if (base === JSON_TYPE && p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) {
      return { table: true, version: p.v }
    }
    if (base === JSON_TYPE && !p.as) jsonOk = true
    if (base === '*/*' || base === 'application/*' || base === YAML_TYPE) jsonOk = true
    // Protobuf replies are not offered; clients that list it also list JSON.
  }
  if (!jsonOk) throw notAcceptable(`only the following media types are accepted: ${JSON_TYPE}, ${YAML_TYPE}`)
  return { table: false }
}

/**
 * @module
 * Decodes a `application/vnd.kubernetes.protobuf` request body into the JSON object the
 * JSON API would have received for it, so everything after the body parser stays JSON-only.
 */
import { badRequest, isStatusError, unsupportedMediaType } from '../../api/errors.js'
import { decodeMessage } from './decode-message.js'
import { compileSchema } from './schema.js'
import { specialTables } from './special-types.js'
import { messageFor, packages } from './tables/index.js'
import { reader } from './wire.js'

/** The media type kubectl ≥ 1.32 sends generator-created objects in. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf'

/** A decoded object: at least its type, then whatever its fields were. */
export type DecodedObject = { apiVersion: string; kind: string; [field: string]: unknown }

// Upstream: apimachinery pkg/runtime/serializer/protobuf/protobuf.go (protoEncodingPrefix).
const MAGIC = [0x6b, 0x38, 0x73, 0x00] // "k8s\0"

const schema = compileSchema({
  ...packages,
  meta: { ...packages.meta, ...specialTables.meta },
  resource: specialTables.resource,
  intstr: specialTables.intstr,
})

type Envelope = { apiVersion: string; kind: string; raw: Uint8Array; contentEncoding: string }

// Upstream: apimachinery pkg/runtime/generated.proto (Unknown, TypeMeta): typeMeta=1
// {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4.
function readEnvelope(bytes: Uint8Array): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '' }
  const r = reader(bytes)
  while (!r.done()) {
    const { no, wireType } = r.tag()
    if (wireType !== 2) r.skip(wireType)
    else if (no === 1) {
      const t = reader(r.bytes())
      while (!t.done()) {
        const tag = t.tag()
        if (tag.wireType === 2 && tag.no === 1) env.apiVersion = t.string()
        else if (tag.wireType === 2 && tag.no === 2) env.kind = t.string()
        else t.skip(tag.wireType)
      }
    } else if (no === 2) env.raw = r.bytes()
    else if (no === 3) env.contentEncoding = r.string()
    else r.skip(wireType) // contentType (4) is informational: raw is always Protobuf here
  }
  return env
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * The JSON form of a Protobuf-encoded object. Throws a 400 StatusError for a malformed
 * body and a 415 for a kind this server has no Protobuf tables for.
 */
export function decodeProtobufObject(body: Uint8Array): DecodedObject {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [${MAGIC.join(' ')}]`)
  }
  let env: Envelope
  try {
    env = readEnvelope(body.subarray(MAGIC.length))
  } catch (err) {
    throw badRequest(`unable to decode the Protobuf envelope: ${message(err)}`)
  }
  const { apiVersion, kind } = env
  if (!kind) throw badRequest("Object 'Kind' is missing in the Protobuf body")
  if (!apiVersion) throw badRequest("Object 'apiVersion' is missing in the Protobuf body")
  if (env.contentEncoding) throw badRequest(`unsupported Protobuf content encoding "${env.contentEncoding}"`)
  const name = messageFor(apiVersion, kind)
  if (!name) {
    // kubectl falls back to nothing on 415, but the message tells the user the way out.
    const err = unsupportedMediaType(PROTOBUF_MEDIA_TYPE, ['application/json', 'application/yaml'])
    err.status.message = `${kind} in ${apiVersion} cannot be decoded from Protobuf by this server; ` +
      `send it as JSON or YAML (e.g. kubectl create --dry-run=client -o yaml | kubectl apply -f -)`
    throw err
  }
  try {
    const obj = decodeMessage(schema, name, env.raw) as Record<string, unknown>
    return { kind, apiVersion, ...obj } // Go's TypeMeta puts kind first
  } catch (err) {
    if (isStatusError(err)) throw err
    throw badRequest(`unable to decode the Protobuf body as ${apiVersion} ${kind}: ${message(err)}`)
  }
}

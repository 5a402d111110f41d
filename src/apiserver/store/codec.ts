/**
 * @module
 * Storage keys and the object ⇄ bytes codec. The value in storage never holds the
 * resourceVersion: it is the key's modRevision, set when the object is read, as upstream does.
 */
import type { KubeObject } from '../../api/index.js'
import type { KeyValue } from '../../storage/index.js'

type Resource = { group: string; resource: string; namespaced: boolean }

/** `/registry/<group>/<resource>/` — every object of a resource lives under it. */
export const resourcePrefix = (r: Resource) => `/registry/${r.group || 'core'}/${r.resource}/`

/** The prefix of one namespace's objects, or of all of them when `namespace` is ''. */
export const listPrefix = (r: Resource, namespace: string) =>
  r.namespaced && namespace ? `${resourcePrefix(r)}${namespace}/` : resourcePrefix(r)

export const objectKey = (r: Resource, namespace: string, name: string) =>
  r.namespaced ? `${resourcePrefix(r)}${namespace}/${name}` : `${resourcePrefix(r)}${name}`

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeObject(obj: KubeObject): Uint8Array {
  const rv = obj.metadata?.resourceVersion
  if (obj.metadata && rv !== undefined) delete obj.metadata.resourceVersion
  try {
    return encoder.encode(JSON.stringify(obj))
  } finally {
    if (obj.metadata && rv !== undefined) obj.metadata.resourceVersion = rv
  }
}

// Decoded objects are cached per stored value: the backend hands out the same KeyValue for
// an unchanged key, so a list of 10,000 objects parses each only once across requests.
const decoded = new WeakMap<KeyValue, KubeObject>()

/** The stored object, with resourceVersion set. Shared: callers must not mutate it. */
export function decodeShared(kv: KeyValue): KubeObject {
  let obj = decoded.get(kv)
  if (!obj) {
    obj = JSON.parse(decoder.decode(kv.value)) as KubeObject
    obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRevision) }
    decoded.set(kv, obj)
  }
  return obj
}

/** A private, editable copy of the stored object. */
export const decodeObject = (kv: KeyValue): KubeObject => structuredClone(decodeShared(kv))

/**
 * @module
 * Small helpers shared by the core/v1 registry entries: quantities for comparisons,
 * IP syntax, image tags, access-mode strings, timestamps.
 */
import { isIP } from 'node:net'

/** RFC 3339 with second precision, as metav1.Time marshals (hooks get no clock from the store). */
export const nowRFC3339 = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
}
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/

/** A resource.Quantity's value as a number (enough to compare), undefined when malformed. */
// Upstream: staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go (ParseQuantity), approximated.
export function quantityValue(q: string | number | undefined | null): number | undefined {
  if (q === undefined || q === null) return undefined
  if (typeof q === 'number') return q
  const m = QUANTITY.exec(q.trim())
  if (!m) return undefined
  const base = Number(m[1])
  if (m[3] !== undefined) return base * 10 ** Number(m[3])
  return base * (SUFFIX[m[2] ?? ''] ?? 1)
}

export const isValidIP = (s: string) => isIP(s) !== 0

/** The tag of an image reference: "latest" when neither tag nor digest is given. */
// Upstream: pkg/util/parsers/parsers.go (ParseImageName), via docker's reference grammar.
export function imageTag(image: string): string {
  if (!image) return ''
  const at = image.indexOf('@')
  const name = at >= 0 ? image.slice(0, at) : image
  const lastSlash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  if (colon > lastSlash) return name.slice(colon + 1)
  return at >= 0 ? '' : 'latest'
}

/** "RWO,ROX,RWX,RWOP" in upstream's fixed order, duplicates dropped. */
// Upstream: pkg/apis/core/helper/helpers.go (GetAccessModesAsString).
export function accessModesString(modes: string[] | undefined): string {
  const has = new Set(modes ?? [])
  return [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']]
    .filter(([m]) => has.has(m!)).map(([, s]) => s).join(',')
}

/** A Go map as `%#v` prints it in field errors: map[string]string{"a":"b"}. */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (!m) return 'map[string]string(nil)'
  return `map[string]string{${Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(', ')}}`
}

/** Bytes of a base64 value as stored in Secret.data / ConfigMap.binaryData. */
export function base64Length(v: string | undefined): number {
  if (!v) return 0
  return Buffer.from(v, 'base64').length
}

/** Go's `reflect.DeepEqual` over JSON values (no empty-equals-missing rule). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a as object).filter((k) => (a as any)[k] !== undefined)
  const kb = Object.keys(b as object).filter((k) => (b as any)[k] !== undefined)
  return ka.length === kb.length && ka.every((k) => deepEqual((a as any)[k], (b as any)[k]))
}

/** kubernetes-types marks `status` read-only; strategies are the ones allowed to write it. */
export const w = <T>(o: T) => o as { -readonly [K in keyof T]: T[K] }

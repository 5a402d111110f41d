/**
 * @module
 * What the atomic writer puts in configMap, secret, downwardAPI and projected volumes: the
 * files each source yields, with their modes, computed from the objects the kubelet sees.
 */
// Upstream: pkg/volume/configmap/configmap.go (MakePayload), pkg/volume/secret/secret.go
// (MakePayload), pkg/volume/downwardapi/downwardapi.go (CollectData), pkg/volume/projected/
// projected.go (collectData). clusterTrustBundle and podCertificate sources are not supported.
import type {
  ConfigMapProjection, DownwardAPIVolumeFile, Pod, SecretProjection, ServiceAccountTokenProjection, Volume,
} from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import type { ObjectSource, PodRuntimeFacts } from '../types.js'
import type { Payload } from './atomic-writer.js'
import { containerResourceValue, volumeFieldValue, type NodeAllocatable } from './field-path.js'

/** Upstream's default file mode for configMap, secret, downwardAPI and projected volumes. */
export const DEFAULT_MODE = 0o644

/** Everything payloads are computed from. */
export type PayloadContext = {
  pod: Cached<Pod>
  facts: PodRuntimeFacts
  source: ObjectSource
  nodeAllocatable?: NodeAllocatable
  /** A service account token for a projected volume source (cached by the caller). */
  token(projection: Cached<ServiceAccountTokenProjection>): Promise<string>
}

type KeyToPath = { readonly key: string; readonly path: string; readonly mode?: number }
const utf8 = (s: string) => new TextEncoder().encode(s)
const fromBase64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'))

/** Files of one object's data: every key, or just `items` (key → path, mode). */
function keysToFiles(
  out: Payload, data: Map<string, Uint8Array>, items: readonly KeyToPath[] | undefined, defaultMode: number, optional: boolean,
  missingKey: (key: string) => string,
): void {
  if (!items?.length) {
    for (const [k, v] of data) out.set(k, { data: v, mode: defaultMode })
    return
  }
  for (const item of items) {
    const v = data.get(item.key)
    if (v === undefined) {
      if (optional) continue
      throw new Error(missingKey(item.key))
    }
    out.set(item.path, { data: v, mode: item.mode ?? defaultMode })
  }
}

type ConfigMapRef = Pick<Cached<ConfigMapProjection>, 'name' | 'items' | 'optional'>
type SecretRef = Pick<Cached<SecretProjection>, 'items' | 'optional'> & { name?: string }

/** A configMap's files; missing and optional → none; missing → upstream's NotFound message. */
export function configMapFiles(ctx: PayloadContext, ref: ConfigMapRef, defaultMode: number, out: Payload = new Map()): Payload {
  const name = ref.name ?? ''
  const cm = ctx.source.configMap(ctx.pod.metadata?.namespace ?? 'default', name)
  if (!cm) {
    if (ref.optional) return out
    throw new Error(`configmap "${name}" not found`)
  }
  const data = new Map<string, Uint8Array>()
  for (const [k, v] of Object.entries(cm.data ?? {})) data.set(k, utf8(v))
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) data.set(k, fromBase64(v))
  keysToFiles(out, data, ref.items, defaultMode, ref.optional === true, (k) => `configmap references non-existent config key: ${k}`)
  return out
}

/** A secret's files (its `data` is base64); the same rules as configMapFiles. */
export function secretFiles(ctx: PayloadContext, ref: SecretRef, defaultMode: number, out: Payload = new Map()): Payload {
  const name = ref.name ?? ''
  const secret = ctx.source.secret(ctx.pod.metadata?.namespace ?? 'default', name)
  if (!secret) {
    if (ref.optional) return out
    throw new Error(`secret "${name}" not found`)
  }
  const data = new Map(Object.entries(secret.data ?? {}).map(([k, v]) => [k, fromBase64(v)] as const))
  keysToFiles(out, data, ref.items, defaultMode, ref.optional === true, (k) => `secret references non-existent secret key: ${k}`)
  return out
}

/** downwardAPI items: metadata fields (labels and annotations as `key="value"` lines) and resources. */
export function downwardAPIFiles(
  ctx: PayloadContext, items: readonly Cached<DownwardAPIVolumeFile>[] | undefined, defaultMode: number, out: Payload = new Map(),
): Payload {
  const errors: string[] = []
  for (const item of items ?? []) {
    try {
      let value = ''
      if (item.fieldRef) value = volumeFieldValue(item.fieldRef, ctx.pod)
      else if (item.resourceFieldRef) value = containerResourceValue(item.resourceFieldRef, ctx.pod, undefined, ctx.nodeAllocatable)
      out.set(item.path, { data: utf8(value), mode: item.mode ?? defaultMode })
    } catch (err) {
      errors.push((err as Error).message)
    }
  }
  if (errors.length) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`)
  return out
}

/** The payload of one pod volume of a projected kind; undefined for kinds without files. */
export async function volumePayload(ctx: PayloadContext, volume: Cached<Volume>): Promise<Payload | undefined> {
  if (volume.configMap) return configMapFiles(ctx, volume.configMap, volume.configMap.defaultMode ?? DEFAULT_MODE)
  if (volume.secret) return secretFiles(ctx, { ...volume.secret, name: volume.secret.secretName }, volume.secret.defaultMode ?? DEFAULT_MODE)
  if (volume.downwardAPI) return downwardAPIFiles(ctx, volume.downwardAPI.items, volume.downwardAPI.defaultMode ?? DEFAULT_MODE)
  if (!volume.projected) return undefined
  const mode = volume.projected.defaultMode ?? DEFAULT_MODE
  const out: Payload = new Map()
  const errors: string[] = []
  // Later sources overwrite earlier ones on a path collision, as upstream's map assignment does.
  for (const src of volume.projected.sources ?? []) {
    try {
      if (src.configMap) configMapFiles(ctx, src.configMap, mode, out)
      else if (src.secret) secretFiles(ctx, src.secret, mode, out)
      else if (src.downwardAPI) downwardAPIFiles(ctx, src.downwardAPI.items, mode, out)
      else if (src.serviceAccountToken) {
        out.set(src.serviceAccountToken.path, { data: utf8(await ctx.token(src.serviceAccountToken)), mode })
      }
    } catch (err) {
      errors.push((err as Error).message)
    }
  }
  if (errors.length) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`)
  return out
}

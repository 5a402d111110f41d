/**
 * @module
 * Making sure a container's image is there before it starts, with the pull policy and the
 * events of upstream's image manager. There is no registry client yet: a local image is
 * used as present; a missing one runs on the host base when the fallback allows it, and
 * otherwise fails as a failed pull (ErrImagePull, then ImagePullBackOff with back-off).
 */
// Upstream: pkg/kubelet/images/image_manager.go (EnsureImageExists, shouldPullImage) and
// pkg/kubelet/images/types.go (ErrImagePullBackOff, ErrImageNeverPull, ErrImagePull).
import type { Container, Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../api/index.js'
import type { ImageRootfs } from '../runtime/types.js'
import type { Backoff } from './backoff.js'

import type { ImageConfig, ImageRecord, ImageStore as LocalImageStore } from '../runtime/images/types.js'

export type { ImageConfig, ImageRecord }
/** What the kubelet asks of the local image store: finding an image by reference. */
export type ImageStore = Pick<LocalImageStore, 'resolve'>

export type ImageFallback = 'host' | 'never'

export type ImageFailureReason = 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName'

export type EnsuredImage =
  | { ok: true; rootfs: ImageRootfs; config: ImageConfig; image: string; imageID: string }
  | { ok: false; reason: ImageFailureReason; message: string }

export type ImageDeps = {
  store: ImageStore
  fallback: ImageFallback
  backoff: Backoff
  now: () => number
  event(type: 'Normal' | 'Warning', reason: string, message: string): void
}

const emptyConfig: ImageConfig = { env: [] }

/** The pull policy the API server would have defaulted: Always for `:latest` or no tag, else IfNotPresent. */
export function pullPolicyOf(c: Cached<Container>): 'Always' | 'IfNotPresent' | 'Never' {
  if (c.imagePullPolicy === 'Always' || c.imagePullPolicy === 'IfNotPresent' || c.imagePullPolicy === 'Never') return c.imagePullPolicy
  const image = c.image ?? ''
  const last = image.slice(image.lastIndexOf('/') + 1)
  if (image.includes('@')) return 'IfNotPresent'
  return !last.includes(':') || last.endsWith(':latest') ? 'Always' : 'IfNotPresent'
}

/** Resolves `container`'s image for a start, recording upstream's events through `deps.event`. */
export async function ensureImage(pod: Cached<Pod>, container: Cached<Container>, deps: ImageDeps): Promise<EnsuredImage> {
  const image = container.image ?? ''
  if (!image.trim()) return { ok: false, reason: 'InvalidImageName', message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format` }
  const record = await deps.store.resolve(image)
  const policy = pullPolicyOf(container)
  if (record) {
    // A local build is always current: with no registry, Always means "use the local one".
    deps.event('Normal', 'Pulled', `Container image "${image}" already present on machine`)
    return { ok: true, rootfs: { layers: [...record.layers] }, config: record.config, image: record.names[0] ?? image, imageID: record.id }
  }
  if (policy === 'Never') {
    const message = `Container image "${image}" is not present with pull policy of Never`
    deps.event('Warning', 'ErrImageNeverPull', message)
    return { ok: false, reason: 'ErrImageNeverPull', message }
  }
  if (deps.fallback === 'host') {
    deps.event('Normal', 'Pulled', `Container image "${image}" is not present on this node and cannot be pulled: running it on the host base (image fallback "host")`)
    return { ok: true, rootfs: { layers: [] }, config: emptyConfig, image, imageID: '' }
  }
  const key = `image/${pod.metadata?.uid ?? ''}/${image}`
  const last = deps.backoff.lastAt(key)
  if (last !== undefined && deps.backoff.inBackoffSince(key, last)) {
    const message = `Back-off pulling image "${image}"`
    deps.event('Normal', 'BackOff', message)
    return { ok: false, reason: 'ImagePullBackOff', message }
  }
  deps.event('Normal', 'Pulling', `Pulling image "${image}"`)
  const err = `no registry client on this node and no local image "${image}" (build it with kubelite image build, or use --image-fallback=host)`
  deps.event('Warning', 'Failed', `Failed to pull image "${image}": ${err}`)
  deps.backoff.next(key, deps.now())
  return { ok: false, reason: 'ErrImagePull', message: `failed to pull image "${image}": ${err}` }
}

/** When a pod's image back-off for `image` ends (to re-sync then), if it is backing off. */
export function imageBackoffDue(podUid: string, image: string, backoff: Backoff): number | undefined {
  const key = `image/${podUid}/${image}`
  const last = backoff.lastAt(key)
  return last === undefined ? undefined : backoff.dueAt(key, last)
}

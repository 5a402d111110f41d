/**
 * @module
 * The scale subresource of an autoscaler's target (or a pod's controller), addressed by kind
 * the way client-go's scale client does: map the kind to its resource, then GET or PATCH
 * `<resource>/<name>/scale`. Works for every built-in kind that serves `scale`.
 */
// Upstream: staging/src/k8s.io/client-go/scale/client.go (Get, Update). Deliberate difference:
// the update is an unconditional merge patch of spec.replicas (as `kubectl scale` sends), so a
// status write by the workload's controller between our GET and PATCH is not a conflict.
import type { Scale } from 'kubernetes-types/autoscaling/v1.js'
import { parseApiVersion } from '../../api/index.js'
import { resourceFor, resourcePath, type Client, type KindRef, type ResourceRef } from '../../client/index.js'

/** What names a scalable object: a CrossVersionObjectReference or an owner reference. */
export type ScaleTarget = { apiVersion?: string; kind: string; name: string }

function mapping(target: ScaleTarget): { kind: KindRef; ref: ResourceRef } {
  const kind = { apiVersion: target.apiVersion ?? '', kind: target.kind }
  try {
    return { kind, ref: resourceFor(kind) }
  } catch {
    // Upstream's NoKindMatchError, as the RESTMapper words it.
    throw new Error(`no matches for kind "${target.kind}" in group "${parseApiVersion(kind.apiVersion).group}"`)
  }
}

/** The resource serving `target`'s kind, e.g. `deployments.apps`. */
export function scaleResourceName(target: ScaleTarget): string {
  const { ref } = mapping(target)
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource
}

/** GET `<resource>/<name>/scale`; rejects with the server's StatusError (NotFound when absent). */
export function getScale(client: Client, target: ScaleTarget, namespace: string, signal?: AbortSignal): Promise<Scale> {
  const { ref } = mapping(target)
  return client.getPath<Scale>(resourcePath(ref, namespace, target.name, 'scale'), { signal })
}

/** Sets `spec.replicas` through the scale subresource. */
export async function updateScale(client: Client, target: ScaleTarget, namespace: string, replicas: number, signal?: AbortSignal): Promise<void> {
  const { kind } = mapping(target)
  await client.patch(kind, target.name, namespace, { spec: { replicas } }, { type: 'merge', subresource: 'scale', signal })
}

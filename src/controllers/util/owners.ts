/**
 * @module
 * Owner references and pods stamped from templates.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js'
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { copy, keyOf, type Cached, type KubeObject } from '../../api/index.js'

/** A controller owner reference to `owner` (controller and blockOwnerDeletion set, as upstream). */
export function controllerRef(owner: Cached<KubeObject>): OwnerReference {
  return {
    apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata!.name!, uid: owner.metadata!.uid!,
    controller: true, blockOwnerDeletion: true,
  }
}

/** The keys (namespace/name) of `obj`'s controller when it is of `kind`, for triggers. */
export function controllerKeys(obj: Cached<KubeObject>, kind: string): string[] {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true)
  if (!ref || ref.kind !== kind) return []
  return [keyOf({ metadata: { namespace: obj.metadata?.namespace, name: ref.name } })]
}

/** Whether `obj` is controlled by `owner` (matching uid). */
export const isControlledBy = (obj: Cached<KubeObject>, owner: Cached<KubeObject>) =>
  obj.metadata?.ownerReferences?.some((r) => r.controller === true && r.uid === owner.metadata?.uid) ?? false

/**
 * A new pod from a template (upstream's GetPodFromTemplate): labels, annotations and spec from
 * the template, finalizers, the controller reference, and `generateName` `<prefix>-`.
 */
export function podFromTemplate(template: Cached<PodTemplateSpec> | undefined, owner: Cached<KubeObject>, generateName?: string): Pod {
  const t = copy(template ?? {}) as PodTemplateSpec
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      ...(generateName ? { generateName } : {}),
      namespace: owner.metadata?.namespace,
      labels: t.metadata?.labels ?? {},
      ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
      ...(t.metadata?.finalizers ? { finalizers: t.metadata.finalizers } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: t.spec!,
  }
}

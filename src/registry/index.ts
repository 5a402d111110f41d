/**
 * @module
 * Every built-in kind the API server serves, and lookups over them.
 */
import { appsV1 } from './apps/index.js'
import { autoscaling } from './autoscaling/index.js'
import { batchV1 } from './batch/index.js'
import { coordinationV1 } from './coordination/index.js'
import { coreV1 } from './core/index.js'
import { discoveryV1 } from './discovery/index.js'
import { eventsV1 } from './events/index.js'
import { networkingV1 } from './networking/index.js'
import { policyV1 } from './policy/index.js'
import { rbacV1 } from './rbac/index.js'
import { schedulingV1 } from './scheduling/index.js'
import { storageV1 } from './storage/index.js'
import type { Registry, ResourceType } from './types.js'

export type { Column, Registry, ResourceType, ScaleSubresource } from './types.js'
export { bootstrapObjects } from './bootstrap-objects.js'
export { validateObjectMeta, validateObjectMetaUpdate } from './meta-validation.js'

export const builtinResources = (): ResourceType[] => [
  ...coreV1, ...appsV1, ...batchV1, ...autoscaling, ...policyV1, ...networkingV1, ...discoveryV1,
  ...storageV1, ...coordinationV1, ...eventsV1, ...schedulingV1, ...rbacV1,
]

export function createRegistry(resources: ResourceType[]): Registry {
  const byResource = new Map<string, ResourceType>()
  const byKind = new Map<string, ResourceType>()
  for (const rt of resources) {
    byResource.set(`${rt.group}/${rt.version}/${rt.resource}`, rt)
    byKind.set(`${rt.group}/${rt.version}/${rt.kind}`, rt)
  }
  return {
    all: () => resources,
    byResource: (g, v, r) => byResource.get(`${g}/${v}/${r}`),
    byKind: (g, v, k) => byKind.get(`${g}/${v}/${k}`),
  }
}

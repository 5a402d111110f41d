/**
 * @module
 * The core/v1 API group ("" group): every registry entry, plus the pod-template helpers
 * other groups (apps, batch) build on. Re-exports only.
 */
import type { ResourceType } from '../types.js'
import { configmaps, secrets } from './config.js'
import { endpoints, serviceaccounts } from './endpoints.js'
import { events } from './events.js'
import { namespaces } from './namespaces.js'
import { nodes } from './nodes.js'
import { bindings, pods } from './pods.js'
import { limitranges, resourcequotas } from './policy.js'
import { services } from './services.js'
import { persistentvolumeclaims, persistentvolumes } from './volumes.js'
import { podtemplates, replicationcontrollers } from './workloads.js'

export { defaultPodSpec, defaultPodTemplateSpec, defaultPod, defaultContainer } from './pod-defaults.js'
export { validatePodSpec, validatePodTemplateSpec, containerNames, containerImages, validateTolerations } from './pod-spec.js'
export { validateEnv, validateResources } from './container-validation.js'
export { podRow } from './pod-status.js'
export { podQOSClass } from './pod-qos.js'
export { validateNamespaceFinalizers, METADATA_NAME_LABEL } from './namespaces.js'
export { validateBinding } from './pods.js'
export {
  bindings, configmaps, endpoints, events, limitranges, namespaces, nodes, persistentvolumeclaims, persistentvolumes,
  pods, podtemplates, replicationcontrollers, resourcequotas, secrets, serviceaccounts, services,
}

/** Every core/v1 resource, in discovery order. */
export const coreV1: ResourceType[] = [
  bindings, configmaps, endpoints, events, limitranges, namespaces, nodes, persistentvolumeclaims, persistentvolumes,
  pods, podtemplates, replicationcontrollers, resourcequotas, secrets, serviceaccounts, services,
]

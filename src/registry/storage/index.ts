// The storage.k8s.io/v1 registry entries. Re-exports only.
import type { ResourceType } from '../types.js'
import { storageClasses } from './storageclasses.js'

export { storageClasses, isDefaultClass } from './storageclasses.js'
/** Every storage.k8s.io/v1 kind kubelite serves (others may be added beside). */
export const storageV1: ResourceType[] = [storageClasses]

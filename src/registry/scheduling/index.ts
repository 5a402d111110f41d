// The scheduling.k8s.io/v1 registry entries. Re-exports only.
import type { ResourceType } from '../types.js'
import { priorityClasses } from './priorityclasses.js'

export { priorityClasses, SYSTEM_PRIORITY_CLASSES, HIGHEST_USER_DEFINABLE_PRIORITY } from './priorityclasses.js'
/** Every scheduling.k8s.io/v1 kind kubelite serves. */
export const schedulingV1: ResourceType[] = [priorityClasses]

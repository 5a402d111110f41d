// The coordination.k8s.io/v1 registry entries. Re-exports only.
import type { ResourceType } from '../types.js'
import { leases } from './leases.js'

export { leases }
/** Every coordination.k8s.io/v1 kind kubelite serves. */
export const coordinationV1: ResourceType[] = [leases]

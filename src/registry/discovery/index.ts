// The discovery.k8s.io/v1 registry entries. Re-exports only.
import type { ResourceType } from '../types.js'
import { endpointSlices } from './endpointslices.js'

export { endpointSlices }
/** Every discovery.k8s.io/v1 kind kubelite serves. */
export const discoveryV1: ResourceType[] = [endpointSlices]

// The events.k8s.io/v1 registry entries. Re-exports only.
import type { ResourceType } from '../types.js'
import { eventsV1Events } from './events.js'

export { eventsV1Events }
export { eventToCore, eventFromCore } from './conversion.js'
export { eventColumns, eventCells } from './columns.js'
/** Every events.k8s.io/v1 kind kubelite serves. */
export const eventsV1: ResourceType[] = [eventsV1Events]

/**
 * @module
 * events.k8s.io/v1 Event: a view over the stored core/v1 Event (same storage, same objects,
 * renamed fields), validated with upstream's stricter events.k8s.io rules.
 */
// Upstream: pkg/registry/core/event/strategy.go (shared by both groups); pkg/apis/events/v1/conversion.go.
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js'
import type { Event } from 'kubernetes-types/events/v1.js'
import type { KubeObject } from '../../api/meta.js'
import type { ResourceType } from '../types.js'
import { eventColumns } from './columns.js'
import { eventFromCore, eventToCore } from './conversion.js'
import { validateEventsV1Create, validateEventsV1Update } from './validation.js'

type EventObj = Event & KubeObject

export const eventsV1Events = {
  group: 'events.k8s.io', version: 'v1', kind: 'Event', resource: 'events', singular: 'event',
  namespaced: true, shortNames: ['ev'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  schema: 'io.k8s.api.events.v1.Event',
  validate: (obj) => validateEventsV1Create(eventToCore(obj)),
  validateUpdate: (obj, old) => validateEventsV1Update(eventToCore(obj), eventToCore(old)),
  columns: eventColumns<EventObj>(eventToCore),
  conversion: {
    storedAs: { group: '', version: 'v1', resource: 'events' },
    toStored: (obj) => eventToCore(obj) as unknown as KubeObject,
    fromStored: (obj) => eventFromCore(obj as unknown as CoreEvent) as EventObj,
  },
} satisfies ResourceType<EventObj>

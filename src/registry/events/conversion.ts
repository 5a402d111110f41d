/**
 * @module
 * events.k8s.io/v1 Event ⇄ core/v1 Event. The API stores one Event kind (core/v1); the
 * events.k8s.io view renames fields: note↔message, regarding↔involvedObject,
 * reportingController↔reportingComponent, deprecatedSource/FirstTimestamp/LastTimestamp/Count
 * ↔ source/firstTimestamp/lastTimestamp/count. Everything else carries over unchanged.
 */
// Upstream: pkg/apis/events/v1/conversion.go (Convert_v1_Event_To_core_Event and back).
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js'
import type { Event as EventsV1Event } from 'kubernetes-types/events/v1.js'

type Pairs = [v1: keyof EventsV1Event, core: keyof CoreEvent][]

// Field names on each side; same-named fields are listed too so unknown extras never leak across.
const FIELDS: Pairs = [
  ['metadata', 'metadata'],
  ['eventTime', 'eventTime'],
  ['series', 'series'],
  ['reportingController', 'reportingComponent'],
  ['reportingInstance', 'reportingInstance'],
  ['action', 'action'],
  ['reason', 'reason'],
  ['regarding', 'involvedObject'],
  ['related', 'related'],
  ['note', 'message'],
  ['type', 'type'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
]

/** The core/v1 Event an events.k8s.io/v1 Event is stored as. */
export function eventToCore(ev: EventsV1Event): CoreEvent {
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: 'Event' }
  for (const [v1, core] of FIELDS) if (ev[v1] !== undefined) out[core] = structuredClone(ev[v1])
  // core/v1 requires involvedObject; an events.k8s.io Event may omit regarding.
  out.involvedObject ??= {}
  return out as unknown as CoreEvent
}

/** The events.k8s.io/v1 view of a stored core/v1 Event. */
export function eventFromCore(ev: CoreEvent): EventsV1Event {
  const out: Record<string, unknown> = { apiVersion: 'events.k8s.io/v1', kind: 'Event' }
  for (const [v1, core] of FIELDS) if (ev[core] !== undefined) out[v1] = structuredClone(ev[core])
  return out as unknown as EventsV1Event
}

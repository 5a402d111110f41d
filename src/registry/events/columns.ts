/**
 * @module
 * The Event table upstream prints (for core/v1 and events.k8s.io/v1 alike, since both print
 * the stored form): Last Seen, Type, Reason, Object, Message, and wide Subobject, Source,
 * First Seen, Count, Name.
 */
// Upstream: pkg/printers/internalversion/printers.go (printEvent, formatEventSource).
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js'
import { age } from '../printers.js'
import type { Column } from '../types.js'

/** The cells upstream derives from a stored Event. */
export function eventCells(ev: CoreEvent, now: number) {
  const first = ev.firstTimestamp ? age(ev.firstTimestamp, now) : age(ev.eventTime, now)
  let last = ev.lastTimestamp ? age(ev.lastTimestamp, now) : first
  let count = ev.count ?? 0
  if (ev.series) {
    last = age(ev.series.lastObservedTime, now)
    count = ev.series.count ?? 0
  } else if (count === 0) {
    count = 1 // singletons written through events.k8s.io carry no count
  }
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase()
  const object = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind
  const component = ev.source?.component || ev.reportingComponent || ''
  const instance = ev.source?.host || ev.reportingInstance || ''
  const source = instance ? `${component}, ${instance}` : component
  return { first, last, count, object, source, message: (ev.message ?? '').trim() }
}

/** Event columns over any shape `toCore` can turn into a stored core/v1 Event. */
export function eventColumns<T>(toCore: (obj: T) => CoreEvent): Column<T>[] {
  const cells = (o: T, now: number) => eventCells(toCore(o), now)
  return [
    { name: 'Last Seen', type: 'string', description: 'When the event was last observed.', cell: (o, now) => cells(o, now).last },
    { name: 'Type', type: 'string', description: 'Normal or Warning.', cell: (o) => toCore(o).type ?? '' },
    { name: 'Reason', type: 'string', description: 'Short machine-readable reason for the event.', cell: (o) => toCore(o).reason ?? '' },
    { name: 'Object', type: 'string', description: 'The object the event is about.', cell: (o, now) => cells(o, now).object },
    { name: 'Subobject', type: 'string', priority: 1, description: 'The part of the object the event is about.', cell: (o) => toCore(o).involvedObject?.fieldPath ?? '' },
    { name: 'Source', type: 'string', priority: 1, description: 'The component that reported the event.', cell: (o, now) => cells(o, now).source },
    { name: 'Message', type: 'string', description: 'Human-readable description of the event.', cell: (o, now) => cells(o, now).message },
    { name: 'First Seen', type: 'string', priority: 1, description: 'When the event was first observed.', cell: (o, now) => cells(o, now).first },
    { name: 'Count', type: 'string', priority: 1, description: 'How many times the event occurred.', cell: (o, now) => cells(o, now).count },
    { name: 'Name', type: 'string', format: 'name', priority: 1, description: 'The name of the event object.', cell: (o) => toCore(o).metadata?.name ?? '' },
  ]
}

/**
 * @module
 * Registry entry for core/v1 Events: namespace agreement with the involved object,
 * the fields `kubectl describe` selects on, and LAST SEEN TYPE REASON OBJECT MESSAGE.
 */
// Upstream: pkg/apis/core/validation/events.go (ValidateEventCreate, ValidateEventUpdate,
// legacyValidateEvent), pkg/registry/core/event/strategy.go (ToSelectableFields),
// pkg/printers/internalversion/printers.go (printEvent, formatEventSource).
import type { Event } from 'kubernetes-types/core/v1.js'
import { invalidValue, required, type FieldError } from '../../api/field-errors.js'
import { isDNS1123Subdomain, isQualifiedName } from '../../api/names.js'
import { age, nameColumn } from '../printers.js'
import type { Column, ResourceType } from '../types.js'

const LIMIT_128 = 128
const NOTE_LIMIT = 1024

function validateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = []
  const ns = ev.metadata?.namespace ?? ''
  const involvedNs = ev.involvedObject?.namespace ?? ''
  const mismatch = () => errs.push(invalidValue('involvedObject.namespace', involvedNs, 'does not match event.namespace'))
  if (!ev.eventTime) {
    // Old-style events: the event lives in its object's namespace ("default" for cluster objects).
    if (!involvedNs) { if (ns && ns !== 'default') mismatch() } else if (ns !== involvedNs) mismatch()
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') mismatch()
    const rc = ev.reportingComponent ?? ''
    if (!rc) errs.push(required('reportingComponent'))
    for (const m of isQualifiedName(rc)) errs.push(invalidValue('reportingComponent', rc, m))
    if (!ev.reportingInstance) errs.push(required('reportingInstance'))
    else if (ev.reportingInstance.length > LIMIT_128) errs.push(invalidValue('reportingInstance', '', `can have at most ${LIMIT_128} characters`))
    if (!ev.action) errs.push(required('action'))
    else if (ev.action.length > LIMIT_128) errs.push(invalidValue('action', '', `can have at most ${LIMIT_128} characters`))
    if (!ev.reason) errs.push(required('reason'))
    else if (ev.reason.length > LIMIT_128) errs.push(invalidValue('reason', '', `can have at most ${LIMIT_128} characters`))
    if ((ev.message?.length ?? 0) > NOTE_LIMIT) errs.push(invalidValue('message', '', `can have at most ${NOTE_LIMIT} characters`))
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(invalidValue('namespace', ns, m))
  return errs
}

const firstSeen = (e: Event, now: number) => (e.firstTimestamp ? age(e.firstTimestamp, now) : age(e.eventTime, now))
const lastSeen = (e: Event, now: number) =>
  e.series ? age(e.series.lastObservedTime, now) : e.lastTimestamp ? age(e.lastTimestamp, now) : firstSeen(e, now)

/** "pod/web-1", or just the kind when the object has no name. */
export const eventObject = (e: Event) => {
  const kind = (e.involvedObject?.kind ?? '').toLowerCase()
  return e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind
}

/** "kubelet, node-1": component and host, falling back to the reporting fields of newer events. */
export function eventSource(e: Event): string {
  const component = e.source?.component || e.reportingComponent || ''
  const host = e.source?.host || e.reportingInstance || ''
  return host ? `${component}, ${host}` : component
}

const columns: Column<Event>[] = [
  { name: 'Last Seen', type: 'string', description: 'When the event was last observed.', cell: lastSeen },
  { name: 'Type', type: 'string', description: 'Type of this event (Normal, Warning).', cell: (e) => e.type ?? '' },
  { name: 'Reason', type: 'string', description: 'Why the action was taken, in machine-readable form.', cell: (e) => e.reason ?? '' },
  { name: 'Object', type: 'string', description: 'The object this event is about.', cell: eventObject },
  { name: 'Subobject', type: 'string', priority: 1, description: 'The part of the object the event is about (a container, say).', cell: (e) => e.involvedObject?.fieldPath ?? '' },
  { name: 'Source', type: 'string', priority: 1, description: 'The component that reported this event.', cell: eventSource },
  { name: 'Message', type: 'string', description: 'A human-readable description of the event.', cell: (e) => (e.message ?? '').trim() },
  { name: 'First Seen', type: 'string', priority: 1, description: 'When the event was first recorded.', cell: firstSeen },
  { name: 'Count', type: 'string', priority: 1, description: 'How many times the event has occurred.', cell: (e) => (e.series ? e.series.count ?? 0 : e.count || 1) },
  { ...nameColumn, priority: 1 },
]

export const events = {
  group: '', version: 'v1', kind: 'Event', resource: 'events', singular: 'event', namespaced: true,
  shortNames: ['ev'], schema: 'io.k8s.api.core.v1.Event',
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  // core/v1 Event marshals these without omitempty: a real cluster shows them even when unset.
  defaults(e) {
    const o = e as unknown as Record<string, unknown>
    for (const k of ['eventTime', 'firstTimestamp', 'lastTimestamp']) if (o[k] === undefined) o[k] = null
    e.reportingComponent ??= ''
    e.reportingInstance ??= ''
    e.source ??= {}
  },
  validate: validateEvent,
  columns,
  selectableFields: (e) => ({
    'involvedObject.kind': e.involvedObject?.kind ?? '',
    'involvedObject.namespace': e.involvedObject?.namespace ?? '',
    'involvedObject.name': e.involvedObject?.name ?? '',
    'involvedObject.uid': e.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': e.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': e.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': e.involvedObject?.fieldPath ?? '',
    reason: e.reason ?? '',
    reportingComponent: e.reportingComponent ?? '',
    source: e.source?.component || e.reportingComponent || '',
    type: e.type ?? '',
  }),
} satisfies ResourceType<Event>

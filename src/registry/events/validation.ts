/**
 * @module
 * The strict checks upstream applies to Events written through events.k8s.io/v1. They run on
 * the stored (core) form, so field paths use core names (involvedObject, message), as upstream's do.
 */
// Upstream: pkg/apis/core/validation/events.go (ValidateEventCreate, ValidateEventUpdate,
// legacyValidateEvent, validateV1EventSeries).
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js'
import { immutable, invalidValue, required, type FieldError } from '../../api/field-errors.js'
import { semanticEqual } from '../../api/meta.js'
import { isDNS1123Subdomain, isQualifiedName } from '../../api/names.js'

const LIMIT = { reportingInstance: 128, action: 128, reason: 128, message: 1024 }

function legacyChecks(ev: CoreEvent): FieldError[] {
  const errs: FieldError[] = []
  const ns = ev.metadata?.namespace ?? ''
  const involvedNs = ev.involvedObject?.namespace ?? ''
  if (!ev.eventTime) {
    const ok = involvedNs ? ns === involvedNs : ns === '' || ns === 'default'
    if (!ok) errs.push(invalidValue('involvedObject.namespace', involvedNs, 'does not match event.namespace'))
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') {
      errs.push(invalidValue('involvedObject.namespace', involvedNs, 'does not match event.namespace'))
    }
    const controller = ev.reportingComponent ?? ''
    if (!controller) errs.push(required('reportingController'))
    for (const m of isQualifiedName(controller)) errs.push(invalidValue('reportingController', controller, m))
    for (const f of ['reportingInstance', 'action', 'reason'] as const) {
      const v = ev[f] ?? ''
      if (!v) errs.push(required(f))
      if (v.length > LIMIT[f]) errs.push(invalidValue(f, '', `can have at most ${LIMIT[f]} characters`))
    }
    if ((ev.message ?? '').length > LIMIT.message) errs.push(invalidValue('message', '', `can have at most ${LIMIT.message} characters`))
  }
  if (ns) for (const m of isDNS1123Subdomain(ns)) errs.push(invalidValue('namespace', ns, m))
  return errs
}

function seriesChecks(ev: CoreEvent): FieldError[] {
  if (!ev.series) return []
  const errs: FieldError[] = []
  if ((ev.series.count ?? 0) < 2) errs.push(invalidValue('series.count', '', 'should be at least 2'))
  if (!ev.series.lastObservedTime) errs.push(required('series.lastObservedTime'))
  return errs
}

/** Create through events.k8s.io/v1: new-style fields required, deprecated ones unset. */
export function validateEventsV1Create(ev: CoreEvent): FieldError[] {
  const errs = [...legacyChecks(ev), ...seriesChecks(ev)]
  if (!ev.eventTime) errs.push(required('eventTime'))
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(invalidValue('type', '', `has invalid value: ${ev.type ?? ''}`))
  if (ev.firstTimestamp) errs.push(invalidValue('firstTimestamp', '', 'needs to be unset'))
  if (ev.lastTimestamp) errs.push(invalidValue('lastTimestamp', '', 'needs to be unset'))
  if (ev.count) errs.push(invalidValue('count', '', 'needs to be unset'))
  if (ev.source?.component || ev.source?.host) errs.push(invalidValue('source', '', 'needs to be unset'))
  return errs
}

// Which core fields an update may not touch, and the path each is reported under.
const IMMUTABLE: [keyof CoreEvent, string][] = [
  ['involvedObject', 'involvedObject'], ['reason', 'reason'], ['message', 'message'], ['source', 'source'],
  ['firstTimestamp', 'firstTimestamp'], ['lastTimestamp', 'lastTimestamp'], ['count', 'count'], ['type', 'type'],
  ['action', 'action'], ['related', 'related'], ['reportingComponent', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
]

/** Microsecond-precision instant of a MicroTime, so sub-microsecond noise is no change. */
const micros = (t: string | undefined) => {
  if (!t) return ''
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(t)
  return m ? `${new Date(`${m[1]}${m[3]}`).getTime()}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}` : t
}

/** Update through events.k8s.io/v1: only the series (and metadata) may change. */
export function validateEventsV1Update(ev: CoreEvent, old: CoreEvent): FieldError[] {
  const errs = legacyChecks(ev)
  if (!semanticEqual(ev.series, old.series)) errs.push(...seriesChecks(ev))
  for (const [f, at] of IMMUTABLE) if (!semanticEqual(ev[f], old[f])) errs.push(immutable(at, ev[f]))
  if (micros(ev.eventTime) !== micros(old.eventTime)) errs.push(immutable('eventTime', ev.eventTime))
  return errs
}

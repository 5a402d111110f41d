// Tests for events.k8s.io/v1 Event: conversion both ways, strict validation, table cells.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js'
import { eventFromCore, eventToCore, eventsV1Events } from './index.js'

const errors = (errs: { error: string }[]) => errs.map((e) => e.error)
const now = Date.parse('2024-01-01T00:10:00Z')
const v1Event = (): any => ({
  apiVersion: 'events.k8s.io/v1', kind: 'Event',
  metadata: { name: 'web.17a', namespace: 'default' },
  eventTime: '2024-01-01T00:00:00.123456Z',
  series: { count: 3, lastObservedTime: '2024-01-01T00:08:00.000000Z' },
  reportingController: 'kubelite.io/scheduler', reportingInstance: 'kubelite-0',
  action: 'Binding', reason: 'Scheduled', note: '  Successfully assigned default/web to node1 ', type: 'Normal',
  regarding: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{app}' },
  related: { kind: 'Node', name: 'node1' },
  deprecatedSource: { component: 'old' }, deprecatedFirstTimestamp: '2024-01-01T00:00:00Z', deprecatedLastTimestamp: '2024-01-01T00:01:00Z', deprecatedCount: 2,
})

describe('events.k8s.io/v1 events', () => {
  it('renames fields into core/v1 and back without loss', () => {
    const core = eventToCore(v1Event())
    assert.equal(core.apiVersion, 'v1')
    assert.equal(core.message, '  Successfully assigned default/web to node1 ')
    assert.equal(core.reportingComponent, 'kubelite.io/scheduler')
    assert.deepEqual(core.involvedObject, v1Event().regarding)
    assert.deepEqual([core.source, core.firstTimestamp, core.lastTimestamp, core.count], [{ component: 'old' }, '2024-01-01T00:00:00Z', '2024-01-01T00:01:00Z', 2])
    assert.equal((core as any).note, undefined)
    assert.deepEqual(eventFromCore(core), v1Event())
    const legacy: CoreEvent = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'x', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p' }, message: 'hi', count: 4, source: { component: 'kubelet', host: 'node1' } }
    assert.deepEqual(eventToCore(eventFromCore(legacy)), legacy)
  })
  it('declares the core/v1 storage and shortName ev', () => {
    assert.deepEqual(eventsV1Events.conversion.storedAs, { group: '', version: 'v1', resource: 'events' })
    assert.deepEqual(eventsV1Events.shortNames, ['ev'])
    assert.equal((eventsV1Events.conversion.fromStored(eventsV1Events.conversion.toStored(v1Event())) as any).note, v1Event().note)
  })
  it('applies the strict events.k8s.io rules', () => {
    assert.deepEqual(errors(eventsV1Events.validate(v1Event())), [
      'firstTimestamp: Invalid value: "": needs to be unset',
      'lastTimestamp: Invalid value: "": needs to be unset',
      'count: Invalid value: "": needs to be unset',
      'source: Invalid value: "": needs to be unset',
    ])
    const fresh: any = { metadata: { name: 'e', namespace: 'default' }, eventTime: '2024-01-01T00:00:00.000000Z', type: 'Odd', series: { count: 1 }, regarding: { kind: 'Pod', name: 'p', namespace: 'other' } }
    assert.deepEqual(errors(eventsV1Events.validate(fresh)), [
      'reportingController: Required value',
      'reportingController: Invalid value: "": name part must be non-empty',
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
      'series.count: Invalid value: "": should be at least 2',
      'series.lastObservedTime: Required value',
      'type: Invalid value: "": has invalid value: Odd',
    ])
  })
  it('lets updates change only the series', () => {
    const old: any = { ...v1Event(), deprecatedSource: undefined, deprecatedFirstTimestamp: undefined, deprecatedLastTimestamp: undefined, deprecatedCount: undefined }
    const next: any = { ...structuredClone(old), series: { count: 4, lastObservedTime: '2024-01-01T00:09:00.000000Z' }, eventTime: '2024-01-01T00:00:00.1234569Z' }
    assert.deepEqual(eventsV1Events.validateUpdate(next, old), [])
    assert.deepEqual(errors(eventsV1Events.validateUpdate({ ...next, note: 'changed' }, old)), ['message: Invalid value: "changed": field is immutable'])
  })
  it('prints the same columns as core events', () => {
    assert.deepEqual(eventsV1Events.columns.map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name'])
    const e: any = { ...v1Event(), deprecatedSource: undefined, deprecatedFirstTimestamp: undefined, deprecatedLastTimestamp: undefined, deprecatedCount: undefined }
    assert.deepEqual(eventsV1Events.columns.map((c) => c.cell(e, now)),
      ['2m', 'Normal', 'Scheduled', 'pod/web', 'spec.containers{app}', 'kubelite.io/scheduler, kubelite-0', 'Successfully assigned default/web to node1', '9m59s', 3, 'web.17a'])
    const single: any = { ...e, series: undefined }
    assert.deepEqual(eventsV1Events.columns.map((c) => c.cell(single, now)).filter((_, i) => i === 0 || i === 8), ['9m59s', 1])
  })
})

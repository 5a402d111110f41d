import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Event } from 'kubernetes-types/core/v1.js'
import { events } from './events.js'
import { create, row } from './testing.js'

const NOW = Date.parse('2024-05-01T12:00:00Z')
const scheduled = (): Event => ({
  metadata: { name: 'web-1.17c', namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1', apiVersion: 'v1', resourceVersion: '42', fieldPath: 'spec.containers{web}' },
  reason: 'Pulled', message: 'Successfully pulled image "nginx"\n', type: 'Normal', source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: '2024-05-01T11:50:00Z', lastTimestamp: '2024-05-01T11:58:00Z', count: 3,
})

describe('events', () => {
  it('shows the zero-valued fields a real cluster shows', () => {
    const { obj } = create(events, { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'X' } as Event)
    assert.deepEqual(obj, {
      metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'X',
      eventTime: null, firstTimestamp: null, lastTimestamp: null, reportingComponent: '', reportingInstance: '', source: {},
    })
  })
  it('requires the event to live in its object’s namespace', () => {
    assert.deepEqual(create(events, scheduled()).errors, [])
    const e = scheduled()
    e.metadata!.namespace = 'other'
    assert.deepEqual(create(events, e).errors, ['involvedObject.namespace: Invalid value: "default": does not match event.namespace'])
    const node = scheduled()
    node.involvedObject = { kind: 'Node', name: 'node-1' }
    assert.deepEqual(create(events, node).errors, []) // cluster objects' events go to "default"
  })
  it('requires reporting fields on new-style events', () => {
    const e = scheduled()
    e.eventTime = '2024-05-01T11:58:00.000000Z'
    delete e.reason
    assert.deepEqual(create(events, e).errors, ['reportingComponent: Required value',
      'reportingComponent: Invalid value: "": name part must be non-empty', 'reportingInstance: Required value', 'action: Required value', 'reason: Required value'])
  })
  it('prints LAST SEEN TYPE REASON OBJECT MESSAGE and the wide columns', () => {
    assert.deepEqual(row(events, scheduled(), NOW), {
      'Last Seen': '2m', Type: 'Normal', Reason: 'Pulled', Object: 'pod/web-1', Subobject: 'spec.containers{web}',
      Source: 'kubelet, node-1', Message: 'Successfully pulled image "nginx"', 'First Seen': '10m', Count: 3, Name: 'web-1.17c',
    })
    assert.equal(events.columns.map((c) => c.priority ?? 0).join(''), '0000110111')
  })
  it('falls back to eventTime, series and reportingController for newer events', () => {
    const e: Event = {
      metadata: { name: 'x' }, involvedObject: { kind: 'Deployment', name: 'web' }, eventTime: '2024-05-01T11:59:00.000000Z',
      series: { count: 5, lastObservedTime: '2024-05-01T11:59:30.000000Z' }, reportingComponent: 'deployment-controller',
    }
    const r = row(events, e, NOW)
    assert.equal(r['Last Seen'], '30s')
    assert.equal(r['First Seen'], '60s')
    assert.equal(r.Count, 5)
    assert.equal(r.Source, 'deployment-controller')
    assert.equal(events.selectableFields(e).source, 'deployment-controller')
  })
  it('exposes the fields kubectl describe selects on', () => {
    assert.deepEqual(events.selectableFields(scheduled()), {
      'involvedObject.kind': 'Pod', 'involvedObject.namespace': 'default', 'involvedObject.name': 'web-1', 'involvedObject.uid': 'u1',
      'involvedObject.apiVersion': 'v1', 'involvedObject.resourceVersion': '42', 'involvedObject.fieldPath': 'spec.containers{web}',
      reason: 'Pulled', reportingComponent: '', source: 'kubelet', type: 'Normal',
    })
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { LimitRange, ResourceQuota } from 'kubernetes-types/core/v1.js'
import { limitranges, resourcequotas } from './policy.js'
import { create, row, update } from './testing.js'
import { w } from './util.js'

describe('resourcequotas', () => {
  it('starts with an empty status and keeps it on spec updates', () => {
    const { obj, errors } = create(resourcequotas, { metadata: { name: 'q' }, spec: { hard: { pods: '10' } }, status: { used: { pods: '3' } } } as ResourceQuota)
    assert.deepEqual(errors, [])
    assert.deepEqual(obj.status, {})
    const next = structuredClone(obj)
    w(next).status = { used: { pods: '1' } }
    assert.deepEqual(update(resourcequotas, next, obj).obj.status, {})
    assert.deepEqual(update(resourcequotas, next, obj, { status: true }).obj.status, { used: { pods: '1' } })
  })
  it('rejects negative quantities', () => {
    assert.deepEqual(create(resourcequotas, { metadata: { name: 'q' }, spec: { hard: { pods: '-1' } } } as ResourceQuota).errors,
      ['spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0'])
  })
  it('prints NAME AGE REQUEST LIMIT', () => {
    const q: ResourceQuota = { metadata: { name: 'q', creationTimestamp: '2024-05-01T11:59:00Z' }, spec: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '1Gi' } }, status: { used: { pods: '3' } } }
    assert.deepEqual(row(resourcequotas, q, Date.parse('2024-05-01T12:00:00Z')), { Name: 'q', Age: '60s', Request: 'pods: 3/10, requests.cpu: 0/2', Limit: 'limits.memory: 0/1Gi' })
  })
})

describe('limitranges', () => {
  it('defaults container limits from max and requests from defaults or min', () => {
    const { obj } = create(limitranges, { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } } as LimitRange)
    assert.deepEqual(obj.spec!.limits[0], { type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' }, default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' } })
  })
  it('prints the creation time itself', () => {
    assert.deepEqual(row(limitranges, { metadata: { name: 'l', creationTimestamp: '2024-05-01T11:00:00Z' } }, 0), { Name: 'l', 'Created At': '2024-05-01T11:00:00Z' })
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Namespace } from 'kubernetes-types/core/v1.js'
import { namespaces } from './namespaces.js'
import { create, row, update } from './testing.js'
import { w } from './util.js'

describe('namespaces', () => {
  it('reads back as `kubectl create ns dev` does on a real cluster', () => {
    const { obj, errors } = create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' }, spec: {}, status: {} } as Namespace)
    assert.deepEqual(errors, [])
    assert.deepEqual(obj.metadata, { name: 'dev', labels: { 'kubernetes.io/metadata.name': 'dev' } })
    assert.deepEqual(obj.spec, { finalizers: ['kubernetes'] })
    assert.deepEqual(obj.status, { phase: 'Active' })
  })
  it('labels a generated name once it exists, and keeps the label on update', () => {
    const ns: Namespace = { metadata: { generateName: 'tmp-' } }
    namespaces.defaults(ns)
    ns.metadata!.name = 'tmp-abcde' // what the store does between defaults and prepareForCreate
    namespaces.prepareForCreate(ns)
    assert.equal(ns.metadata!.labels!['kubernetes.io/metadata.name'], 'tmp-abcde')
    const next = structuredClone(ns)
    next.metadata!.labels = { team: 'a' }
    assert.deepEqual(update(namespaces, next, ns).obj.metadata!.labels, { team: 'a', 'kubernetes.io/metadata.name': 'tmp-abcde' })
  })
  it('uses DNS-1123 labels for names and checks finalizer names', () => {
    assert.ok(namespaces.validateName('a.b').length > 0)
    const bad = create(namespaces, { metadata: { name: 'x' }, spec: { finalizers: ['cleanup'] } } as Namespace)
    assert.deepEqual(bad.errors, ['spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified'])
  })
  it('keeps finalizers and status on update; status updates keep spec', () => {
    const old = create(namespaces, { metadata: { name: 'x' } } as Namespace).obj
    const next = structuredClone(old)
    next.spec = { finalizers: [] }
    w(next).status = { phase: 'Terminating' }
    const r = update(namespaces, next, old).obj
    assert.deepEqual(r.spec, { finalizers: ['kubernetes'] })
    assert.deepEqual(r.status, { phase: 'Active' })
    assert.deepEqual(update(namespaces, next, old, { status: true }).errors,
      ["status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"])
  })
  it('prints and selects on phase', () => {
    const ns = create(namespaces, { metadata: { name: 'x', creationTimestamp: '2024-05-01T11:59:00Z' } } as Namespace).obj
    assert.deepEqual(row(namespaces, ns, Date.parse('2024-05-01T12:00:00Z')), { Name: 'x', Status: 'Active', Age: '60s' })
    assert.deepEqual(namespaces.selectableFields(ns), { 'status.phase': 'Active', name: 'x' })
  })
})

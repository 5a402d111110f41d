import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isDNS1123Label } from '../api/names.js'
import {
  validateAnnotations, validateFinalizers, validateLabels, validateObjectMeta, validateObjectMetaUpdate, validateOwnerReferences,
} from './meta-validation.js'

const lines = (errs: { error: string }[]) => errs.map((e) => e.error)

describe('validateObjectMeta', () => {
  it('requires a name or generateName', () => {
    assert.deepEqual(lines(validateObjectMeta({ namespace: 'default' }, { namespaced: true })),
      ['metadata.name: Required value: name or generateName is required'])
  })
  it('checks name syntax with the kind’s rule (DNS-1123 subdomain by default)', () => {
    const errs = lines(validateObjectMeta({ name: 'Bad_Name', namespace: 'default' }, { namespaced: true }))
    assert.equal(errs.length, 1)
    assert.match(errs[0]!, /^metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/)
    const label = lines(validateObjectMeta({ name: 'a.b' }, { namespaced: false, validateName: isDNS1123Label }))
    assert.match(label[0]!, /^metadata\.name: Invalid value: "a\.b": a lowercase RFC 1123 label must consist/)
  })
  it('accepts a generateName ending in a dash', () => {
    assert.deepEqual(validateObjectMeta({ generateName: 'web-', name: 'web-x7k2p', namespace: 'ns' }, { namespaced: true }), [])
  })
  it('enforces namespace by scope', () => {
    assert.deepEqual(lines(validateObjectMeta({ name: 'a' }, { namespaced: true })), ['metadata.namespace: Required value'])
    assert.deepEqual(lines(validateObjectMeta({ name: 'a', namespace: 'x' }, { namespaced: false })),
      ['metadata.namespace: Forbidden: not allowed on this type'])
  })
  it('validates labels, annotations, finalizers and owner references', () => {
    const errs = lines(validateObjectMeta({
      name: 'a', namespace: 'd', labels: { 'bad key!': 'v' }, annotations: { 'x/y/z': '' },
      finalizers: ['orphan', 'foregroundDeletion'],
      ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }],
    }, { namespaced: true }))
    assert.equal(errs.filter((e) => e.startsWith('metadata.labels: Invalid value: "bad key!"')).length, 1)
    assert.equal(errs.filter((e) => e.startsWith('metadata.annotations: Invalid value: "x/y/z"')).length, 1)
    assert.ok(errs.some((e) => e.endsWith('finalizer orphan and foregroundDeletion cannot be both set')))
    assert.ok(errs.some((e) => e.endsWith('/v1, Kind=Event is disallowed from being an owner')))
  })
})

describe('labels and annotations', () => {
  it('rejects a bad label value', () => {
    const errs = lines(validateLabels({ app: '-x' }, 'metadata.labels'))
    assert.equal(errs.length, 1)
    assert.match(errs[0]!, /^metadata\.labels: Invalid value: "-x": a valid label must be an empty string or consist of/)
  })
  it('caps annotations at 256 KiB in total', () => {
    assert.deepEqual(validateAnnotations({ a: 'x'.repeat(256 * 1024 - 1) }, 'metadata.annotations'), [])
    assert.deepEqual(lines(validateAnnotations({ a: 'x'.repeat(256 * 1024) }, 'metadata.annotations')),
      ['metadata.annotations: Too long: may not be more than 262144 bytes'])
  })
  it('treats annotation keys case-insensitively', () => {
    assert.deepEqual(validateAnnotations({ 'Example.COM/Key': 'v' }, 'metadata.annotations'), [])
  })
})

describe('owner references and finalizers', () => {
  it('requires the reference fields and a single controller', () => {
    const errs = lines(validateOwnerReferences([
      { apiVersion: '', kind: '', name: '', uid: '' },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
    ], 'metadata.ownerReferences'))
    assert.ok(errs.includes('metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty'))
    assert.ok(errs.includes('metadata.ownerReferences.kind: Invalid value: "": kind must not be empty'))
    assert.ok(errs.includes('metadata.ownerReferences.name: Invalid value: "": name must not be empty'))
    assert.ok(errs.includes('metadata.ownerReferences.uid: Invalid value: "": uid must not be empty'))
    assert.ok(errs.some((e) => e.endsWith('Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b')))
  })
  it('rejects malformed finalizer names', () => {
    assert.equal(validateFinalizers(['example.com/cleanup', 'kubernetes'], 'metadata.finalizers').length, 0)
    assert.equal(validateFinalizers(['a/b/c'], 'metadata.finalizers').length, 1)
  })
})

describe('validateObjectMetaUpdate', () => {
  const old = { name: 'a', namespace: 'd', uid: 'u1', creationTimestamp: '2024-01-02T03:04:05Z', generation: 2 }
  it('accepts an unchanged identity', () => {
    assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { x: 'y' } }, old), [])
  })
  it('words immutable fields as upstream does', () => {
    assert.deepEqual(lines(validateObjectMetaUpdate({ ...old, name: 'b', namespace: 'e', uid: 'u2', creationTimestamp: '2025-01-01T00:00:00Z' }, old)), [
      'metadata.name: Invalid value: "b": field is immutable',
      'metadata.namespace: Invalid value: "e": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
      'metadata.creationTimestamp: Invalid value: 2025-01-01 00:00:00 +0000 UTC: field is immutable',
    ])
  })
  it('forbids decrementing generation and new finalizers during deletion', () => {
    const deleting = { ...old, deletionTimestamp: '2024-02-01T00:00:00Z', finalizers: ['a.io/x'] }
    const errs = lines(validateObjectMetaUpdate({ ...deleting, generation: 1, finalizers: ['a.io/x', 'b.io/y'] }, deleting))
    assert.deepEqual(errs, [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
      'metadata.generation: Invalid value: 1: must not be decremented',
    ])
  })
})

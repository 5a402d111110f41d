import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isStatusError } from '../errors.js'
import { applyMergePatch } from './merge-patch.js'
import { patchTypeOf } from './patch-type.js'

describe('applyMergePatch (RFC 7386)', () => {
  it('label, annotate and scale patches', () => {
    const obj = { metadata: { name: 'p', labels: { env: 'dev', app: 'web' } }, spec: { replicas: 1 } }
    assert.deepEqual(applyMergePatch(obj, { metadata: { labels: { env: 'prod' } } }).metadata.labels, { env: 'prod', app: 'web' })
    assert.deepEqual(applyMergePatch(obj, { metadata: { labels: { env: null } } }).metadata.labels, { app: 'web' })
    assert.deepEqual(applyMergePatch(obj, { metadata: { annotations: { note: 'hi' } } }).metadata, { name: 'p', labels: { env: 'dev', app: 'web' }, annotations: { note: 'hi' } })
    assert.equal(applyMergePatch(obj, '{"spec":{"replicas":4}}').spec.replicas, 4)
  })
  it('follows the RFC 7386 examples', () => {
    const cases: [unknown, unknown, unknown][] = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ]
    for (const [doc, patch, want] of cases) assert.deepEqual(applyMergePatch(doc as object, patch), want)
  })
  it('keeps nulls inside arrays but prunes them from objects in arrays, as upstream', () => {
    assert.deepEqual(applyMergePatch({}, { a: [null, { b: null, c: 1 }] }), { a: [null, { c: 1 }] })
  })
  it('does not change its inputs', () => {
    const obj = { a: { b: 1 } }
    const patch = { a: { c: { d: 1 } } }
    const out = applyMergePatch(obj, patch) as any
    out.a.c.d = 2
    assert.deepEqual([obj, patch], [{ a: { b: 1 } }, { a: { c: { d: 1 } } }])
  })
  it('rejects patches that are not objects', () => {
    assert.throws(() => applyMergePatch({}, 'nope'), (err) => isStatusError(err) && err.status.code === 400 && err.message === 'Invalid JSON Patch')
    assert.throws(() => applyMergePatch({}, null), (err) => isStatusError(err) && err.status.code === 400)
    assert.throws(() => applyMergePatch({}, 5), (err) => isStatusError(err) && err.status.code === 400)
    assert.throws(() => applyMergePatch({}, [1]), (err) => isStatusError(err) && err.status.code === 422)
  })
})

describe('patchTypeOf', () => {
  it('maps PATCH content types', () => {
    assert.equal(patchTypeOf('application/json-patch+json'), 'json')
    assert.equal(patchTypeOf('application/merge-patch+json; charset=utf-8'), 'merge')
    assert.equal(patchTypeOf('application/strategic-merge-patch+json'), 'strategic')
    assert.equal(patchTypeOf('application/apply-patch+yaml'), 'apply')
    assert.equal(patchTypeOf('application/json'), undefined)
    assert.equal(patchTypeOf(undefined), undefined)
  })
})

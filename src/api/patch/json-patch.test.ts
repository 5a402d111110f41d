import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isStatusError } from '../errors.js'
import { MAX_JSON_PATCH_OPERATIONS, applyJsonPatch } from './json-patch.js'

const failsWith = (code: number, message: string) => (err: unknown) =>
  isStatusError(err) && err.status.code === code && err.message === message

describe('applyJsonPatch', () => {
  const obj = { metadata: { name: 'web', annotations: { a: '1' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c' }] } } } }
  it('applies add, replace, remove, test, move and copy', () => {
    const out = applyJsonPatch(obj, [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels', value: { app: 'web' } },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'd' } },
      { op: 'remove', path: '/metadata/annotations/a' },
      { op: 'copy', from: '/metadata/labels', path: '/spec/selector' },
      { op: 'move', from: '/spec/selector', path: '/spec/matchLabels' },
    ])
    assert.deepEqual(out, {
      metadata: { name: 'web', annotations: {}, labels: { app: 'web' } },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'c' }, { name: 'd' }] } }, matchLabels: { app: 'web' } },
    })
  })
  it('rollout undo: replaces the template and the annotations (raw body)', () => {
    const out = applyJsonPatch(obj, '[{"op":"replace","path":"/spec/template","value":{"spec":{"containers":[{"name":"old"}]}}},{"op":"replace","path":"/metadata/annotations","value":{"deployment.kubernetes.io/revision":"3"}}]')
    assert.deepEqual(out.spec.template.spec.containers, [{ name: 'old' }])
    assert.deepEqual(out.metadata.annotations, { 'deployment.kubernetes.io/revision': '3' })
  })
  it('leaves the document and the patch unchanged', () => {
    const doc = structuredClone(obj)
    const patch = [{ op: 'add', path: '/spec/x', value: { y: 1 } }, { op: 'add', path: '/spec/x/z', value: 2 }]
    const before = structuredClone(patch)
    const out = applyJsonPatch(doc, patch) as any
    assert.deepEqual(doc, obj)
    assert.deepEqual(patch, before)
    assert.deepEqual(out.spec.x, { y: 1, z: 2 })
  })
  it('an operation that does not apply is a 422 with upstream\'s generic message', () => {
    const cannot = failsWith(422, 'the server rejected our request due to an error in our request')
    assert.throws(() => applyJsonPatch(obj, [{ op: 'remove', path: '/metadata/labels' }]), cannot)
    assert.throws(() => applyJsonPatch(obj, [{ op: 'replace', path: '/spec/nope', value: 1 }]), cannot)
    assert.throws(() => applyJsonPatch(obj, [{ op: 'add', path: '/a/b/c', value: 1 }]), cannot)
    assert.throws(() => applyJsonPatch(obj, [{ op: 'test', path: '/spec/replicas', value: 2 }]), cannot)
    assert.throws(() => applyJsonPatch(obj, [{ op: 'frobnicate', path: '/spec' }]), cannot)
    assert.throws(() => applyJsonPatch(obj, [{ op: 'remove', path: '/metadata/labels' }]), (err) => isStatusError(err) && err.status.reason === 'Invalid')
  })
  it('a body that is not a list of operations is a 400', () => {
    assert.throws(() => applyJsonPatch(obj, { op: 'add' }), failsWith(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'))
    assert.throws(() => applyJsonPatch(obj, ['x']), failsWith(400, 'json: cannot unmarshal string into Go value of type jsonpatch.Operation'))
    assert.throws(() => applyJsonPatch(obj, '[{'), (err) => isStatusError(err) && err.status.code === 400)
    assert.deepEqual(applyJsonPatch(obj, null), obj)
  })
  it('more than 10000 operations is a 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 }))
    assert.throws(() => applyJsonPatch(obj, ops), failsWith(413, 'The allowed maximum operations in a JSON patch is 10000, got 10001'))
  })
})

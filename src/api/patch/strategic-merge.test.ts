import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isStatusError } from '../errors.js'
import { applyStrategicMergePatch } from './strategic-merge.js'
import { DEPLOYMENT, POD, lookup } from './schema-fixture.test.js'

// Semantics follow upstream's strategicpatch tests (patch_test.go); the cases are our own.
const smp = (original: object, patch: unknown, type = POD) => applyStrategicMergePatch(original, patch, type, lookup) as any
const pod = (spec: object, metadata: object = { name: 'p' }) => ({ metadata, spec })
const names = (list: { name: string }[]) => list.map((x) => x.name)
const failsWith = (code: number, message: string, reason?: string) => (err: unknown) =>
  isStatusError(err) && err.status.code === code && err.message === message && (reason === undefined || err.status.reason === reason)

describe('strategic merge: maps and plain lists', () => {
  it('merges maps recursively; null deletes a key', () => {
    const out = smp({ metadata: { name: 'p', labels: { a: '1', b: '2' } } }, { metadata: { labels: { b: null, c: '3' } } })
    assert.deepEqual(out.metadata, { name: 'p', labels: { a: '1', c: '3' } })
  })
  it('null for a missing key is ignored, and nulls inside new values are dropped', () => {
    const out = smp(pod({}), { spec: { nodeSelector: { a: 'x', b: null } }, metadata: { gone: null } })
    assert.deepEqual(out.spec.nodeSelector, { a: 'x' })
    assert.equal('gone' in out.metadata, false)
  })
  it('replaces lists without a merge strategy', () => {
    const original = pod({ tolerations: [{ key: 'a' }, { key: 'b' }], containers: [{ name: 'c', args: ['1', '2'] }] })
    const out = smp(original, { spec: { tolerations: [{ key: 'z' }], containers: [{ name: 'c', args: ['3'] }] } })
    assert.deepEqual(out.spec.tolerations, [{ key: 'z' }])
    assert.deepEqual(out.spec.containers, [{ name: 'c', args: ['3'] }])
  })
  it('replaces a value of a different kind', () => {
    assert.deepEqual(smp(pod({ restartPolicy: 'Always' }), { spec: { restartPolicy: { x: 1 } } }).spec.restartPolicy, { x: 1 })
  })
  it('falls back to merge-patch rules where the schema knows nothing', () => {
    const out = smp({ a: { b: 1, c: [1, 2] }, d: [{ name: 'x' }] }, { a: { b: null, c: [3] }, d: [{ name: 'y' }] }, 'no.such.Type')
    assert.deepEqual(out, { a: { c: [3] }, d: [{ name: 'y' }] })
    const env = smp(pod({ containers: [{ name: 'c', env: [{ name: 'A', valueFrom: { x: { y: 1 } } }] }] }),
      { spec: { containers: [{ name: 'c', env: [{ name: 'A', valueFrom: { x: { z: 2 } } }] }] } })
    assert.deepEqual(env.spec.containers[0].env[0].valueFrom, { x: { y: 1, z: 2 } })
  })
  it('honours a replace strategy on a map field', () => {
    const out = smp({ replacingItem: { a: '1', b: '2' }, other: { a: '1', b: '2' } },
      { replacingItem: { a: '9' }, other: { a: '9' } }, 'test.Replacing')
    assert.deepEqual(out, { replacingItem: { a: '9' }, other: { a: '9', b: '2' } })
  })
  it('never changes its inputs', () => {
    const original = pod({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] })
    const patch = { spec: { containers: [{ name: 'a', env: [{ name: 'X', $patch: 'delete' }] }] } }
    const before = [structuredClone(original), structuredClone(patch)]
    const out = smp(original, patch)
    assert.deepEqual([original, patch], before)
    assert.deepEqual(out.spec.containers[0].env, [])
  })
})

describe('strategic merge: merge lists', () => {
  it('merges elements by key and keeps untouched ones', () => {
    const original = pod({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1', args: ['x'] }] })
    const out = smp(original, { spec: { containers: [{ name: 'b', image: 'b:2' }] } })
    assert.deepEqual(out.spec.containers, [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:2', args: ['x'] }])
  })
  it('orders by the patch, fitting untouched elements in by their old place', () => {
    const original = pod({ containers: [{ name: '1' }, { name: '2', image: 'b' }, { name: '3' }] })
    const out = smp(original, { spec: { containers: [{ name: '3', image: 'c' }, { name: '1', image: 'a' }, { name: '2', args: ['x'] }] } })
    assert.deepEqual(out.spec.containers, [{ name: '3', image: 'c' }, { name: '1', image: 'a' }, { name: '2', image: 'b', args: ['x'] }])
  })
  it('places elements new to the list before untouched ones, as upstream does', () => {
    const out = smp(pod({ containers: [{ name: 'a' }, { name: 'b' }] }), { spec: { containers: [{ name: 'new', image: 'n' }] } })
    assert.deepEqual(names(out.spec.containers), ['new', 'a', 'b'])
  })
  it('matches numeric merge keys (container ports)', () => {
    const original = pod({ containers: [{ name: 'c', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }] }] })
    const out = smp(original, { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }] } })
    assert.deepEqual(out.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }])
  })
  it('"$patch: delete" removes every element with that key', () => {
    const original = pod({ containers: [{ name: '1' }, { name: '1' }, { name: '2', image: 'a' }, { name: '3' }, { name: '3' }] })
    const out = smp(original, { spec: { containers: [{ name: '1', $patch: 'delete' }, { name: '3', $patch: 'delete' }, { name: '9', $patch: 'delete' }] } })
    assert.deepEqual(out.spec.containers, [{ name: '2', image: 'a' }])
  })
  it('"$patch: replace" makes the other elements the whole list', () => {
    const original = pod({ containers: [{ name: 'a' }, { name: 'b' }] })
    assert.deepEqual(smp(original, { spec: { containers: [{ $patch: 'replace' }] } }).spec.containers, [])
    assert.deepEqual(smp(original, { spec: { containers: [{ name: 'z', image: 'x' }, { $patch: 'replace' }] } }).spec.containers, [{ name: 'z', image: 'x' }])
  })
  it('a new list drops directive elements', () => {
    assert.deepEqual(smp(pod({}), { spec: { containers: [{ name: 'a' }, { name: 'b', $patch: 'delete' }] } }).spec.containers, [{ name: 'a' }])
  })
  it('merges status conditions by type', () => {
    const original = { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] } }
    const out = smp(original, { status: { conditions: [{ type: 'Ready', status: 'True' }] } })
    assert.deepEqual(out.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }])
  })
  it('merges ownerReferences by uid', () => {
    const original = { metadata: { ownerReferences: [{ uid: 'u1', name: 'a' }] } }
    const out = smp(original, { metadata: { ownerReferences: [{ uid: 'u1', kind: 'ReplicaSet' }, { uid: 'u2', name: 'b' }] } })
    assert.deepEqual(out.metadata.ownerReferences, [{ uid: 'u1', name: 'a', kind: 'ReplicaSet' }, { uid: 'u2', name: 'b' }])
  })
})

describe('strategic merge: primitive merge lists', () => {
  it('unions finalizers without duplicates', () => {
    assert.deepEqual(smp({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { finalizers: ['b', 'c'] } }).metadata.finalizers, ['a', 'b', 'c'])
    assert.deepEqual(smp({ metadata: { finalizers: ['a', 'b', 'c'] } }, { metadata: { finalizers: ['c', 'a'] } }).metadata.finalizers, ['b', 'c', 'a'])
    // A value new to the list goes first (upstream's ordering of patch items vs. server-only ones).
    assert.deepEqual(smp({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { finalizers: ['c'] } }).metadata.finalizers, ['c', 'a', 'b'])
    assert.deepEqual(smp({ metadata: {} }, { metadata: { finalizers: ['x'] } }).metadata.finalizers, ['x'])
  })
  it('$deleteFromPrimitiveList removes values', () => {
    const out = smp({ metadata: { finalizers: ['a', 'b', 'c'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'z'] } })
    assert.deepEqual(out.metadata.finalizers, ['a', 'c'])
    assert.deepEqual(smp({ metadata: {} }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } }).metadata, {})
  })
  it('deletes and adds in one patch', () => {
    const out = smp({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], '$setElementOrder/finalizers': ['b', 'c'], finalizers: ['c'] } })
    assert.deepEqual(out.metadata.finalizers, ['b', 'c'])
  })
})

describe('strategic merge: $setElementOrder', () => {
  it('puts the named elements in order and fits server-only ones in', () => {
    const original = pod({ containers: [{ name: 'a', image: 'x' }, { name: 'c' }, { name: 'd' }, { name: 'b' }, { name: 'z' }] })
    const out = smp(original, { spec: { '$setElementOrder/containers': [{ name: 'd' }, { name: 'b' }, { name: 'c' }, { name: 'a' }] } })
    assert.deepEqual(names(out.spec.containers), ['d', 'b', 'c', 'a', 'z'])
    const again = smp(pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'z' }, { name: 'c' }, { name: 'd' }] }),
      { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }, { name: 'd' }, { name: 'c' }] } })
    assert.deepEqual(names(again.spec.containers), ['b', 'a', 'z', 'd', 'c'])
  })
  it('never adds elements it names', () => {
    const out = smp(pod({ containers: [{ name: '1' }, { name: '3' }] }), { spec: {
      '$setElementOrder/containers': [{ name: '3' }, { name: '2' }, { name: '1' }],
      containers: [{ name: '3', image: 'c' }, { name: '1', image: 'a' }],
    } })
    assert.deepEqual(out.spec.containers, [{ name: '3', image: 'c' }, { name: '1', image: 'a' }])
    const ints = smp({ metadata: { finalizers: ['1', '3'] } }, { metadata: { '$setElementOrder/finalizers': ['3', '2', '1'] } })
    assert.deepEqual(ints.metadata.finalizers, ['3', '1'])
  })
  it('merges new elements in the given order', () => {
    const out = smp(pod({ containers: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }] }), { spec: {
      '$setElementOrder/containers': [{ name: '4' }, { name: '1' }, { name: '2' }, { name: '3' }],
      containers: [{ name: '4', value: '4' }, { name: '3', value: '3' }],
    } })
    assert.deepEqual(names(out.spec.containers), ['4', '1', '2', '3'])
  })
  it('rejects a patch list out of the given order (500, as upstream)', () => {
    assert.throws(() => smp(pod({ containers: [{ name: '1' }, { name: '3' }, { name: '2' }] }), { spec: {
      '$setElementOrder/containers': [{ name: '1' }, { name: '2' }, { name: '3' }],
      containers: [{ name: '3' }, { name: '1' }],
    } }), failsWith(500, 'The order in patch list:\n[map[name:3] map[name:1]]\n doesn\'t match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n', ''))
  })
})

describe('strategic merge: $retainKeys and map directives', () => {
  const deployment = { metadata: { name: 'web' }, spec: { replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } } }
  it('$retainKeys clears keys it does not list', () => {
    const out = smp(deployment, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, DEPLOYMENT)
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' })
    const kept = smp(deployment, { spec: { strategy: { $retainKeys: ['rollingUpdate', 'type'], rollingUpdate: { maxSurge: '1' } } } }, DEPLOYMENT)
    assert.deepEqual(kept.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '25%' } })
  })
  it('$retainKeys works in merge-list elements (volumes)', () => {
    const original = pod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', emptyDir: {} }] })
    const out = smp(original, { spec: { volumes: [{ name: 'v', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/x' } }] } })
    assert.deepEqual(out.spec.volumes, [{ name: 'v', hostPath: { path: '/x' } }, { name: 'w', emptyDir: {} }])
  })
  it('$retainKeys must be a list naming every key the patch sets', () => {
    assert.throws(() => smp(deployment, { spec: { strategy: { $retainKeys: 'type' } } }, DEPLOYMENT), failsWith(400, 'invalid patch format of retainKeys', 'BadRequest'))
    assert.throws(() => smp(deployment, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, DEPLOYMENT), failsWith(400, 'invalid patch format of retainKeys'))
  })
  it('"$patch: replace" and "$patch: delete" on a map', () => {
    assert.deepEqual(smp(deployment, { spec: { strategy: { $patch: 'replace', type: 'Recreate' } } }, DEPLOYMENT).spec.strategy, { type: 'Recreate' })
    assert.deepEqual(smp(deployment, { spec: { strategy: { $patch: 'delete' } } }, DEPLOYMENT).spec.strategy, {})
    assert.deepEqual(smp(deployment, { $patch: 'replace', kind: 'X' }, DEPLOYMENT), { kind: 'X' })
    assert.deepEqual(smp(deployment, { spec: { strategy: { $patch: 'merge', type: 'Recreate' } } }, DEPLOYMENT).spec.strategy.rollingUpdate.maxSurge, '25%')
  })
})

describe('strategic merge: errors carry upstream codes and messages', () => {
  it('a merge-list element without its merge key is a 500 with an empty reason', () => {
    assert.throws(() => smp(pod({ containers: [{ name: 'a' }] }), { spec: { containers: [{ image: 'nginx' }] } }),
      failsWith(500, 'map: map[image:nginx] does not contain declared merge key: name', ''))
  })
  it('an unknown $patch value is a 500', () => {
    assert.throws(() => smp(pod({ containers: [{ name: 'a' }] }), { spec: { containers: [{ name: 'a', $patch: 'bogus' }] } }),
      failsWith(500, 'unknown patch type: bogus in map: map[$patch:bogus name:a]'))
    assert.throws(() => smp(pod({ containers: [{ name: 'a' }] }), { spec: { containers: [{ name: 'a', $patch: 'merge' }] } }),
      failsWith(500, 'merging lists cannot yet be specified in the patch'))
  })
  it('malformed directive keys are 400s', () => {
    assert.throws(() => smp({ metadata: { finalizers: ['a'] } }, { metadata: { $deleteFromPrimitiveList: ['a'] } }), failsWith(400, 'invalid patch format of primitive list'))
    assert.throws(() => smp(pod({ containers: [] }), { spec: { $setElementOrderX: [] } }), failsWith(400, 'invalid patch format of setElementOrder list'))
  })
  it('lists of lists are a 422', () => {
    assert.throws(() => smp({ metadata: { finalizers: [['a']] } }, { metadata: { finalizers: [['b']] } }),
      failsWith(422, 'the server rejected our request due to an error in our request', 'Invalid'))
  })
  it('mixed element types are a 500', () => {
    assert.throws(() => smp({ metadata: { finalizers: ['a'] } }, { metadata: { finalizers: [1] } }),
      failsWith(500, 'list element types are not identical: [[a] [1]]'))
  })
  it('a patch that is not a JSON object is a 400', () => {
    assert.throws(() => smp(pod({}), [1]), failsWith(400, 'json: cannot unmarshal array into Go value of type map[string]interface {}'))
    assert.throws(() => smp(pod({}), '{"spec":'), (err) => isStatusError(err) && err.status.code === 400)
    assert.deepEqual(smp(pod({ restartPolicy: 'Always' }), '{"spec":{"restartPolicy":"Never"}}').spec.restartPolicy, 'Never')
    assert.deepEqual(smp(pod({ restartPolicy: 'Always' }), null), pod({ restartPolicy: 'Always' }))
  })
})

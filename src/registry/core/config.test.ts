import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js'
import { configmaps, secrets } from './config.js'
import { create, row, update } from './testing.js'

const NOW = Date.parse('2024-05-01T12:00:00Z')
const b64 = (s: string) => Buffer.from(s).toString('base64')

describe('configmaps', () => {
  it('checks key syntax and duplicates across data and binaryData', () => {
    const errs = create(configmaps, { metadata: { name: 'c' }, data: { 'bad key': 'x', k: 'v' }, binaryData: { k: b64('v') } } as ConfigMap).errors
    assert.equal(errs.length, 2)
    assert.match(errs[0]!, /^data\[bad key\]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters/)
    assert.equal(errs[1], 'data[k]: Invalid value: "k": duplicate of key present in binaryData')
  })
  it('limits the total size to 1 MiB', () => {
    assert.deepEqual(create(configmaps, { metadata: { name: 'c' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } } as ConfigMap).errors,
      ['Too long: may not be more than 1048576 bytes'])
  })
  it('freezes data once immutable', () => {
    const old: ConfigMap = { metadata: { name: 'c' }, data: { a: '1' }, immutable: true }
    assert.deepEqual(update(configmaps, { ...old, data: { a: '2' }, immutable: false }, old).errors, [
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ])
    assert.deepEqual(update(configmaps, { ...old, metadata: { name: 'c', labels: { x: 'y' } } }, old).errors, [])
  })
  it('prints the number of keys', () => {
    assert.equal(row(configmaps, { metadata: { name: 'c' }, data: { a: '1', b: '2' }, binaryData: { c: '' } }, NOW).Data, 3)
  })
})

describe('secrets', () => {
  it('defaults the type and folds stringData into data', () => {
    const { obj, errors } = create(secrets, { metadata: { name: 's' }, data: { a: b64('old'), b: b64('keep') }, stringData: { a: 'new' } } as Secret)
    assert.deepEqual(errors, [])
    assert.deepEqual(obj, { metadata: { name: 's' }, type: 'Opaque', data: { a: b64('new'), b: b64('keep') } })
  })
  it('checks the keys each type requires', () => {
    assert.deepEqual(create(secrets, { metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': '' } } as Secret).errors, ['data[tls.key]: Required value'])
    assert.deepEqual(create(secrets, { metadata: { name: 's' }, type: 'kubernetes.io/basic-auth' } as Secret).errors, ['data[username]: Required value', 'data[password]: Required value'])
    assert.equal(create(secrets, { metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{nope') } } as Secret).errors.length, 1)
    assert.deepEqual(create(secrets, { metadata: { name: 's' }, type: 'kubernetes.io/service-account-token' } as Secret).errors,
      ['metadata.annotations[kubernetes.io/service-account.name]: Required value'])
  })
  it('keeps type immutable and respects `immutable`', () => {
    const old = create(secrets, { metadata: { name: 's' }, data: { a: b64('1') }, immutable: true } as Secret).obj
    assert.deepEqual(update(secrets, { ...old, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }, old).errors, [
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
      'data: Forbidden: field is immutable when `immutable` is set',
    ])
  })
  it('prints type and key count and selects on type', () => {
    const s = create(secrets, { metadata: { name: 's', creationTimestamp: '2024-05-01T11:00:00Z' }, data: { a: '', b: '' } } as Secret).obj
    assert.deepEqual(row(secrets, s, NOW), { Name: 's', Type: 'Opaque', Data: 2, Age: '60m' })
    assert.deepEqual(secrets.selectableFields(s), { type: 'Opaque' })
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Endpoints, ServiceAccount } from 'kubernetes-types/core/v1.js'
import { endpoints, formatEndpoints, serviceaccounts } from './endpoints.js'
import { create, row } from './testing.js'

describe('endpoints', () => {
  it('defaults port protocols and validates addresses', () => {
    const { obj, errors } = create(endpoints, { metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ port: 80 }] }] } as Endpoints)
    assert.deepEqual(errors, [])
    assert.equal(obj.subsets![0]!.ports![0]!.protocol, 'TCP')
    assert.deepEqual(create(endpoints, { metadata: { name: 'web' }, subsets: [{ ports: [{ port: 80 }] }] } as Endpoints).errors,
      ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`'])
    assert.deepEqual(create(endpoints, { metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: 'x' }] }] } as Endpoints).errors,
      ['subsets[0].addresses[0].ip: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'])
  })
  it('prints at most three endpoints', () => {
    const ep: Endpoints = { metadata: { name: 'dns' }, subsets: [{
      addresses: [{ ip: '10.1.0.20' }, { ip: '10.1.0.21' }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { port: 9153 }],
    }] }
    assert.equal(formatEndpoints(ep), '10.1.0.20:53,10.1.0.21:53,10.1.0.20:53 + 3 more...')
    assert.equal(formatEndpoints({ metadata: {}, subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }] }), '[fd00::1]:80')
    assert.equal(row(endpoints, { metadata: { name: 'x' } }, 0).Endpoints, '<none>')
  })
})

describe('serviceaccounts', () => {
  it('keeps only the names of secret references and counts them', () => {
    const { obj } = create(serviceaccounts, { metadata: { name: 'sa' }, secrets: [{ name: 's', namespace: 'other', kind: 'Secret' }] } as ServiceAccount)
    assert.deepEqual(obj.secrets, [{ name: 's' }])
    assert.equal(row(serviceaccounts, obj, 0).Secrets, 1)
    assert.deepEqual(serviceaccounts.subresources.extra, [{ name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }])
  })
})

/**
 * @module
 * SAN sets: spelling, defaults, validation and coverage checks.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { canonicalIp, servingSans } from './sans.js'

describe('canonicalIp', () => {
  it('spells each address one way', () => {
    assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1')
    assert.equal(canonicalIp('[2001:DB8::0:1]'), '2001:db8::1')
    assert.equal(canonicalIp('10.0.0.1'), '10.0.0.1')
  })
  it('rejects what is not an address', () => {
    assert.throws(() => canonicalIp('10.0.0.256'), /invalid IP address/)
    assert.throws(() => canonicalIp('example.com'), /invalid IP address/)
  })
})

describe('servingSans', () => {
  it('holds the defaults, the host name and the extras, once each', () => {
    const sans = servingSans({ dns: ['Api.Example.test', 'localhost', '192.0.2.1'], ip: ['::1', '192.0.2.1'] }, 'MyHost')
    assert.deepEqual(sans.dns, ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local', 'myhost', 'api.example.test'])
    assert.deepEqual(sans.ip, ['127.0.0.1', '::1', '10.96.0.1', '192.0.2.1'])
  })
  it('leaves out a host name that is not a DNS name, and rejects such extras', () => {
    assert.ok(!servingSans({}, 'bad host').dns.includes('bad host'))
    assert.throws(() => servingSans({ dns: ['bad name'] }), /invalid DNS name/)
  })
})

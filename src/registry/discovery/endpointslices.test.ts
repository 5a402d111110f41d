// Tests for discovery.k8s.io/v1 EndpointSlice: defaults, validation, generation, cells.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { endpointSlices } from './index.js'

const errors = (errs: { error: string }[]) => errs.map((e) => e.error)
const now = Date.parse('2024-01-01T00:00:30Z')
const slice = (over: Record<string, unknown> = {}): any => ({
  metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' }, creationTimestamp: '2024-01-01T00:00:00Z' },
  addressType: 'IPv4', endpoints: [{ addresses: ['10.244.0.5'] }], ports: [{ port: 80 }], ...over,
})

describe('endpointslices', () => {
  it('defaults port name and protocol', () => {
    const s = slice()
    endpointSlices.defaults(s)
    assert.deepEqual(s.ports, [{ port: 80, name: '', protocol: 'TCP' }])
    assert.deepEqual(endpointSlices.validate(s), [])
  })
  it('validates addresses per type, ports and addressType', () => {
    const s = slice({ endpoints: [{ addresses: [] }, { addresses: ['::1', '127.0.0.1', '300.1.1.1', '169.254.1.1'] }], ports: [{ name: 'Http', protocol: 'TCP' }, { name: 'Http', protocol: 'ICMP' }] })
    assert.deepEqual(errors(endpointSlices.validate(s)), [
      'endpoints[0].addresses: Required value: must contain at least 1 address',
      'endpoints[1].addresses[0]: Invalid value: "::1": must be a valid IPv4 address',
      'endpoints[1].addresses[2]: Invalid value: "300.1.1.1": must be a valid IPv4 address',
      'endpoints[1].addresses[3]: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      `ports[0].name: Invalid value: "Http": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      `ports[1].name: Invalid value: "Http": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      'ports[1].name: Duplicate value: "Http"',
      'ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ])
    assert.deepEqual(errors(endpointSlices.validate(slice({ addressType: 'IP', endpoints: [], ports: [] }))), ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"'])
  })
  it('keeps addressType immutable and bumps generation on content changes', () => {
    assert.deepEqual(errors(endpointSlices.validateUpdate(slice({ addressType: 'IPv6' }), slice())), ['addressType: Invalid value: "IPv6": field is immutable'])
    const old = slice()
    endpointSlices.prepareForCreate(old)
    const same = slice({ metadata: { ...old.metadata, annotations: { a: 'b' } } })
    endpointSlices.prepareForUpdate(same, old)
    assert.equal(same.metadata.generation, 1)
    const moved = slice({ metadata: { ...old.metadata }, endpoints: [{ addresses: ['10.244.0.6'] }] })
    endpointSlices.prepareForUpdate(moved, old)
    assert.equal(moved.metadata.generation, 2)
  })
  it('prints Name, AddressType, Ports, Endpoints, Age', () => {
    const s = slice({ ports: [{ port: 80 }, { name: 'metrics' }, {}, { port: 9 }], endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3', '10.0.0.4'] }] })
    assert.deepEqual(endpointSlices.columns.map((c) => c.cell(s, now)), ['web-abc', 'IPv4', '80,metrics,* + 1 more...', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '30s'])
    assert.deepEqual(endpointSlices.columns.map((c) => c.cell(slice({ ports: [], endpoints: [] }), now)).slice(2, 4), ['<unset>', '<unset>'])
  })
})

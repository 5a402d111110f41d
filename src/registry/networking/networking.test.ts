// Tests for the networking.k8s.io/v1 entries: defaults, validation messages, hooks, table cells.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Ingress, IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js'
import { ingressClasses, ingresses, networkPolicies, networkingV1 } from './index.js'

const errors = (errs: { error: string }[]) => errs.map((e) => e.error)
const now = Date.parse('2024-01-01T01:00:00Z')
const cells = (entry: { columns: { cell(o: any, now: number): unknown }[] }, o: unknown) => entry.columns.map((c) => c.cell(o, now))

const ingress = (spec: Ingress['spec']): Ingress & { metadata: any } =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' }, spec })
const svc = (name: string, port: { number?: number; name?: string }) => ({ service: { name, port } })

describe('ingresses', () => {
  it('has upstream identity', () => {
    assert.deepEqual([ingresses.resource, ingresses.singular, ingresses.shortNames, ingresses.namespaced, ingresses.subresources], ['ingresses', 'ingress', ['ing'], true, { status: true }])
    assert.equal(networkingV1.length, 3)
  })
  it('accepts a typical ingress', () => {
    const ok = ingress({ ingressClassName: 'nginx', rules: [{ host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc('web', { number: 80 }) }] } }] })
    assert.deepEqual(ingresses.validate(ok), [])
  })
  it('reports upstream messages for bad rules', () => {
    const bad = ingress({ rules: [{ host: '10.0.0.1', http: { paths: [
      { path: 'api', pathType: 'Prefix', backend: svc('web', { name: 'http' }) },
      { path: '/x', backend: svc('web', { number: 80 }) } as any,
      { path: '/y', pathType: 'Fuzzy', backend: svc('Web', {}) },
      { path: '/a//b/..', pathType: 'Exact', backend: svc('web', { name: 'http', number: 80 }) },
    ] } }] })
    assert.deepEqual(errors(ingresses.validate(bad)), [
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
      'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
      'spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified',
      'spec.rules[0].http.paths[2].pathType: Unsupported value: "Fuzzy": supported values: "Exact", "ImplementationSpecific", "Prefix"',
      `spec.rules[0].http.paths[2].backend.service.name: Invalid value: "Web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      'spec.rules[0].http.paths[2].backend: Required value: port name or number is required',
      "spec.rules[0].http.paths[3].path: Invalid value: \"/a//b/..\": must not contain '//'",
      "spec.rules[0].http.paths[3].path: Invalid value: \"/a//b/..\": cannot end with '/..'",
      'spec.rules[0].http.paths[3].backend: Invalid value: "": cannot set both port name & port number',
    ])
    assert.deepEqual(errors(ingresses.validate(ingress({}))), ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified'])
    assert.match(errors(ingresses.validate(ingress({ rules: [{ host: 'a.*.com' }] })))[0]!, /^spec\.rules\[0\]\.host: Invalid value: "a\.\*\.com": a wildcard DNS-1123 subdomain must start with '\*\.'/)
  })
  it('clears status and sets generation on create; keeps status and bumps generation on spec change', () => {
    const ing: any = { ...ingress({ defaultBackend: svc('web', { number: 80 }) }), status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }
    ingresses.prepareForCreate(ing)
    assert.deepEqual([ing.status, ing.metadata.generation], [{}, 1])
    const old: any = { ...structuredClone(ing), status: { loadBalancer: { ingress: [{ ip: '9.9.9.9' }] } } }
    const same: any = structuredClone(old)
    same.status = {}
    ingresses.prepareForUpdate(same, old)
    assert.deepEqual([same.status, same.metadata.generation], [old.status, 1])
    const changed: any = structuredClone(old)
    changed.spec.defaultBackend.service.port.number = 8080
    ingresses.prepareForUpdate(changed, old)
    assert.equal(changed.metadata.generation, 2)
    const st: any = structuredClone(changed)
    st.spec = { defaultBackend: svc('other', { number: 1 }) }
    ingresses.status.prepareForUpdate(st, old)
    assert.deepEqual(st.spec, old.spec)
    assert.deepEqual(errors(ingresses.status.validateUpdate({ ...old, status: { loadBalancer: { ingress: [{ hostname: '1.2.3.4' }] } } })),
      ['status.loadBalancer.ingress[0].hostname: Invalid value: "1.2.3.4": must be a DNS name, not an IP address'])
  })
  it('prints Name, Class, Hosts, Address, Ports, Age', () => {
    assert.deepEqual(ingresses.columns.map((c) => c.name), ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age'])
    const ing: any = ingress({ ingressClassName: 'nginx', tls: [{ hosts: ['a.com'] }], rules: ['a.com', 'b.com', 'c.com', 'd.com', 'e.com'].map((host) => ({ host })) })
    ing.status = { loadBalancer: { ingress: [{ ip: '10.0.0.2' }, { hostname: 'lb.example.com' }, { ip: '10.0.0.2' }] } }
    assert.deepEqual(cells(ingresses, ing), ['web', 'nginx', 'a.com,b.com,c.com + 2 more...', '10.0.0.2,lb.example.com', '80, 443', '60m'])
    assert.deepEqual(cells(ingresses, ingress({ rules: [{}] })), ['web', '<none>', '*', '', '80', '60m'])
  })
})

describe('ingressclasses', () => {
  const ic = (spec: IngressClass['spec']): any => ({ metadata: { name: 'nginx', creationTimestamp: '2024-01-01T00:59:00Z' }, spec })
  it('requires a domain-prefixed controller and keeps it immutable', () => {
    assert.deepEqual(errors(ingressClasses.validate(ic({}))), ['spec.controller: Required value'])
    assert.deepEqual(errors(ingressClasses.validate(ic({ controller: 'nginx' }))), ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'])
    assert.deepEqual(ingressClasses.validate(ic({ controller: 'k8s.io/ingress-nginx' })), [])
    assert.deepEqual(errors(ingressClasses.validateUpdate(ic({ controller: 'example.com/b' }), ic({ controller: 'k8s.io/ingress-nginx' }))),
      ['spec.controller: Invalid value: "example.com/b": field is immutable'])
  })
  it('defaults parameters scope to Cluster and prints parameters', () => {
    const o = ic({ controller: 'k8s.io/x', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } })
    ingressClasses.defaults(o)
    assert.equal(o.spec.parameters.scope, 'Cluster')
    assert.deepEqual(ingressClasses.validate(o), [])
    assert.deepEqual(cells(ingressClasses, o), ['nginx', 'k8s.io/x', 'IngressParameters.k8s.example.com/external-lb', '60s'])
    assert.deepEqual(cells(ingressClasses, ic({ controller: 'k8s.io/x' }))[2], '<none>')
  })
})

describe('networkpolicies', () => {
  const np = (spec: NetworkPolicy['spec']): any => ({ metadata: { name: 'deny', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' }, spec })
  it('defaults policyTypes and port protocol', () => {
    const a = np({ podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] })
    networkPolicies.defaults(a)
    assert.deepEqual([a.spec.policyTypes, a.spec.ingress[0].ports[0].protocol], [['Ingress'], 'TCP'])
    const b = np({ podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })
    networkPolicies.defaults(b)
    assert.deepEqual([b.spec.policyTypes, b.spec.egress[0].ports[0].protocol], [['Ingress', 'Egress'], 'UDP'])
  })
  it('validates ports, peers and policy types', () => {
    const bad = np({ podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Sideways'], ingress: [{
      ports: [{ protocol: 'ICMP', port: 70000 }, { port: 'http', endPort: 90 }],
      from: [{}, { ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16', 'x'] }, podSelector: {} }],
    }] })
    assert.deepEqual(errors(networkPolicies.validate(bad)), [
      'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
      'spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
      'spec.ingress[0].from[0]: Required value: must specify a peer',
      'spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`',
      'spec.ingress[0].from[1].ipBlock.except[1]: Invalid value: "x": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      'spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer',
      'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    ])
    assert.deepEqual(networkPolicies.validate(np({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] })), [])
  })
  it('sets generation and prints the pod selector', () => {
    const o = np({ podSelector: { matchLabels: { app: 'web' } } })
    networkPolicies.prepareForCreate(o)
    assert.equal(o.metadata.generation, 1)
    assert.deepEqual(cells(networkPolicies, o), ['deny', 'app=web', '60m'])
    assert.deepEqual(cells(networkPolicies, np({ podSelector: {} }))[1], '<none>')
  })
})

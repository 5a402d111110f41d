import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Service } from 'kubernetes-types/core/v1.js'
import { services } from './services.js'
import { create, row, update } from './testing.js'
import { w } from './util.js'

// What `kubectl expose deploy web --port=80 --target-port=8080` sends.
const exposed = (): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], selector: { app: 'web' } }, status: { loadBalancer: {} },
})
/** What the API server's allocator writes between defaults and validation. */
const allocate = (svc: Service, ip = '10.96.12.34') => {
  svc.spec!.clusterIP ||= ip
  svc.spec!.clusterIPs ??= [svc.spec!.clusterIP]
  if (svc.spec!.type === 'NodePort' || svc.spec!.type === 'LoadBalancer') svc.spec!.ports!.forEach((p, i) => { p.nodePort ||= 30000 + i })
  return svc
}
const NOW = Date.parse('2024-05-01T12:00:00Z')

describe('services: defaults', () => {
  it('fills what a real cluster shows for a ClusterIP service', () => {
    const svc = exposed()
    services.defaults(svc)
    services.prepareForCreate(svc)
    allocate(svc)
    assert.deepEqual(services.validate(svc), [])
    assert.deepEqual(svc.spec, {
      clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34'], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], selector: { app: 'web' },
      sessionAffinity: 'None', type: 'ClusterIP',
    })
    assert.deepEqual(svc.status, { loadBalancer: {} })
  })
  it('defaults targetPort to port and traffic policies for NodePort and LoadBalancer', () => {
    const svc = exposed()
    svc.spec = { type: 'LoadBalancer', ports: [{ port: 443 }], selector: { app: 'web' } }
    services.defaults(svc)
    assert.equal(svc.spec.ports![0]!.targetPort, 443)
    assert.equal(svc.spec.ports![0]!.protocol, 'TCP')
    assert.equal(svc.spec.externalTrafficPolicy, 'Cluster')
    assert.equal(svc.spec.allocateLoadBalancerNodePorts, true)
  })
  it('gives ClientIP affinity its 3-hour timeout and leaves ExternalName without IP families', () => {
    const a = exposed()
    a.spec!.sessionAffinity = 'ClientIP'
    services.defaults(a)
    assert.deepEqual(a.spec!.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } })
    const e: Service = { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } }
    services.defaults(e)
    assert.equal(e.spec!.ipFamilies, undefined)
    assert.equal(e.spec!.internalTrafficPolicy, undefined)
    assert.deepEqual(services.validate(e), [])
  })
  it('makes headless selectorless services RequireDualStack', () => {
    const h: Service = { metadata: { name: 'h' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } }
    services.defaults(h)
    assert.equal(h.spec!.ipFamilyPolicy, 'RequireDualStack')
  })
})

describe('services: validation', () => {
  it('requires ports and names when there are several', () => {
    const svc = exposed()
    svc.spec!.ports = []
    assert.ok(create(services, svc).errors.includes('spec.ports: Required value'))
    svc.spec!.ports = [{ port: 80 }, { port: 443, name: 'https' }, { port: 0, name: 'https', protocol: 'ICMP' }]
    const errs = create(services, svc).errors
    assert.ok(errs.includes('spec.ports[0].name: Required value'))
    assert.ok(errs.includes('spec.ports[2].name: Duplicate value: "https"'))
    assert.ok(errs.includes('spec.ports[2].port: Invalid value: 0: must be between 1 and 65535, inclusive'))
    assert.ok(errs.includes('spec.ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'))
  })
  it('rejects unknown types and nodePorts on ClusterIP services', () => {
    const svc = exposed()
    svc.spec!.type = 'Internal'
    assert.ok(create(services, svc).errors.includes('spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'))
    const np = exposed()
    np.spec!.ports![0]!.nodePort = 30080
    assert.ok(create(services, np).errors.includes("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"))
  })
  it('keeps the allocated clusterIP when an update leaves it out, and refuses to change it', () => {
    const old = allocate(create(services, exposed()).obj)
    const replaced = exposed() // kubectl replace/apply without clusterIP
    const r = update(services, replaced, old)
    assert.deepEqual(r.errors, [])
    assert.equal(r.obj.spec!.clusterIP, '10.96.12.34')
    assert.deepEqual(r.obj.spec!.clusterIPs, ['10.96.12.34'])
    const moved = structuredClone(old)
    moved.spec!.clusterIP = '10.96.0.99'
    assert.deepEqual(update(services, moved, old).errors, ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set'])
  })
  it('keeps nodePorts across updates and drops them when the type becomes ClusterIP', () => {
    const np = exposed()
    np.spec!.type = 'NodePort'
    const old = create(services, np).obj
    allocate(old)
    const again = exposed()
    again.spec!.type = 'NodePort'
    assert.equal(update(services, again, old).obj.spec!.ports![0]!.nodePort, 30000)
    const back = structuredClone(old)
    back.spec!.type = 'ClusterIP'
    const r = update(services, back, old)
    assert.deepEqual(r.errors, [])
    assert.equal(r.obj.spec!.ports![0]!.nodePort, undefined)
    assert.equal(r.obj.spec!.externalTrafficPolicy, undefined)
  })
  it('keeps spec on status updates and checks ingress IPs', () => {
    const old = allocate(create(services, exposed()).obj)
    const st = structuredClone(old)
    st.spec!.selector = { app: 'other' }
    w(st).status = { loadBalancer: { ingress: [{ ip: 'not-an-ip' }] } }
    const r = update(services, st, old, { status: true })
    assert.deepEqual(r.obj.spec!.selector, { app: 'web' })
    assert.deepEqual(r.errors, ['status.loadBalancer.ingress[0].ip: Invalid value: "not-an-ip": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'])
  })
  it('uses DNS-1035 labels for names', () => {
    assert.ok(services.validateName('1web').length > 0)
    assert.deepEqual(services.validateName('web-1'), [])
  })
})

describe('services: table', () => {
  const svc = (spec: Service['spec'], status: Service['status'] = { loadBalancer: {} }): Service =>
    ({ metadata: { name: 's', creationTimestamp: '2024-05-01T11:00:00Z' }, spec, status })
  it('prints a NodePort service', () => {
    assert.deepEqual(row(services, svc({
      type: 'NodePort', clusterIP: '10.96.1.2', clusterIPs: ['10.96.1.2'], selector: { app: 'web', tier: 'fe' },
      ports: [{ port: 80, protocol: 'TCP' }, { port: 443, nodePort: 30443, protocol: 'TCP' }],
    }), NOW), { Name: 's', Type: 'NodePort', 'Cluster-IP': '10.96.1.2', 'External-IP': '<none>', 'Port(s)': '80/TCP,443:30443/TCP', Age: '60m', Selector: 'app=web,tier=fe' })
  })
  it('prints load balancer addresses or <pending>, headless None, ExternalName', () => {
    assert.equal(row(services, svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }), NOW)['External-IP'], '<pending>')
    assert.equal(row(services, svc({ type: 'LoadBalancer', ports: [{ port: 80 }], externalIPs: ['1.1.1.1'] }, { loadBalancer: { ingress: [{ ip: '127.0.1.1' }] } }), NOW)['External-IP'], '127.0.1.1,1.1.1.1')
    assert.equal(row(services, svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }), NOW)['Cluster-IP'], 'None')
    const ext = row(services, svc({ type: 'ExternalName', externalName: 'example.com' }), NOW)
    assert.equal(ext['External-IP'], 'example.com')
    assert.equal(ext['Cluster-IP'], '<none>')
    assert.equal(ext['Port(s)'], '<none>')
    assert.equal(ext.Selector, '<none>')
  })
})

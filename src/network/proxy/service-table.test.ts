import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Service } from 'kubernetes-types/core/v1.js'
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import { diffServiceTables, buildServiceTable, serviceEndpoints, servicePorts } from './service-table.js'

const slice = (name: string, endpoints: EndpointSlice['endpoints'], ports = [{ name: 'http', port: 8080, protocol: 'TCP' as const }]): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
  metadata: { name: `${name}-abc`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
  endpoints, ports,
})
const svc = (spec: Service['spec'], status?: Service['status']): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec, ...(status ? { status } : {}),
})

describe('service table', () => {
  it('uses ready endpoints, else serving terminating ones, never unready ones', () => {
    const s = [slice('web', [
      { addresses: ['10.244.0.3'], conditions: { ready: true } },
      { addresses: ['10.244.0.2'] },
      { addresses: ['10.244.0.4'], conditions: { ready: false, serving: true, terminating: true } },
      { addresses: ['10.244.0.5'], conditions: { ready: false } },
    ])]
    assert.deepEqual(serviceEndpoints(s, 'http', 'TCP').map((b) => b.ip), ['10.244.0.2', '10.244.0.3'])
    const draining = [slice('web', [
      { addresses: ['10.244.0.4'], conditions: { ready: false, serving: true, terminating: true } },
      { addresses: ['10.244.0.6'], conditions: { ready: false, serving: false, terminating: true } },
    ])]
    assert.deepEqual(serviceEndpoints(draining, 'http', 'TCP').map((b) => b.ip), ['10.244.0.4'])
    assert.deepEqual(serviceEndpoints(draining, 'http', 'UDP'), [])
  })

  it('gives every port its frontends and applies traffic policies per kind of traffic', () => {
    const s = [slice('web', [
      { addresses: ['10.244.0.2'], nodeName: 'a' },
      { addresses: ['10.244.1.2'], nodeName: 'b' },
    ])]
    const [sp] = servicePorts(svc({
      type: 'LoadBalancer', clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], externalIPs: ['192.0.2.9'],
      externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP',
      ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }],
    }, { loadBalancer: { ingress: [{ ip: '127.0.1.2' }] } }), s, 'a')
    assert.equal(sp!.id, 'default/web:http/TCP')
    assert.deepEqual(sp!.loadBalancerIPs, ['127.0.1.2'])
    assert.equal(sp!.nodePort, 30080)
    assert.equal(sp!.affinityTimeoutSeconds, 10800)
    assert.deepEqual(sp!.clusterEndpoints.map((b) => b.ip), ['10.244.0.2', '10.244.1.2'])
    assert.deepEqual(sp!.externalEndpoints.map((b) => b.ip), ['10.244.0.2'])
  })

  it('serves nothing for headless and ExternalName Services', () => {
    assert.deepEqual(servicePorts(svc({ clusterIP: 'None', ports: [{ port: 80 }] }), []), [])
    assert.deepEqual(servicePorts(svc({ type: 'ExternalName', externalName: 'example.com' }), []), [])
  })

  it('diffs tables into added, removed and changed entries', () => {
    const a = buildServiceTable([svc({ clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] })], () => [])
    const b = buildServiceTable([svc({ clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] })],
      () => [slice('web', [{ addresses: ['10.244.0.2'] }])])
    const d = diffServiceTables(a, b)
    assert.equal(d.changed.length, 1)
    assert.deepEqual(d.changed[0]!.cur.clusterEndpoints, [{ ip: '10.244.0.2', port: 8080 }])
    assert.deepEqual(diffServiceTables(b, new Map()).removed.map((x) => x.id), ['default/web:http/TCP'])
  })
})

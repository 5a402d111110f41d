import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fakeInformers } from '../../client/index.js'
import type { KubeObject } from '../../api/index.js'
import { startProxier } from './proxier.js'
import type { ProxyBackend, ServiceTableDiff } from './service-table.js'

const service = (name: string, ip: string) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
  spec: { clusterIP: ip, clusterIPs: [ip], selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
}) as unknown as KubeObject
const slice = (svc: string, ips: string[]) => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
  metadata: { name: `${svc}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
  ports: [{ name: '', port: 8080, protocol: 'TCP' }], endpoints: ips.map((ip) => ({ addresses: [ip] })),
}) as unknown as KubeObject

function recordingBackend() {
  const syncs: ServiceTableDiff[] = []
  const backend: ProxyBackend = { name: 'userspace', async sync(diff) { syncs.push(structuredClone(diff)) }, async close() {} }
  return { backend, syncs }
}
const settle = () => new Promise((r) => setTimeout(r, 30))

describe('proxier', () => {
  it('programs everything once at start, then only what an event touched, folding bursts into one sync', async () => {
    const informers = fakeInformers([service('a', '10.96.0.20'), service('b', '10.96.0.21'), slice('a', ['10.244.0.2'])])
    const { backend, syncs } = recordingBackend()
    const p = startProxier({ informers, backends: [backend] })
    await p.ready
    assert.equal(syncs.length, 1)
    assert.deepEqual(syncs[0]!.added.map((s) => s.id).sort(), ['default/a:/TCP', 'default/b:/TCP'])
    informers.set(slice('b', ['10.244.0.3']))
    informers.set(slice('a', ['10.244.0.2', '10.244.0.4']))
    await settle()
    assert.equal(syncs.length, 2)
    assert.deepEqual(syncs[1]!.changed.map((c) => [c.cur.id, c.cur.clusterEndpoints.map((e) => e.ip)]).sort(),
      [['default/a:/TCP', ['10.244.0.2', '10.244.0.4']], ['default/b:/TCP', ['10.244.0.3']]])
    informers.remove(service('b', '10.96.0.21'))
    await settle()
    assert.deepEqual(syncs[2]!.removed.map((s) => s.id), ['default/b:/TCP'])
    assert.equal(p.table.size, 1)
    await p.stop()
  })

  it('applies an override (the kubernetes Service leads to the API relay)', async () => {
    const informers = fakeInformers([service('kubernetes', '10.96.0.1')])
    const { backend } = recordingBackend()
    const p = startProxier({
      informers, backends: [backend],
      override: (sp) => ({ ...sp, clusterEndpoints: [{ ip: '10.244.0.1', port: 6443 }] }),
    })
    await p.ready
    assert.deepEqual(p.table.get('default/kubernetes:/TCP')!.clusterEndpoints, [{ ip: '10.244.0.1', port: 6443 }])
    await p.stop()
  })
})

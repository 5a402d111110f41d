import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Service } from 'kubernetes-types/core/v1.js'
import { serviceURLs } from './service-command.js'

const svc = (spec: Service['spec'], ips: string[] = []): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec,
  status: { loadBalancer: ips.length ? { ingress: ips.map((ip) => ({ ip })) } : {} },
})

describe('kubelite service', () => {
  it('prints a LoadBalancer at its address on each TCP port, https for 443', () => {
    const urls = serviceURLs(svc({ type: 'LoadBalancer', ports: [
      { name: 'http', port: 80, targetPort: 8080, nodePort: 30080 },
      { name: 'https', port: 443, nodePort: 30443 },
      { name: 'admin', port: 9000, nodePort: 30900 },
      { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 },
    ] }, ['127.0.1.2']))
    assert.deepEqual(urls.map((u) => u.url), ['http://127.0.1.2', 'https://127.0.1.2', 'http://127.0.1.2:9000'])
    assert.deepEqual(urls[0], { port: 'http/80', targetPort: '8080', url: 'http://127.0.1.2', host: '127.0.1.2', hostPort: 80 })
  })

  it('prints a NodePort (and a LoadBalancer still without an address) at 127.0.0.1:<nodePort>', () => {
    assert.deepEqual(serviceURLs(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] })).map((u) => u.url), ['http://127.0.0.1:31000'])
    assert.deepEqual(serviceURLs(svc({ type: 'LoadBalancer', ports: [{ port: 80, nodePort: 31001 }] })).map((u) => u.url), ['http://127.0.0.1:31001'])
  })

  it('has nothing for a ClusterIP Service', () => {
    assert.deepEqual(serviceURLs(svc({ type: 'ClusterIP', ports: [{ port: 80 }] })), [])
  })
})

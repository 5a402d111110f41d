import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import type packet from 'dns-packet'
import type { KubeObject } from '../../api/index.js'
import { fakeInformers } from '../../client/index.js'
import { startClusterDns } from './cluster-dns.js'
import { fakeUpstream, rcodeOf, replyTo, udpQuery } from './testing.js'

describe('startClusterDns', () => {
  it('serves the zone and forwards the rest through the socket it is given', async () => {
    const upstream = await fakeUpstream((q) => replyTo(q, [{ type: 'A', name: q.questions![0]!.name, ttl: 60, data: '192.0.2.7' }]))
    const socket = dgram.createSocket('udp4')
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()))
    const informers = fakeInformers([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' },
      spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } } as KubeObject])
    const dns = await startClusterDns({
      informers, clusterDomain: 'cluster.local', listen: [{ host: '127.0.0.1', port: 0 }], nameserverIPs: ['10.96.0.10'],
      upstream: { servers: [`127.0.0.1:${upstream.port}`], socket }, log: () => {},
    })
    try {
      const port = dns.server.addresses[0]!.port
      const inZone = await udpQuery(port, { name: 'kube-dns.kube-system.svc.cluster.local', type: 'A' })
      assert.equal((inZone.msg.answers?.[0] as packet.StringAnswer).data, '10.96.0.10')
      const out = await udpQuery(port, { name: 'example.org', type: 'A' })
      assert.equal(rcodeOf(out.msg), 'NOERROR')
      assert.equal((out.msg.answers?.[0] as packet.StringAnswer).data, '192.0.2.7')
      assert.deepEqual(upstream.queries.map((q) => q.msg.questions?.[0]?.name), ['example.org']) // cluster names stay home
    } finally {
      await dns.close()
      socket.close() // the caller's socket stays the caller's: close() left it open
      await upstream.close()
    }
  })
})

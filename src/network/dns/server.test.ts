import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import packet from 'dns-packet'
import type { KubeObject } from '../../api/index.js'
import { fakeInformers, type FakeInformers } from '../../client/index.js'
import { createForwarder } from './forwarder.js'
import { createClusterZone, type ClusterZone } from './records.js'
import { startDnsServer, type DnsServer } from './server.js'
import { encodeQuery, fakeUpstream, rcodeOf, replyTo, tcpExchange, udpExchange, udpQuery, udpUntil, type FakeUpstream } from './testing.js'

const svc = (name: string, spec: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec } as KubeObject)
const manyIPs = Array.from({ length: 100 }, (_, i) => `10.244.1.${i + 1}`)

const objects = (): KubeObject[] => [
  svc('web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] }),
  svc('big', { clusterIP: 'None' }),
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'big-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'big' } },
    addressType: 'IPv4', endpoints: manyIPs.map((ip) => ({ addresses: [ip] })) } as KubeObject,
  svc('ext', { type: 'ExternalName', externalName: 'example.com' }),
]

const rawRcode = (raw: Buffer) => raw[3]! & 0xf
const flag = (raw: Buffer, bit: number) => (raw.readUInt16BE(2) & bit) !== 0

describe('DNS server without a forwarder', () => {
  let informers: FakeInformers
  let zone: ClusterZone
  let server: DnsServer
  let port: number
  before(async () => {
    informers = fakeInformers(objects())
    zone = createClusterZone({ informers })
    server = await startDnsServer({ zone, listen: [{ host: '127.0.0.1', port: 0 }], log: () => {} })
    port = server.addresses[0]!.port
  })
  after(async () => {
    await server?.close()
    zone?.close()
  })

  it('answers over UDP and TCP, authoritatively, echoing ID and RD', async () => {
    const { msg, raw } = await udpQuery(port, { name: 'web.default.svc.cluster.local', type: 'A', id: 777 })
    assert.equal(msg.id, 777)
    assert.deepEqual(msg.answers?.map((a) => [a.name, a.type, (a as packet.StringAnswer).data, (a as packet.StringAnswer).ttl]), [['web.default.svc.cluster.local', 'A', '10.96.0.20', 30]])
    assert.ok(flag(raw, packet.AUTHORITATIVE_ANSWER) && flag(raw, packet.RECURSION_DESIRED) && flag(raw, packet.RECURSION_AVAILABLE))
    const tcp = await tcpExchange(port, [encodeQuery({ name: 'web.default.svc.cluster.local', type: 'A', id: 1 }), encodeQuery({ name: 'nope.default.svc.cluster.local', type: 'A', id: 2 })])
    const byId = new Map(tcp.map((r) => [packet.decode(r).id, packet.decode(r)]))
    assert.equal((byId.get(1)?.answers?.[0] as packet.StringAnswer).data, '10.96.0.20')
    assert.equal(rcodeOf(byId.get(2)!), 'NXDOMAIN')
    assert.equal(byId.get(2)?.authorities?.[0]?.type, 'SOA')
  })

  it("keeps the question's case in the answer, also from the cache", async () => {
    for (const name of ['WEB.default.svc.cluster.local', 'web.DEFAULT.svc.Cluster.Local', 'WEB.default.svc.cluster.local']) {
      const { msg } = await udpQuery(port, { name, type: 'A' })
      assert.equal(msg.questions?.[0]?.name, name)
      assert.equal(msg.answers?.[0]?.name, name)
      assert.equal((msg.answers?.[0] as packet.StringAnswer).data, '10.96.0.20')
    }
    assert.ok(server.stats().cacheHits > 0)
  })

  it('serves changes at once: the cache follows the zone generation', async () => {
    const ask = () => udpQuery(port, { name: 'moving.default.svc.cluster.local', type: 'A' })
    assert.equal(rcodeOf((await ask()).msg), 'NXDOMAIN')
    informers.set(svc('moving', { clusterIP: '10.96.5.5', ports: [{ port: 80 }] }))
    assert.equal(((await ask()).msg.answers?.[0] as packet.StringAnswer).data, '10.96.5.5')
    informers.set(svc('moving', { clusterIP: '10.96.5.6', ports: [{ port: 80 }] }))
    assert.equal(((await ask()).msg.answers?.[0] as packet.StringAnswer).data, '10.96.5.6')
  })

  it('truncates over UDP at 512 bytes without EDNS, honours the EDNS size, and sends it all over TCP', async () => {
    const plain = await udpQuery(port, { name: 'big.default.svc.cluster.local', type: 'A' })
    assert.ok(plain.raw.length <= 512)
    assert.ok(flag(plain.raw, packet.TRUNCATED_RESPONSE))
    assert.ok((plain.msg.answers?.length ?? 0) > 0 && (plain.msg.answers?.length ?? 0) < 100)
    const edns = await udpQuery(port, { name: 'big.default.svc.cluster.local', type: 'A', udpPayloadSize: 4096, dnssecOk: true })
    assert.equal(flag(edns.raw, packet.TRUNCATED_RESPONSE), false)
    assert.equal(edns.msg.answers?.length, 100)
    const opt = edns.msg.additionals?.find((a) => a.type === 'OPT') as packet.OptAnswer
    assert.equal(opt.udpPayloadSize, 4096)
    assert.equal(opt.flags & packet.DNSSEC_OK, packet.DNSSEC_OK) // DO echoed (RFC 3225)
    const small = await udpQuery(port, { name: 'big.default.svc.cluster.local', type: 'A', udpPayloadSize: 1000 })
    assert.ok(small.raw.length <= 1000 && small.raw.length > 512)
    assert.ok(flag(small.raw, packet.TRUNCATED_RESPONSE))
    const [tcp] = await tcpExchange(port, [encodeQuery({ name: 'big.default.svc.cluster.local', type: 'A' })])
    assert.equal(flag(tcp!, packet.TRUNCATED_RESPONSE), false)
    assert.deepEqual(packet.decode(tcp!).answers?.map((a) => (a as packet.StringAnswer).data).sort(), [...manyIPs].sort())
  })

  it('answers SERVFAIL for names outside the zone, and only the CNAME for an ExternalName', async () => {
    assert.equal(rcodeOf((await udpQuery(port, { name: 'example.com', type: 'A' })).msg), 'SERVFAIL')
    const ext = await udpQuery(port, { name: 'ext.default.svc.cluster.local', type: 'A' })
    assert.equal(rcodeOf(ext.msg), 'NOERROR')
    assert.deepEqual(ext.msg.answers?.map((a) => `${a.type} ${(a as packet.StringAnswer).data}`), ['CNAME example.com'])
  })

  it('answers FORMERR, NOTIMP, BADVERS and REFUSED where due, and nothing to responses', async () => {
    const q = encodeQuery({ name: 'web.default.svc.cluster.local', type: 'A', id: 9 })
    const twoQuestions = Buffer.from(q)
    twoQuestions.writeUInt16BE(2, 4)
    const notify = Buffer.from(q)
    notify[2] = (notify[2]! & 0x87) | (4 << 3) // opcode NOTIFY
    const response = Buffer.from(q)
    response[2] = response[2]! | 0x80
    const badVersion = encodeQuery({ name: 'web.default.svc.cluster.local', type: 'A', udpPayloadSize: 1232 })
    badVersion[badVersion.length - 5] = 1 // the OPT record's EDNS version
    const chaos = Buffer.from(q)
    chaos.writeUInt16BE(3, chaos.length - 2) // class CH
    const axfr = encodeQuery({ name: 'cluster.local', type: 'AXFR' })
    const sentinel = encodeQuery({ name: 'web.default.svc.cluster.local', type: 'A', id: 4321 })
    // The response to a response is silence, so 6 replies for 7 messages; the sentinel comes last.
    const replies = await udpExchange(port, [twoQuestions, notify, response, badVersion, chaos, axfr, sentinel], 6)
    assert.deepEqual(replies.map(rawRcode), [1, 4, 0, 5, 5, 0])
    const bad = packet.decode(replies[2]!)
    assert.equal((bad.additionals?.find((a) => a.type === 'OPT') as packet.OptAnswer).extendedRcode, 1) // 16 = BADVERS
    assert.equal(packet.decode(replies[5]!).id, 4321)
  })

  it('survives random garbage over UDP and TCP, answering well-formed messages or nothing', async () => {
    const garbage: Buffer[] = []
    for (let i = 0; i < 500; i++) {
      const b = randomBytes(1 + Math.floor(Math.random() * 300))
      if (i % 2 && b.length >= 12) b[2] = b[2]! & 0x7f // half look like queries, to get past the first check
      if (i % 3 === 0 && b.length >= 12) b.writeUInt16BE(1, 4)
      garbage.push(b)
    }
    // Mutated real queries: flipped bytes in the question and the OPT record.
    const base = encodeQuery({ name: 'web.default.svc.cluster.local', type: 'A', udpPayloadSize: 1232 })
    for (let i = 0; i < 500; i++) {
      const b = Buffer.from(base)
      b[12 + Math.floor(Math.random() * (b.length - 12))] = Math.floor(Math.random() * 256)
      garbage.push(i % 5 ? b : b.subarray(0, Math.floor(Math.random() * b.length)))
    }
    // In batches, each closed by a query for a name no garbage can hold: a burst of a thousand
    // could overflow the socket's receive buffer, and a lost packet is not what this tests.
    const sentinel = encodeQuery({ name: 'sentinel-zz.default.svc.cluster.local', type: 'A' })
    const replies: Buffer[] = []
    for (let i = 0; i < garbage.length; i += 25) {
      replies.push(...await udpUntil(port, [...garbage.slice(i, i + 25), sentinel], (m) => m.includes('sentinel-zz')))
    }
    for (const r of replies) {
      assert.ok(r.length >= 12 && flag(r, 0x8000), 'every reply is a DNS response')
      assert.doesNotThrow(() => packet.decode(r))
    }
    // Over TCP, well-framed garbage gets the same treatment; the sentinel is still answered after it.
    const tcp = await tcpExchange(port, [...garbage.slice(0, 100), sentinel], 1, 5000, (m) => m.includes('sentinel-zz'))
    for (const r of tcp) assert.ok(r.length >= 12 && flag(r, 0x8000))
    assert.equal(rcodeOf((await udpQuery(port, { name: 'web.default.svc.cluster.local', type: 'A' })).msg), 'NOERROR')
  })
})

describe('DNS server with a forwarder', () => {
  let upstream: FakeUpstream
  let server: DnsServer
  let zone: ClusterZone
  let forwarder: ReturnType<typeof createForwarder>
  before(async () => {
    upstream = await fakeUpstream((q) => {
      const name = q.questions?.[0]?.name ?? ''
      if (name === 'example.com') return replyTo(q, [{ type: 'A', name, ttl: 60, data: '93.184.216.34' }])
      if (name === 'huge.example') {
        return replyTo(q, Array.from({ length: 60 }, (_, i) => ({ type: 'A' as const, name, ttl: 60, data: `192.0.2.${i}` })))
      }
      return replyTo(q, [], { flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | 3 }) // NXDOMAIN
    })
    zone = createClusterZone({ informers: fakeInformers(objects()) })
    forwarder = createForwarder({ upstreams: [{ host: '127.0.0.1', port: upstream.port }] })
    server = await startDnsServer({ zone, forwarder, listen: [{ host: '127.0.0.1', port: 0 }], log: () => {} })
  })
  after(async () => {
    await server?.close()
    forwarder?.close()
    zone?.close()
    await upstream?.close()
  })

  it('forwards names outside the zone and relays the answer under the asker ID', async () => {
    const { msg } = await udpQuery(server.addresses[0]!.port, { name: 'example.com', type: 'A', id: 55 })
    assert.equal(msg.id, 55)
    assert.equal((msg.answers?.[0] as packet.StringAnswer).data, '93.184.216.34')
    assert.equal(rcodeOf((await udpQuery(server.addresses[0]!.port, { name: 'nope.example', type: 'A' })).msg), 'NXDOMAIN')
  })

  it('follows an ExternalName leaving the zone through the upstream', async () => {
    const { msg } = await udpQuery(server.addresses[0]!.port, { name: 'ext.default.svc.cluster.local', type: 'A' })
    assert.deepEqual(msg.answers?.map((a) => `${a.name} ${a.type} ${(a as packet.StringAnswer).data}`), [
      'ext.default.svc.cluster.local CNAME example.com', 'example.com A 93.184.216.34'])
  })

  it("sends TC when the upstream's answer outgrows the asker's UDP limit", async () => {
    const { raw } = await udpQuery(server.addresses[0]!.port, { name: 'huge.example', type: 'A' })
    assert.ok(flag(raw, packet.TRUNCATED_RESPONSE))
    const [tcp] = await tcpExchange(server.addresses[0]!.port, [encodeQuery({ name: 'huge.example', type: 'A' })])
    assert.equal(packet.decode(tcp!).answers?.length, 60)
  })
})

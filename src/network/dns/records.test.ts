import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type packet from 'dns-packet'
import { fakeInformers } from '../../client/index.js'
import type { KubeObject } from '../../api/index.js'
import { createClusterZone, reverseToIP, type ZoneAnswer } from './records.js'
import { RCODE, TYPE } from './wire.js'
import { canonicalIP } from './zone-index.js'

const svc = (name: string, spec: Record<string, unknown>, ns = 'default'): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec } as KubeObject)
const slice = (name: string, service: string, endpoints: unknown[], ports: unknown[] = [], ns = 'default'): KubeObject =>
  ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', endpoints, ports } as KubeObject)

const objects = (): KubeObject[] => [
  svc('web', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
  svc('dual', { clusterIP: '10.96.0.30', clusterIPs: ['10.96.0.30', 'fd00:10:96::30'], ports: [{ port: 8080 }] }),
  svc('db', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'pg', port: 5432 }] }),
  slice('db-abc', 'db', [
    { addresses: ['10.244.0.5'], hostname: 'db-0', conditions: { ready: true } },
    { addresses: ['10.244.0.6'], conditions: {} }, // nil ready means ready
    { addresses: ['10.244.0.7'], hostname: 'db-2', conditions: { ready: false } },
  ], [{ name: 'pg', port: 5432, protocol: 'TCP' }]),
  svc('nr', { clusterIP: 'None', publishNotReadyAddresses: true }),
  slice('nr-1', 'nr', [{ addresses: ['10.244.1.9'], conditions: { ready: false } }]),
  svc('empty', { clusterIP: 'None' }),
  svc('ext', { type: 'ExternalName', externalName: 'Example.COM.' }),
  svc('alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
  svc('loop', { type: 'ExternalName', externalName: 'loop.default.svc.cluster.local' }),
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'quiet' } } as KubeObject,
]

const zoneOf = (objs = objects()) => {
  const informers = fakeInformers(objs)
  return { informers, zone: createClusterZone({ informers, nameserverIPs: ['10.96.0.10'], now: () => 1_700_000_000_000 }) }
}
const data = (a: ZoneAnswer | undefined, section: 'answers' | 'additionals' = 'answers') =>
  a?.[section].map((rr) => `${rr.name} ${rr.type} ${typeof (rr as { data: unknown }).data === 'object' ? JSON.stringify((rr as { data: unknown }).data) : (rr as { data: unknown }).data}`)
const noData = (a: ZoneAnswer | undefined) => {
  assert.equal(a?.rcode, RCODE.noError)
  assert.deepEqual(a.answers, [])
  assert.equal(a.authorities[0]?.type, 'SOA')
}
const nxDomain = (a: ZoneAnswer | undefined) => {
  assert.equal(a?.rcode, RCODE.nxDomain)
  assert.equal(a.authorities[0]?.type, 'SOA')
}

describe('cluster zone', () => {
  const { zone } = zoneOf()
  const look = (name: string, type: keyof typeof TYPE) => zone.lookup(name, TYPE[type])

  it('answers a ClusterIP Service with its cluster IPs, per family', () => {
    assert.deepEqual(data(look('web.default.svc.cluster.local', 'A')), ['web.default.svc.cluster.local A 10.96.0.20'])
    noData(look('web.default.svc.cluster.local', 'AAAA'))
    assert.deepEqual(data(look('dual.default.svc.cluster.local', 'AAAA')), ['dual.default.svc.cluster.local AAAA fd00:10:96::30'])
    assert.equal((look('web.default.svc.cluster.local', 'A')?.answers[0] as packet.StringAnswer).ttl, 30)
  })

  it('answers a headless Service with its ready endpoints; publishNotReadyAddresses adds the rest', () => {
    assert.deepEqual(data(look('db.default.svc.cluster.local', 'A')), [
      'db.default.svc.cluster.local A 10.244.0.5', 'db.default.svc.cluster.local A 10.244.0.6'])
    assert.deepEqual(data(look('nr.default.svc.cluster.local', 'A')), ['nr.default.svc.cluster.local A 10.244.1.9'])
    // As CoreDNS: a headless Service with no ready endpoint is NXDOMAIN.
    nxDomain(look('empty.default.svc.cluster.local', 'A'))
  })

  it('names endpoints by hostname (StatefulSet pods) or dashed IP', () => {
    assert.deepEqual(data(look('db-0.db.default.svc.cluster.local', 'A')), ['db-0.db.default.svc.cluster.local A 10.244.0.5'])
    assert.deepEqual(data(look('10-244-0-6.db.default.svc.cluster.local', 'A')), ['10-244-0-6.db.default.svc.cluster.local A 10.244.0.6'])
    nxDomain(look('db-2.db.default.svc.cluster.local', 'A')) // not ready
    nxDomain(look('10-244-0-5.db.default.svc.cluster.local', 'A')) // has a hostname, so not named by IP
  })

  it('answers SRV for named ports, with targets and their addresses as additionals', () => {
    const web = look('_http._tcp.web.default.svc.cluster.local', 'SRV')
    assert.deepEqual(data(web), ['_http._tcp.web.default.svc.cluster.local SRV {"priority":0,"weight":100,"port":80,"target":"web.default.svc.cluster.local"}'])
    assert.deepEqual(data(web, 'additionals'), ['web.default.svc.cluster.local A 10.96.0.20'])
    assert.deepEqual(data(look('_dns._udp.web.default.svc.cluster.local', 'SRV')), [
      '_dns._udp.web.default.svc.cluster.local SRV {"priority":0,"weight":100,"port":53,"target":"web.default.svc.cluster.local"}'])
    nxDomain(look('_dns._tcp.web.default.svc.cluster.local', 'SRV')) // protocol mismatch
    nxDomain(look('_nope._tcp.web.default.svc.cluster.local', 'SRV'))
    const db = look('_pg._tcp.db.default.svc.cluster.local', 'SRV')
    assert.deepEqual(data(db), [
      '_pg._tcp.db.default.svc.cluster.local SRV {"priority":0,"weight":50,"port":5432,"target":"db-0.db.default.svc.cluster.local"}',
      '_pg._tcp.db.default.svc.cluster.local SRV {"priority":0,"weight":50,"port":5432,"target":"10-244-0-6.db.default.svc.cluster.local"}'])
    assert.deepEqual(data(db, 'additionals'), ['db-0.db.default.svc.cluster.local A 10.244.0.5', '10-244-0-6.db.default.svc.cluster.local A 10.244.0.6'])
  })

  it('answers SRV for the Service name itself with every port', () => {
    assert.deepEqual(data(look('web.default.svc.cluster.local', 'SRV'))?.map((s) => JSON.parse(s.split(' SRV ')[1]!).port), [80, 53])
    noData(look('ext.default.svc.cluster.local', 'SRV')) // no SRV for ExternalName, as upstream
  })

  it('answers ExternalName with a CNAME, followed inside the zone', () => {
    const ext = look('ext.default.svc.cluster.local', 'A')
    assert.deepEqual(data(ext), ['ext.default.svc.cluster.local CNAME example.com'])
    assert.equal(ext?.chase, 'example.com')
    assert.deepEqual(data(look('alias.default.svc.cluster.local', 'A')), [
      'alias.default.svc.cluster.local CNAME web.default.svc.cluster.local', 'web.default.svc.cluster.local A 10.96.0.20'])
    assert.deepEqual(data(look('ext.default.svc.cluster.local', 'CNAME')), ['ext.default.svc.cluster.local CNAME example.com'])
    noData(look('loop.default.svc.cluster.local', 'A'))
    nxDomain(look('x.ext.default.svc.cluster.local', 'A'))
  })

  it('answers pod names from the name itself in existing namespaces', () => {
    assert.deepEqual(data(look('10-244-3-4.default.pod.cluster.local', 'A')), ['10-244-3-4.default.pod.cluster.local A 10.244.3.4'])
    assert.deepEqual(data(look('fd00--1.quiet.pod.cluster.local', 'AAAA')), ['fd00--1.quiet.pod.cluster.local AAAA fd00::1'])
    nxDomain(look('10-244-3-4.nowhere.pod.cluster.local', 'A'))
    nxDomain(look('not-an-ip.default.pod.cluster.local', 'A'))
    noData(look('10-244-3-4.default.pod.cluster.local', 'AAAA'))
  })

  it('answers PTR for cluster IPs and endpoint IPs, and leaves other reverse names alone', () => {
    assert.deepEqual(data(look('20.0.96.10.in-addr.arpa', 'PTR')), ['20.0.96.10.in-addr.arpa PTR web.default.svc.cluster.local'])
    assert.deepEqual(data(look('5.0.244.10.in-addr.arpa', 'PTR')), ['5.0.244.10.in-addr.arpa PTR db-0.db.default.svc.cluster.local'])
    assert.deepEqual(data(look('6.0.244.10.in-addr.arpa', 'PTR')), ['6.0.244.10.in-addr.arpa PTR 10-244-0-6.db.default.svc.cluster.local'])
    const v6 = '0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa'
    assert.deepEqual(data(look(v6, 'PTR')), [`${v6} PTR dual.default.svc.cluster.local`])
    assert.equal(look('7.0.244.10.in-addr.arpa', 'PTR'), undefined) // not ready: not ours to answer
    assert.equal(look('1.1.168.192.in-addr.arpa', 'PTR'), undefined)
    assert.equal(look('20.0.96.10.in-addr.arpa', 'A'), undefined)
  })

  it('has SOA and NS at the apex, NODATA for names that exist, NXDOMAIN for the rest', () => {
    const soa = look('cluster.local', 'SOA')?.answers[0] as packet.SoaAnswer
    assert.deepEqual(soa.data, { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1_700_000_000, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 })
    assert.deepEqual(data(look('cluster.local', 'NS')), ['cluster.local NS ns.dns.cluster.local'])
    assert.deepEqual(data(look('cluster.local', 'NS'), 'additionals'), ['ns.dns.cluster.local A 10.96.0.10'])
    assert.deepEqual(data(look('ns.dns.cluster.local', 'A')), ['ns.dns.cluster.local A 10.96.0.10'])
    assert.deepEqual(data(look('dns-version.cluster.local', 'TXT')), ['dns-version.cluster.local TXT 1.1.0'])
    for (const name of ['cluster.local', 'svc.cluster.local', 'default.svc.cluster.local', 'quiet.svc.cluster.local']) noData(look(name, 'A'))
    noData(look('web.default.svc.cluster.local', 'TXT'))
    noData(look('web.default.svc.cluster.local', 'SOA'))
    for (const name of ['nowhere.svc.cluster.local', 'web.nowhere.svc.cluster.local', 'web.default.cluster.local', 'a.b.c.web.default.svc.cluster.local', 'foo.cluster.local']) {
      nxDomain(look(name, 'A'))
    }
  })

  it('leaves names outside the cluster domain to the forwarder', () => {
    assert.equal(look('example.com', 'A'), undefined)
    assert.equal(look('local', 'A'), undefined)
    assert.equal(look('xcluster.local', 'A'), undefined)
  })
})

describe('cluster zone updates', () => {
  it('follows informer events incrementally, bumping the generation each time', () => {
    const { informers, zone } = zoneOf([])
    const g0 = zone.generation
    const look = (name: string) => zone.lookup(name, TYPE.A)
    nxDomain(look('api.prod.svc.cluster.local'))
    informers.set(svc('api', { clusterIP: '10.96.1.1', ports: [{ port: 80 }] }, 'prod'))
    assert.ok(zone.generation > g0)
    assert.deepEqual(data(look('api.prod.svc.cluster.local')), ['api.prod.svc.cluster.local A 10.96.1.1'])
    informers.set(svc('api', { clusterIP: '10.96.1.2', ports: [{ port: 80 }] }, 'prod'))
    assert.deepEqual(data(look('api.prod.svc.cluster.local')), ['api.prod.svc.cluster.local A 10.96.1.2'])
    assert.equal(zone.lookup('1.1.96.10.in-addr.arpa', TYPE.PTR), undefined) // the old IP's reverse entry went
    informers.set(slice('api-1', 'api', [{ addresses: ['10.244.0.9'], hostname: 'h' }], [], 'prod'))
    assert.deepEqual(data(look('h.api.prod.svc.cluster.local')), ['h.api.prod.svc.cluster.local A 10.244.0.9'])
    informers.set(slice('api-1', 'api', [{ addresses: ['10.244.0.10'], hostname: 'h' }], [], 'prod'))
    assert.deepEqual(data(look('h.api.prod.svc.cluster.local')), ['h.api.prod.svc.cluster.local A 10.244.0.10'])
    assert.equal(zone.lookup('9.0.244.10.in-addr.arpa', TYPE.PTR), undefined)
    informers.remove(slice('api-1', 'api', [], [], 'prod'))
    nxDomain(look('h.api.prod.svc.cluster.local'))
    const g1 = zone.generation
    informers.remove(svc('api', {}, 'prod'))
    assert.ok(zone.generation > g1)
    nxDomain(look('api.prod.svc.cluster.local'))
    nxDomain(look('prod.svc.cluster.local')) // its last Service gone, the namespace is unknown again
    zone.close()
  })

  it('answers under a custom cluster domain, case-insensitively configured', () => {
    const informers = fakeInformers([svc('web', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] })])
    const zone = createClusterZone({ informers, clusterDomain: 'Corp.Example.' })
    assert.deepEqual(data(zone.lookup('web.default.svc.corp.example', TYPE.A)), ['web.default.svc.corp.example A 10.96.0.20'])
    assert.equal(zone.lookup('web.default.svc.cluster.local', TYPE.A), undefined)
    zone.close()
  })
})

describe('address helpers', () => {
  it('canonicalIP expands IPv6 and keeps IPv4', () => {
    assert.equal(canonicalIP('10.0.0.1'), '10.0.0.1')
    assert.equal(canonicalIP('FD00::1'), 'fd00:0000:0000:0000:0000:0000:0000:0001')
    assert.equal(canonicalIP('::ffff:10.0.0.1'), '0000:0000:0000:0000:0000:ffff:0a00:0001')
    assert.equal(canonicalIP('::'), '0000:0000:0000:0000:0000:0000:0000:0000')
  })
  it('reverseToIP takes whole addresses only', () => {
    assert.equal(reverseToIP('4.3.2.1.in-addr.arpa'), '1.2.3.4')
    assert.equal(reverseToIP('3.2.1.in-addr.arpa'), undefined)
    assert.equal(reverseToIP('256.3.2.1.in-addr.arpa'), undefined)
    assert.equal(reverseToIP('04.3.2.1.in-addr.arpa'), undefined)
    assert.equal(reverseToIP('1.0.ip6.arpa'), undefined)
  })
})

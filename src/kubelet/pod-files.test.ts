import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { formatResolvConf, hostsFile, parseResolvConf, podDnsConfig, podHostnameAndDomain, terminationLogFile, writePodFiles } from './pod-files.js'

const pod = (spec: Pod['spec'] = { containers: [] }, name = 'web-0'): Pod =>
  ({ metadata: { name, namespace: 'shop', uid: 'u1' }, spec })
const host = parseResolvConf('# comment\nnameserver 192.168.1.1\nnameserver 8.8.8.8\nsearch lan example.org\noptions edns0\n')
const dns = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', host }

describe('pod files', () => {
  it('names the pod by spec.hostname/subdomain or its truncated name', () => {
    assert.deepEqual(podHostnameAndDomain(pod({ containers: [], hostname: 'h', subdomain: 's' }), 'cluster.local'),
      { hostname: 'h', domain: 's.shop.svc.cluster.local' })
    const long = `${'a'.repeat(62)}-b`
    assert.equal(podHostnameAndDomain(pod(undefined, long), 'cluster.local').hostname, 'a'.repeat(62))
  })
  it('writes the managed hosts file with the pod IP, FQDN and hostAliases', () => {
    const text = hostsFile(pod({ containers: [], hostname: 'web-0', subdomain: 'web', hostAliases: [{ ip: '1.2.3.4', hostnames: ['foo', 'bar'] }] }),
      ['10.244.0.5'], 'cluster.local')
    assert.match(text, /^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n/)
    assert.match(text, /\n10\.244\.0\.5\tweb-0\.web\.shop\.svc\.cluster\.local\tweb-0\n/)
    assert.match(text, /\n# Entries added by HostAliases\.\n1\.2\.3\.4\tfoo\tbar\n$/)
    assert.match(hostsFile(pod(), ['10.244.0.5'], 'cluster.local'), /\n10\.244\.0\.5\tweb-0\n$/)
  })
  it('builds resolv.conf per dnsPolicy', () => {
    assert.equal(formatResolvConf(podDnsConfig(pod(), dns)),
      'search shop.svc.cluster.local svc.cluster.local cluster.local lan example.org\nnameserver 10.96.0.10\noptions ndots:5\n')
    assert.deepEqual(podDnsConfig(pod({ containers: [], dnsPolicy: 'Default' }), dns).nameservers, ['192.168.1.1', '8.8.8.8'])
    assert.deepEqual(podDnsConfig(pod({ containers: [], hostNetwork: true }), dns).nameservers, ['192.168.1.1', '8.8.8.8'])
    assert.deepEqual(podDnsConfig(pod({ containers: [], hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), dns).nameservers, ['10.96.0.10'])
    const none = podDnsConfig(pod({ containers: [], dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } }), dns)
    assert.equal(formatResolvConf(none), 'search a.b\nnameserver 1.1.1.1\noptions ndots:2 rotate\n')
    const merged = podDnsConfig(pod({ containers: [], dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }), dns)
    assert.deepEqual(merged.options, ['ndots:1'])
  })
  it('writes the files and returns their mounts', async (t) => {
    const rootDir = await mkdtemp(join(tmpdir(), 'kl-files-'))
    t.after(() => rm(rootDir, { recursive: true, force: true }))
    const mounts = await writePodFiles(pod(), { ...dns, rootDir, podIPs: ['10.244.0.5'] })
    assert.deepEqual(mounts.map((m) => m.containerPath), ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf'])
    assert.equal(await readFile(mounts[1]!.hostPath, 'utf8'), 'web-0\n')
    const log = await terminationLogFile(rootDir, 'u1', 'app', 0)
    assert.equal((await stat(log)).size, 0)
  })
})

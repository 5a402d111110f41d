/**
 * Service ClusterIP and NodePort allocation through kubectl: ranges, requested values,
 * upstream's errors for taken ones, no duplicates, reuse after delete, and no reuse of
 * allocated values after a restart on the same sqlite data directory.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startCluster, type Cluster } from './harness.js'

type Svc = { metadata: { name: string }; spec: { clusterIP: string; clusterIPs?: string[]; type: string; ports: { port: number; nodePort?: number }[] } }

const svcYaml = (name: string, o: { type?: string; clusterIP?: string; nodePort?: number } = {}) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  type: ${o.type ?? 'ClusterIP'}\n` +
  (o.clusterIP ? `  clusterIP: ${o.clusterIP}\n` : '') +
  `  selector: {app: ${name}}\n  ports:\n  - port: 80\n    targetPort: 8080\n` + (o.nodePort ? `    nodePort: ${o.nodePort}\n` : '')

/** 10.96.0.0/12 is 10.96.0.0 – 10.111.255.255; the network and broadcast addresses are never handed out. */
function inServiceRange(ip: string): boolean {
  const p = ip.split('.').map(Number)
  return p.length === 4 && p[0] === 10 && p[1]! >= 96 && p[1]! <= 111 && p.every((x) => Number.isInteger(x) && x >= 0 && x <= 255) &&
    ip !== '10.96.0.0' && ip !== '10.111.255.255'
}

async function allServices(c: Cluster): Promise<Svc[]> {
  return (JSON.parse(await c.ok(['get', 'svc', '-A', '-o', 'json'])) as { items: Svc[] }).items
}

function assertNoDuplicates(svcs: Svc[]) {
  const ips = svcs.map((s) => s.spec.clusterIP).filter((ip) => ip && ip !== 'None')
  assert.equal(new Set(ips).size, ips.length, `duplicate ClusterIP in ${ips.join(' ')}`)
  const ports = svcs.flatMap((s) => s.spec.ports.map((p) => p.nodePort)).filter((p): p is number => !!p)
  assert.equal(new Set(ports).size, ports.length, `duplicate nodePort in ${ports.join(' ')}`)
}

describe('service allocation', () => {
  let c: Cluster
  let c2: Cluster | undefined
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelite-e2e-svc-'))
  const get = async (name: string) => JSON.parse(await c.ok(['get', 'svc', name, '-o', 'json'])) as Svc
  before(async () => { c = await startCluster({ dataDir }) })
  after(async () => {
    await c?.stop()
    await c2?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('a ClusterIP comes from 10.96.0.0/12 and is neither .1 nor .10', async () => {
    await c.ok(['create', '-f', c.file('a.yaml', svcYaml('a'))])
    const a = await get('a')
    assert.ok(inServiceRange(a.spec.clusterIP), a.spec.clusterIP)
    assert.notEqual(a.spec.clusterIP, '10.96.0.1')
    assert.notEqual(a.spec.clusterIP, '10.96.0.10')
    assert.deepEqual(a.spec.clusterIPs, [a.spec.clusterIP])
    assert.equal(a.spec.ports[0]!.nodePort, undefined)
  })

  it('NodePort and LoadBalancer get node ports in 30000-32767', async () => {
    await c.ok(['create', '-f', c.file('np.yaml', svcYaml('np', { type: 'NodePort' }))])
    await c.ok(['create', '-f', c.file('lb.yaml', svcYaml('lb', { type: 'LoadBalancer' }))])
    for (const name of ['np', 'lb']) {
      const s = await get(name)
      const port = s.spec.ports[0]!.nodePort!
      assert.ok(Number.isInteger(port) && port >= 30000 && port <= 32767, `${name}: ${port}`)
      assert.ok(inServiceRange(s.spec.clusterIP), s.spec.clusterIP)
    }
  })

  it('a requested nodePort is honoured and a duplicate refused', async () => {
    await c.ok(['create', '-f', c.file('np1.yaml', svcYaml('np-fixed', { type: 'NodePort', nodePort: 30080 }))])
    assert.equal((await get('np-fixed')).spec.ports[0]!.nodePort, 30080)
    const f = c.file('np2.yaml', svcYaml('np-dup', { type: 'NodePort', nodePort: 30080 }))
    const r = await c.kubectl(['create', '-f', f])
    assert.equal(r.code, 1)
    assert.equal(r.stderr.trim(), 'The Service "np-dup" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated')
    assert.equal((await c.kubectl(['get', 'svc', 'np-dup'])).code, 1)
  })

  it('a requested clusterIP that is free is honoured, a taken one refused', async () => {
    await c.ok(['create', '-f', c.file('fixed.yaml', svcYaml('fixed', { clusterIP: '10.96.3.3' }))])
    assert.equal((await get('fixed')).spec.clusterIP, '10.96.3.3')
    const a = await get('a')
    const r2 = await c.kubectl(['create', '-f', c.file('a-dup.yaml', svcYaml('a-dup', { clusterIP: a.spec.clusterIP }))])
    assert.equal(r2.code, 1)
    assert.match(r2.stderr, /provided IP is already allocated/)
    // Upstream 1.32 prints the []string bad value with Go's %#v (field.Error.ErrorBody).
    const r = await c.kubectl(['create', '-f', c.file('dns-dup.yaml', svcYaml('dns-dup', { clusterIP: '10.96.0.10' }))])
    assert.equal(r.code, 1)
    assert.equal(r.stderr.trim(), 'The Service "dns-dup" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated')
  })

  it('30 Services get no duplicate IP or port', async () => {
    const docs = Array.from({ length: 30 }, (_, i) => svcYaml(`many-${i}`, { type: i % 2 ? 'NodePort' : 'ClusterIP' }))
    const out = await c.ok(['create', '-f', c.file('many.yaml', docs.join('---\n'))])
    assert.equal(out.split('\n').filter((l) => / created$/.test(l)).length, 30)
    const svcs = await allServices(c)
    assert.ok(svcs.length >= 36, `only ${svcs.length} services`)
    for (const s of svcs) assert.ok(s.spec.clusterIP === 'None' || inServiceRange(s.spec.clusterIP), `${s.metadata.name}: ${s.spec.clusterIP}`)
    assertNoDuplicates(svcs)
  })

  it('an IP and a port released on delete can be reused', async () => {
    assert.equal(await c.ok(['delete', 'svc', 'fixed', 'np-fixed']), 'service "fixed" deleted\nservice "np-fixed" deleted\n')
    await c.ok(['create', '-f', c.file('reuse-ip.yaml', svcYaml('reuse-ip', { clusterIP: '10.96.3.3' }))])
    assert.equal((await get('reuse-ip')).spec.clusterIP, '10.96.3.3')
    await c.ok(['create', '-f', c.file('reuse-port.yaml', svcYaml('reuse-port', { type: 'NodePort', nodePort: 30080 }))])
    assert.equal((await get('reuse-port')).spec.ports[0]!.nodePort, 30080)
  })

  it('after a restart on the same data dir, allocated IPs and ports stay taken', async () => {
    const before = await allServices(c)
    await c.stop()
    c2 = await startCluster({ dataDir })
    c = c2
    const r = await c.kubectl(['create', '-f', c.file('post-ip.yaml', svcYaml('post-ip', { clusterIP: '10.96.3.3' }))])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /failed to allocate IP 10\.96\.3\.3: provided IP is already allocated/)
    const r2 = await c.kubectl(['create', '-f', c.file('post-port.yaml', svcYaml('post-port', { type: 'NodePort', nodePort: 30080 }))])
    assert.equal(r2.code, 1)
    assert.match(r2.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/)
    const docs = Array.from({ length: 20 }, (_, i) => svcYaml(`after-${i}`, { type: 'NodePort' }))
    await c.ok(['create', '-f', c.file('after.yaml', docs.join('---\n'))])
    const now = await allServices(c)
    assert.equal(now.length, before.length + 20)
    assertNoDuplicates(now)
    // What existed before the restart kept its addresses.
    const byName = new Map(now.map((s) => [s.metadata.name, s]))
    for (const s of before) assert.equal(byName.get(s.metadata.name)?.spec.clusterIP, s.spec.clusterIP, s.metadata.name)
  })
})

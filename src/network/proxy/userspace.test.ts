import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { nodeNamespaceSupport } from '../node/namespace.js'
import { launch, outcome } from '../node/testing/launch.js'

const isRoot = process.geteuid?.() === 0
const support = await nodeNamespaceSupport()
const skip = !isRoot ? 'needs root (a node namespace with pod namespaces and a dummy link)'
  : support.mode === 'unavailable' ? `no node namespace: ${support.reason}` : false
if (skip) console.log(`# skipping userspace proxy integration tests: ${skip}`)

/** Runs a compiled sibling module as PID 1 of a fresh node namespace; its last stdout line, parsed. */
async function inNodeNamespace(t: TestContext, module: string): Promise<Record<string, any>> {
  const dir = await mkdtemp(join(tmpdir(), 'kl-userspace-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await chmod(dir, 0o755)
  const script = join(dir, 'run.mjs')
  await writeFile(script, `import '${new URL(module, import.meta.url).href}'\n`)
  const child = launch('root', [process.execPath, script])
  t.after(() => { child.kill('SIGKILL') }) // the node's namespaces (pods included) die with it
  const { code, stdout, stderr } = await outcome(child)
  assert.equal(code, 0, stderr)
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}

describe('userspace data path', { skip }, () => {
  it('serves ClusterIP, NodePort, external IP and UDP traffic, follows changes, and refuses what it must', async (t) => {
    const r = await inNodeNamespace(t, './testing/userspace-fixture.js')
    t.diagnostic(`sync times (ms): ${r.syncMs.map((x: number) => x.toFixed(1)).join(' ')}`)
    // A dummy link where the kernel has them; this sandbox's kernel may not, and then lo holds them.
    const dev = r.addresses[0]?.split(' ')[0]
    assert.ok(dev === 'kl-svc' || dev === 'lo', r.addresses)
    t.diagnostic(`Service addresses on ${dev}`)
    const on = (ips: string[]) => ips.map((ip) => `${dev} ${ip}/32`)
    assert.deepEqual(r.addresses, on(['10.96.0.20', '10.96.0.21', '10.96.0.22', '10.96.0.23', '10.96.0.24', '192.0.2.10']))
    assert.deepEqual(r.spread, ['pod-b', 'pod-c'])
    assert.equal(r.clientSeen, r.nodeIP, 'endpoints see the node as the client, as through any userspace proxy')
    assert.deepEqual(r.nodePort, ['pod-b', 'pod-c'])
    assert.deepEqual(r.externalIP, ['pod-b', 'pod-c'])
    assert.equal(r.hairpin, `pod-a ${r.nodeIP}`, 'a pod reaches itself through its Service')
    assert.deepEqual(r.udp, ['pod-b', 'pod-c'])
    assert.deepEqual(r.udpNodePort, ['pod-b', 'pod-c'])
    assert.equal(r.sticky.length, 1, `ClientIP affinity sticks: ${r.sticky}`)
    assert.deepEqual(r.fromNode, ['pod-b', 'pod-c'], 'the node itself reaches a cluster IP')
    // The handshake completes in the kernel before the proxy can answer, so "refused" is a reset.
    assert.deepEqual(r.noEndpoints, ['ECONNRESET'])
    assert.deepEqual(r.unallocated, ['EHOSTUNREACH'])
    assert.deepEqual(r.otherPort, ['ECONNREFUSED'], 'a port the Service lacks')
    assert.equal(r.sameListener, true, 'an endpoint change keeps the listening socket')
    assert.deepEqual(r.changed, ['pod-c'])
    assert.deepEqual(r.changedNodePort, ['pod-c'])
    assert.deepEqual(r.changedUdp, ['pod-c'])
    // The Service range has an unreachable route; other addresses have no route at all in the node.
    assert.deepEqual(r.removed, { clusterIP: ['EHOSTUNREACH'], nodePort: ['ECONNREFUSED'], externalIP: ['ENETUNREACH'], empty: ['EHOSTUNREACH'] })
    assert.deepEqual(r.addressesAfterRemoval, on(['10.96.0.21', '10.96.0.22', '10.96.0.23']))
    assert.deepEqual(r.afterClose, { links: ['lo', 'kl0'], addresses: [], sockets: '', sticky: ['EHOSTUNREACH'] })
    assert.deepEqual(r.logs.filter((m: string) => !m.startsWith('Service addresses go on lo')), [])
    assert.equal(r.netnsAfter, '')
  })
})

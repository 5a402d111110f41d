import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { promisify } from 'node:util'
import { nodeNamespaceSupport } from '../node/namespace.js'
import { launch, outcome } from '../node/testing/launch.js'
import { nftAvailable, runNft } from './nftables.js'

describe('nft runner', () => {
  it('reports a failed batch with its first lines and the line nft names', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'kl-nft-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const fake = join(dir, 'nft')
    await writeFile(fake, '#!/bin/sh\ncat >/dev/null\necho "/dev/stdin:25:5-9: Error: No such file or directory" >&2\nexit 1\n')
    await chmod(fake, 0o755)
    const lines = Array.from({ length: 30 }, (_, i) => `add element ip kubelite x { ${i + 1} }`)
    await assert.rejects(runNft(lines, fake), (err: Error) => {
      assert.match(err.message, /No such file or directory/)
      assert.match(err.message, /^1: add element ip kubelite x \{ 1 \}$/m)
      assert.match(err.message, /^20: /m)
      assert.doesNotMatch(err.message, /^21: /m)
      assert.match(err.message, /^25: add element ip kubelite x \{ 25 \}$/m)
      return true
    })
  })

  it('says why nft is unavailable', async () => {
    assert.deepEqual(await nftAvailable('/nonexistent/nft'), { ok: false, reason: '/nonexistent/nft not found' })
  })
})

const run = promisify(execFile)
const isRoot = process.geteuid?.() === 0
const support = await nodeNamespaceSupport()
// Probed in a throwaway network namespace: the host's rule set is never touched.
const nftWorks = isRoot && await run('unshare', ['--net', 'nft', 'list', 'ruleset']).then(() => true, () => false)
const skip = !isRoot ? 'needs root (nftables in a node namespace)'
  : support.mode === 'unavailable' ? `no node namespace: ${support.reason}`
    : !nftWorks ? 'nft is not installed or cannot run in a new network namespace' : false
if (skip) console.log(`# skipping nftables integration tests: ${skip}`)

/** Runs a compiled sibling module as PID 1 of a fresh node namespace; its last stdout line, parsed. */
async function inNodeNamespace(t: TestContext, module: string, args: string[] = []): Promise<Record<string, any>> {
  const dir = await mkdtemp(join(tmpdir(), 'kl-nft-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await chmod(dir, 0o755)
  const script = join(dir, 'run.mjs')
  await writeFile(script, `import '${new URL(module, import.meta.url).href}'\n`)
  const child = launch('root', [process.execPath, script, ...args])
  t.after(() => { child.kill('SIGKILL') })
  const { code, stdout, stderr } = await outcome(child)
  assert.equal(code, 0, stderr)
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}

describe('nftables data path', { skip }, () => {
  for (const bridgeNetfilter of ['on', 'off'] as const) {
  it(`serves ClusterIP, NodePort, UDP, affinity and hairpin traffic, and refuses what it must (br_netfilter ${bridgeNetfilter})`, async (t) => {
    const r = await inNodeNamespace(t, './testing/nft-scenario.js', [bridgeNetfilter])
    const { 'pod-a': a } = r.ips
    t.diagnostic(`sync times (ms): ${r.syncMs.map((x: number) => x.toFixed(1)).join(' ')}`)
    assert.deepEqual(r.spread, ['pod-b', 'pod-c'])
    // Without br_netfilter the reply would bypass the node's conntrack, so the node masquerades.
    assert.equal(r.clientSeen, bridgeNetfilter === 'on' ? a : r.nodeIP, 'the source address a Service endpoint sees')
    assert.deepEqual(r.nodePort, ['pod-b', 'pod-c'])
    assert.deepEqual(r.nodePortFromNode, ['pod-b', 'pod-c'])
    assert.equal(r.hairpin, `pod-a ${r.nodeIP}`, 'a pod reaches itself through its Service, masqueraded')
    assert.deepEqual(r.udp, ['pod-b', 'pod-c'])
    assert.equal(r.sticky.length, 1, `ClientIP affinity sticks: ${r.sticky}`)
    assert.deepEqual(r.fromNode, ['pod-b', 'pod-c'], 'the node itself reaches a cluster IP')
    assert.deepEqual(r.unallocated, ['EHOSTUNREACH'])
    assert.deepEqual(r.unallocatedFromNode, ['EHOSTUNREACH'])
    assert.deepEqual(r.otherPort, { pod: ['ECONNREFUSED'], node: ['ECONNREFUSED'] }, 'a port the Service lacks')
    assert.deepEqual(r.changed, ['pod-c'])
    assert.deepEqual(r.changedNodePort, ['pod-c'])
    assert.deepEqual(r.noEndpoints,
      { pod: ['ECONNREFUSED'], node: ['ECONNREFUSED'], udp: ['ECONNREFUSED'], nodePort: ['ECONNREFUSED'], udpFixedPort: 'ECONNREFUSED' })
    assert.deepEqual(r.back, { tcp: ['pod-b', 'pod-c'], udp: ['pod-b', 'pod-c'], udpFixedPort: r.back.udpFixedPort })
    assert.match(r.back.udpFixedPort, /^pod-[bc]$/)
    assert.deepEqual(r.removed, { pod: ['EHOSTUNREACH'], node: ['EHOSTUNREACH'] })
    assert.deepEqual(r.resynced, { logged: true, web: ['pod-b', 'pod-c'] })
    assert.equal(r.routes.split('\n').length, 4, r.routes)
    assert.deepEqual(r.afterClose, { tables: '', routes: '' })
    assert.equal(r.netnsAfter, '')
  })
  }

  it('applies one change in milliseconds with 10,000 Service ports loaded', async (t) => {
    const r = await inNodeNamespace(t, './testing/nft-bench.js', ['10000'])
    const line = `nftables, ${r.count} Service ports: load ${r.loadMs.toFixed(0)} ms; ` +
      `one incremental sync: add a port ${r.addMedianMs.toFixed(1)} ms, move a port to another bucket ${r.changeMedianMs.toFixed(1)} ms (medians)`
    t.diagnostic(line)
    assert.equal(r.count, 10000)
  })
})

import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createPodIpam } from './ipam.js'
import { nodeNamespaceSupport } from './namespace.js'
import { podVethName } from './pod-network.js'
import { launch, outcome } from './testing/launch.js'

describe('pod IPAM', () => {
  it('hands out .2 upward, never an address in use, and releases', () => {
    const ipam = createPodIpam('10.244.0.0/29') // .2 .. .6
    assert.equal(ipam.allocate('a'), '10.244.0.2')
    assert.equal(ipam.allocate('a'), '10.244.0.2')
    assert.equal(ipam.allocate('b'), '10.244.0.3')
    ipam.release('a')
    assert.deepEqual(['c', 'd', 'e', 'f'].map((o) => ipam.allocate(o)),
      ['10.244.0.4', '10.244.0.5', '10.244.0.6', '10.244.0.2'])
    assert.throws(() => ipam.allocate('g'), /no free pod IP/)
  })

  it('names veths within 15 characters', () => {
    assert.ok(podVethName('0e4f2b8c-6a7d-4f5e-9c3b-2a1d0e9f8c7b').length <= 15)
  })
})

const support = await nodeNamespaceSupport()
const isRoot = process.geteuid?.() === 0
const modes = support.mode === 'unavailable' ? [] : isRoot ? (['root', 'rootless'] as const) : (['rootless'] as const)

describe('node and pod networks', { skip: modes.length === 0 && `no node namespace: ${support.reason}` }, () => {
  for (const mode of modes) {
    it(`two pods get their own reachable IPs and loopbacks (${mode})`, async (t) => {
      // The scenario is a compiled sibling module; a wrapper runs it inside a fresh node namespace.
      const dir = await mkdtemp(join(tmpdir(), 'kl-podnet-'))
      t.after(() => rm(dir, { recursive: true, force: true }))
      await chmod(dir, 0o755)
      const script = join(dir, 'run.mjs')
      await writeFile(script, `import '${new URL('./testing/pods-scenario.js', import.meta.url).href}'\n`)
      const child = launch(mode, [process.execPath, script])
      t.after(() => { child.kill('SIGKILL') })
      const { code, stdout, stderr } = await outcome(child)
      assert.equal(code, 0, stderr)
      const r = JSON.parse(stdout.trim().split('\n').at(-1)!)
      t.diagnostic(`pod network setUp: ${r.setUpMsPerPod.toFixed(1)} ms per pod`)
      assert.equal(r.nodeIP, '10.244.7.1')
      assert.deepEqual(r.ips, ['10.244.7.2', '10.244.7.3'])
      assert.deepEqual(r.fromNode, ['pod-a', 'pod-b'])
      // Each pod's 127.0.0.1 is its own: b cannot reach a's loopback-only listener.
      assert.equal(r.loopbackFromA, 'secret-pod-a')
      assert.equal(r.loopbackFromB, 'ECONNREFUSED')
      assert.match(r.serviceRange, /^error: (EHOSTUNREACH|ENETUNREACH)/)
      assert.equal(r.netnsAfter, '')
      assert.deepEqual(r.linksAfter, ['lo', 'kl0'])
      assert.equal(r.ipAfterRelease, '10.244.7.4')
    })
  }
})

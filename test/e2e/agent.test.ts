/**
 * End-to-end: `kubelite agent` on its own against a server started with --disable-agent —
 * in its namespaces (reaching the API through its relay socket) and with the host runtime.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLI, poll, startCluster, type Cluster } from './harness.js'
import { containerStatus, isRunningReady, leftovers, waitPod } from './node-helpers.js'
import { getJson, yamlOf, type Obj } from './workloads-helpers.js'

const skipReason = process.getuid?.() !== 0 ? 'needs root (the rootless suite covers ordinary users)' : undefined

function startAgent(c: Cluster, name: string, extra: string[]): { child: ChildProcess; output: () => string; stop(): Promise<void> } {
  const token = readFileSync(join(c.dataDir, 'node-token'), 'utf8').trim()
  const child = spawn(process.execPath, [CLI, 'agent', '--server', c.url, `--token=${token}`, '--node-name', name,
    '--data-dir', c.dataDir, '--image-fallback', 'host', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const t = setTimeout(() => child.kill('SIGKILL'), 30_000)
        await exited
        clearTimeout(t)
      }
    },
  }
}

const readyNode = (c: Cluster, name: string) => poll(`node ${name} Ready`, async () => {
  const n = await getJson<Obj>(c, ['node', name]).catch(() => undefined)
  return n?.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True') ? n : undefined
}, 30_000, 200)

describe('kubelite agent against a separate server', { skip: skipReason, timeout: 300_000 }, () => {
  let c: Cluster
  before(async () => {
    c = await startCluster()
  })
  after(async () => {
    await c?.stop()
  })

  it('joins as a node in its own namespaces, runs a pod, and leaves nothing when stopped', async () => {
    const agent = startAgent(c, 'joined', [])
    try {
      const node = await readyNode(c, 'joined')
      assert.match(node.spec!.podCIDR, /^10\.244\.\d+\.0\/24$/)
      await c.ok(['apply', '-f', '-'], { input: yamlOf([
        'apiVersion: v1', 'kind: Pod', 'metadata: {name: on-joined}', 'spec:', '  nodeName: joined', '  containers:',
        '  - {name: app, image: busybox, command: [sh, -c, "echo hello from $(hostname); sleep 3600"]}',
      ]) })
      const p = await waitPod(c, 'on-joined', isRunningReady)
      assert.match(p.status!.podIP, /^10\.244\./)
      assert.equal(await c.ok(['logs', 'on-joined']), 'hello from on-joined\n')
      assert.equal((await c.ok(['exec', 'on-joined', '--', 'hostname'])).trim(), 'on-joined')
    } finally {
      await agent.stop()
    }
    assert.deepEqual(leftovers(join(c.dataDir, 'agent', 'joined')), [])
  })

  it('runs pods as plain processes with --runtime host, and says so on the node', async () => {
    const agent = startAgent(c, 'plain', ['--runtime', 'host'])
    try {
      const node = await readyNode(c, 'plain')
      const cond = node.status!.conditions.find((x: { type: string }) => x.type === 'PodIsolation')
      assert.equal(cond?.status, 'False')
      assert.equal(cond?.reason, 'HostRuntime')
      await c.ok(['apply', '-f', '-'], { input: yamlOf([
        'apiVersion: v1', 'kind: Pod', 'metadata: {name: on-plain}', 'spec:', '  nodeName: plain', '  restartPolicy: Never', '  containers:',
        '  - {name: app, image: busybox, command: [sh, -c, "echo $GREETING; exit 0"], env: [{name: GREETING, value: hi}]}',
      ]) })
      const p = await waitPod(c, 'on-plain', (q) => q.status?.phase === 'Succeeded')
      assert.equal(containerStatus(p, 'app').state.terminated.reason, 'Completed')
      assert.equal(await c.ok(['logs', 'on-plain']), 'hi\n')
    } finally {
      await agent.stop()
    }
  })
})

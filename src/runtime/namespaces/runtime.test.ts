// The namespaces runtime for real (as root): sandboxes with a fake PodNetwork whose network
// namespaces are bind-mounted onto files in a temp dir, containers with CRI logs, exec, attach,
// stats, port-forward and a shared PID namespace.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { PodNetwork } from '../../network/node/pod-network.js'
import type { ContainerConfig, PodSandbox, Runtime } from '../types.js'
import { createNamespacesRuntime } from './runtime.js'
import { shimPath } from './shim.js'

const PATH: [string, string] = ['PATH', '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin']
const skip = !shimPath() ? 'kubelite-shim is not built' : process.getuid?.() !== 0 ? 'needs root' : false

/** Pod networks as persistent namespaces (`unshare --net=FILE`): lo only, nothing on the host's /run. */
function fakeNetwork(dir: string): PodNetwork & { live: Set<string> } {
  const live = new Set<string>()
  return {
    nodeIP: '127.0.0.1',
    live,
    async setUp(podUid) {
      const netnsPath = join(dir, `netns-${podUid}`)
      writeFileSync(netnsPath, '')
      const r = spawnSync('unshare', [`--net=${netnsPath}`, 'ip', 'link', 'set', 'lo', 'up'])
      if (r.status !== 0) throw new Error(`unshare --net: ${r.stderr}`)
      live.add(netnsPath)
      return { netnsPath, ip: '127.0.0.1' }
    },
    async tearDown(podUid) {
      const netnsPath = join(dir, `netns-${podUid}`)
      if (live.delete(netnsPath)) spawnSync('umount', [netnsPath])
    },
  }
}

async function collect(stream: NodeJS.ReadableStream | null): Promise<string> {
  let out = ''
  for await (const chunk of stream ?? []) out += chunk
  return out
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('namespaces runtime', { skip }, () => {
  let dir: string
  let network: ReturnType<typeof fakeNetwork>
  let runtime: Runtime
  let n = 0

  const container = (name: string, argv: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    name, attempt: 0, rootfs: { layers: [] }, argv, env: [PATH], workingDir: '/', mounts: [],
    noNewPrivileges: false, readOnlyRootFilesystem: false, tty: false, stdin: false, stdinOnce: false,
    resources: {}, logPath: join(dir, 'logs', `${name}-${n}.log`), dir: join(dir, 'containers', `${name}-${n++}`), ...extra,
  })
  const sandbox = (uid: string, extra: { hostNetwork?: boolean; shareProcessNamespace?: boolean } = {}) =>
    runtime.runPodSandbox({
      uid, namespace: 'default', name: uid, hostname: `pod-${uid}`, hostNetwork: false, shareProcessNamespace: false,
      dir: join(dir, 'sandboxes', uid), ...extra,
    })

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kl-ns-runtime-'))
    network = fakeNetwork(dir)
    runtime = createNamespacesRuntime({ network })
  })
  after(async () => {
    await runtime.close()
    for (const path of network.live) spawnSync('umount', [path])
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs a container in the pod network namespace and writes its CRI log', async () => {
    const sb = await sandbox('p1')
    const cfg = container('main', ['/bin/sh', '-c', 'echo out; echo err >&2; hostname; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "'])
    const c = await runtime.startContainer(sb, cfg)
    const exit = await c.exited
    assert.equal(exit.exitCode, 0)
    assert.equal(exit.oomKilled, false)
    const lines = readFileSync(cfg.logPath, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(1).join(' '))
    assert.deepEqual(lines.filter((l) => l.startsWith('stderr')), ['stderr F err'])
    assert.deepEqual(lines.filter((l) => l.startsWith('stdout')).map((l) => l.trim()), ['stdout F out', 'stdout F pod-p1', 'stdout F lo'])
    await runtime.removePodSandbox(sb.id)
    assert.equal(network.live.size, 0)
  })

  it('execs into a running container, attaches, reports stats and the ending signal', async () => {
    const sb = await sandbox('p2')
    const c = await runtime.startContainer(sb, container('app', ['/bin/sh', '-c',
      'echo ready > /tmp/state; while :; do echo tick; sleep 0.05; done']))
    const attached = await runtime.attach(c.id, { stdin: false, tty: false })
    let seen = ''
    attached.stdout.on('data', (b: Buffer) => { seen += b })
    await until(() => seen.includes('tick'), 'attach output')
    attached.close()
    const exec = await runtime.exec(c.id, { argv: ['/bin/sh', '-c', 'cat /tmp/state; echo $EXTRA; exit 4'], tty: false, stdin: false, env: [['EXTRA', 'x1']] })
    const [out, ended] = await Promise.all([collect(exec.stdout), exec.exited])
    assert.equal(out, 'ready\nx1\n')
    assert.equal(ended.exitCode, 4)
    const stats = await runtime.stats(c.id)
    assert.ok(stats && stats.memoryWorkingSetBytes > 0n, 'memory from /proc')
    c.kill('SIGTERM')
    const exit = await c.exited
    assert.deepEqual([exit.exitCode, exit.signal], [143, 'SIGTERM'])
    await runtime.removePodSandbox(sb.id)
  })

  it('exec with stdin and a missing command', async () => {
    const sb = await sandbox('p3')
    const c = await runtime.startContainer(sb, container('app', ['sleep', '30']))
    const cat = await runtime.exec(c.id, { argv: ['cat'], tty: false, stdin: true })
    cat.stdin!.end('through stdin\n')
    assert.equal(await collect(cat.stdout), 'through stdin\n')
    const missing = await runtime.exec(c.id, { argv: ['no-such-cmd'], tty: false, stdin: false })
    const [, err, exit] = await Promise.all([collect(missing.stdout), collect(missing.stderr), missing.exited])
    assert.equal(exit.exitCode, 127)
    assert.match(err, /executable file not found in \$PATH/)
    await assert.rejects(runtime.startContainer(sb, container('bad', ['no-such-cmd'])), /executable file not found/)
    await runtime.removePodSandbox(sb.id)
    assert.equal((await c.exited).signal, 'SIGKILL')
  })

  it('shares one PID namespace with shareProcessNamespace', async () => {
    const sb: PodSandbox = await sandbox('p4', { shareProcessNamespace: true })
    const a = await runtime.startContainer(sb, container('a', ['/bin/sh', '-c', 'exec sleep 31']))
    const b = await runtime.startContainer(sb, container('b', ['/bin/sh', '-c', 'exec sleep 32']))
    const ps = await runtime.exec(b.id, { argv: ['/bin/sh', '-c', 'cat /proc/[0-9]*/cmdline | tr "\\0" " "'], tty: false, stdin: false })
    const out = await collect(ps.stdout)
    assert.match(out, /sleep 31/)
    assert.match(out, /sleep 32/)
    await runtime.removePodSandbox(sb.id)
    await Promise.all([a.exited, b.exited])
  })

  it('forwards a port to a server in a hostNetwork pod', async () => {
    const sb = await sandbox('p5', { hostNetwork: true })
    assert.equal(sb.ip, '127.0.0.1')
    const port = 20000 + Math.floor(Math.random() * 20000)
    const server = `require('http').createServer((q, s) => s.end('pong')).listen(${port}, '127.0.0.1', () => console.log('listening'))`
    const cfg = container('web', ['node', '-e', server])
    await runtime.startContainer(sb, cfg)
    await until(() => { try { return readFileSync(cfg.logPath, 'utf8').includes('listening') } catch { return false } }, 'the server')
    const socket = await runtime.portForward(sb.id, port)
    socket.end('GET / HTTP/1.0\r\n\r\n')
    assert.match(await collect(socket), /pong$/)
    await runtime.removePodSandbox(sb.id)
  })
})

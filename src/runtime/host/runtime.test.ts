import assert from 'node:assert/strict'
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createCgroupManager } from '../cgroups.js'
import type { ContainerConfig, Runtime } from '../types.js'
import type { CriLogWriter } from '../cri-log.js'
import { createHostRuntime } from './runtime.js'

/** A stand-in for cri-log.ts: CRI lines, written straight through. */
async function testLog(path: string): Promise<CriLogWriter> {
  let pending = Promise.resolve()
  return {
    write(stream, chunk) {
      const text = chunk.toString()
      pending = pending.then(() => appendFile(path, `${new Date().toISOString()} ${stream} F ${text}`))
    },
    close: () => pending,
  }
}

function container(dir: string, name: string, argv: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    name, attempt: 0, rootfs: { layers: [] }, argv, env: [['GREETING', 'hello']], workingDir: dir, mounts: [],
    noNewPrivileges: false, readOnlyRootFilesystem: false, tty: false, stdin: false, stdinOnce: false,
    resources: {}, logPath: join(dir, `${name}.log`), dir: join(dir, name), ...extra,
  }
}

/** Running, not a zombie waiting for whichever reaper adopted it. */
const alive = async (pid: number) => !/^\S+ \(.*\) Z/.test(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => 'x (x) Z'))

async function withRuntime(t: { after(fn: () => unknown): void }, rt?: Runtime) {
  const dir = await mkdtemp(join(tmpdir(), 'kl-host-'))
  const runtime = rt ?? createHostRuntime({ nodeIP: '10.0.0.5', openLog: testLog })
  t.after(async () => { await runtime.close(); await rm(dir, { recursive: true, force: true }) })
  const sandbox = await runtime.runPodSandbox({ uid: 'pod-1', namespace: 'default', name: 'p', hostname: 'p',
    hostNetwork: false, shareProcessNamespace: false, dir: join(dir, 'sandbox') })
  return { dir, runtime, sandbox }
}

describe('host runtime', () => {
  it('says what it cannot do', () => {
    const info = createHostRuntime({ openLog: testLog }).info()
    assert.equal(info.name, 'host')
    assert.match(info.networkLimitation!, /host network.*not mounted/s)
    assert.equal(info.cgroups.enforced, false)
  })

  it('runs a process with env and workingDir, logs its output, reports its exit', async (t) => {
    const { dir, runtime, sandbox } = await withRuntime(t)
    assert.equal(sandbox.ip, '10.0.0.5')
    const c = container(dir, 'main', ['sh', '-c', 'echo "$GREETING from $(pwd) on $HOSTNAME"; echo oops >&2; exit 3'])
    const handle = await runtime.startContainer(sandbox, c)
    const exit = await handle.exited
    assert.equal(exit.exitCode, 3)
    assert.equal(exit.oomKilled, false)
    const log = await readFile(c.logPath, 'utf8')
    assert.match(log, new RegExp(`stdout F hello from ${dir} on p\n`))
    assert.match(log, /stderr F oops\n/)
    await runtime.removeContainer(handle.id)
  })

  it('kills the whole process tree, and reports the signal', async (t) => {
    const { dir, runtime, sandbox } = await withRuntime(t)
    const handle = await runtime.startContainer(sandbox, container(dir, 'tree', ['sh', '-c', 'sleep 300 & echo $!; wait']))
    const log = join(dir, 'tree.log')
    let grandchild = 0
    for (let i = 0; i < 100 && !grandchild; i++) {
      await new Promise((r) => setTimeout(r, 10))
      grandchild = Number(/stdout F (\d+)/.exec(await readFile(log, 'utf8').catch(() => ''))?.[1] ?? 0)
    }
    assert.ok(await alive(grandchild))
    const stats = await runtime.stats(handle.id)
    assert.ok(stats && stats.memoryWorkingSetBytes > 0n)
    handle.kill('SIGTERM')
    const exit = await handle.exited
    assert.equal(exit.signal, 'SIGTERM')
    assert.equal(exit.exitCode, 143)
    assert.equal(await alive(grandchild), false)
  })

  it('execs with the container environment and forwards ports on loopback', async (t) => {
    const { dir, runtime, sandbox } = await withRuntime(t)
    const handle = await runtime.startContainer(sandbox, container(dir, 'idle', ['sleep', '300']))
    const session = await runtime.exec(handle.id, { argv: ['sh', '-c', 'echo $GREETING $EXTRA; pwd'], tty: false, stdin: false, env: [['EXTRA', 'x']] })
    let out = ''
    session.stdout.on('data', (b: Buffer) => { out += b })
    assert.equal((await session.exited).exitCode, 0)
    assert.equal(out, `hello x\n${dir}\n`)

    const server = createServer((s) => s.end('pong'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    t.after(() => server.close())
    const port = (server.address() as { port: number }).port
    const conn = await runtime.portForward(sandbox.id, port)
    let got = ''
    for await (const b of conn) got += b
    assert.equal(got, 'pong')

    await runtime.removePodSandbox(sandbox.id)
    assert.equal(await alive(handle.pid), false)
  })

  it('attaches to a running container', async (t) => {
    const { dir, runtime, sandbox } = await withRuntime(t)
    const handle = await runtime.startContainer(sandbox, container(dir, 'cat', ['cat'], { stdin: true }))
    const session = await runtime.attach(handle.id, { stdin: true, tty: false })
    const got = new Promise<string>((r) => session.stdout.once('data', (b: Buffer) => r(b.toString())))
    session.stdin!.write('echoed\n')
    assert.equal(await got, 'echoed\n')
    session.close()
    handle.kill('SIGKILL')
    assert.equal((await handle.exited).signal, 'SIGKILL')
  })

  it('enforces a memory limit through cgroups as root', async (t) => {
    const cgroups = await createCgroupManager({ nodeName: `host-test-${process.pid}` })
    if (!cgroups.enforced) return t.skip(cgroups.reason)
    const runtime = createHostRuntime({ openLog: testLog, cgroups })
    const { dir, sandbox } = await withRuntime(t, runtime)
    assert.equal(runtime.info().cgroups.enforced, true)
    const handle = await runtime.startContainer(sandbox, container(dir, 'oom',
      ['python3', '-c', 'b=bytearray(100*1024*1024)'], { resources: { memoryLimitBytes: 32 * 1024 * 1024 } }))
    const exit = await handle.exited
    assert.equal(exit.oomKilled, true)
    assert.equal(exit.exitCode, 137)
  })
})

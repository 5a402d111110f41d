/**
 * @module
 * A stand-in node for tests of the kubelet API: "containers" are host processes (`sh -c`)
 * whose output is written as CRI logs, exec spawns host processes, port-forward dials
 * 127.0.0.1. Not a runtime for real pods — it exists so the API can be driven end to end.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { PassThrough, type Duplex } from 'node:stream'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { AttachSession, ContainerStats, ExecSession, Runtime } from '../../runtime/types.js'
import type { KubeletPods } from '../types.js'

type FakeContainer = {
  name: string
  id?: string
  proc?: ChildProcess
  running: boolean
  logPath?: string
  previousLogPath?: string
  attempt: number
  out: PassThrough
}

type FakePod = { pod: Pod; containers: Map<string, FakeContainer> }

export type HostPods = KubeletPods & {
  /** Adds a pod whose named containers are not started yet. */
  addPod(pod: Pod): void
  /** Starts (or restarts, keeping the last log as the previous one) a container running `sh -c script`. */
  start(namespace: string, pod: string, container: string, script: string): Promise<void>
  /** Every resize an exec session got. */
  readonly resizes: Array<[number, number]>
  /** Kills every process. */
  close(): Promise<void>
}

function criWriter(path: string, stream: 'stdout' | 'stderr') {
  let carry = ''
  return {
    write(chunk: Buffer) {
      const text = carry + chunk.toString()
      const lines = text.split('\n')
      carry = lines.pop()!
      for (const l of lines) appendFileSync(path, `${new Date().toISOString()} ${stream} F ${l}\n`)
      if (carry.length > 0) {
        appendFileSync(path, `${new Date().toISOString()} ${stream} P ${carry}\n`)
        carry = ''
      }
    },
  }
}

/** SIGKILL to the process and its group (if it leads one); resolves once it exited. */
function killTree(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve()
  const exited = new Promise<void>((r) => p.once('exit', () => r()))
  try {
    process.kill(-p.pid!, 'SIGKILL')
  } catch {
    p.kill('SIGKILL')
  }
  return exited
}

/** A fake node whose pods live in `dir`. */
export function hostPods(dir: string): HostPods {
  const pods = new Map<string, FakePod>()
  const procs = new Set<ChildProcess>()
  const resizes: Array<[number, number]> = []
  const byId = new Map<string, FakeContainer>()
  const key = (ns: string, name: string) => `${ns}/${name}`

  const session = (argv: string[], stdin: boolean, tty: boolean): ExecSession => {
    const p = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] })
    procs.add(p)
    const exited = new Promise<{ exitCode: number; signal?: NodeJS.Signals }>((resolve) => {
      p.once('error', () => resolve({ exitCode: 126 }))
      p.once('exit', (code, signal) => {
        procs.delete(p)
        resolve(signal ? { exitCode: 137, signal } : { exitCode: code ?? 0 })
      })
    })
    if (!stdin) p.stdin!.end()
    let stdout = p.stdout!
    if (tty) {
      // No terminal here: a TTY session merges both streams as a terminal would.
      const merged = new PassThrough()
      let open = 2
      const done = () => --open === 0 && merged.end()
      p.stdout!.on('data', (c) => merged.write(c)).once('end', done)
      p.stderr!.on('data', (c) => merged.write(c)).once('end', done)
      stdout = merged as never
    }
    return {
      stdin: stdin ? p.stdin! : null, stdout, stderr: tty ? null : p.stderr!,
      resize: (cols, rows) => void resizes.push([cols, rows]), exited,
      kill: (sig) => void p.kill(sig ?? 'SIGKILL'),
    }
  }

  const runtime: Runtime = {
    info: () => ({ name: 'host', version: 'test', cgroups: { enforced: false, reason: 'test' } }),
    runPodSandbox: async () => ({ id: 'x', ip: '127.0.0.1' }),
    removePodSandbox: async () => {},
    startContainer: async () => { throw new Error('not in the fake') },
    removeContainer: async () => {},
    async exec(id, opts) {
      const c = byId.get(id)
      if (!c?.running) throw new Error(`container ${id} is not running`)
      return session(opts.argv, opts.stdin, opts.tty)
    },
    async attach(id, opts): Promise<AttachSession> {
      const c = byId.get(id)
      if (!c?.running) throw new Error(`container ${id} is not running`)
      const out = new PassThrough()
      const feed = (d: Buffer) => out.write(d)
      c.out.on('data', feed)
      c.out.once('end', () => out.end())
      return {
        stdin: opts.stdin ? c.proc!.stdin! : null, stdout: out, stderr: null,
        resize: (cols, rows) => void resizes.push([cols, rows]),
        close: () => {
          c.out.off('data', feed)
          out.end()
        },
      }
    },
    portForward: (sandboxId, port) => new Promise<Duplex>((resolve, reject) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => resolve(s))
      s.once('error', (err) => reject(new Error(`failed to connect to localhost:${port} inside namespace "${sandboxId}": ${err.message}`)))
    }),
    async stats(id): Promise<ContainerStats | undefined> {
      const pid = byId.get(id)?.proc?.pid
      if (!pid || !byId.get(id)?.running) return undefined
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
        const ticks = BigInt(f[11]!) + BigInt(f[12]!)
        const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '0'
        return { cpuUsageNanos: ticks * 10_000_000n, memoryWorkingSetBytes: BigInt(rss) * 1024n }
      } catch {
        return undefined
      }
    },
    close: async () => {},
  }

  return {
    runtime,
    resizes,
    addPod(pod) {
      const containers = new Map<string, FakeContainer>()
      for (const c of pod.spec?.containers ?? []) containers.set(c.name, { name: c.name, running: false, attempt: -1, out: new PassThrough() })
      pods.set(key(pod.metadata!.namespace ?? 'default', pod.metadata!.name!), { pod, containers })
    },
    async start(ns, podName, name, script) {
      const c = pods.get(key(ns, podName))?.containers.get(name)
      if (!c) throw new Error(`no container ${name} in ${podName}`)
      if (c.proc && c.running) await killTree(c.proc)
      c.attempt++
      c.previousLogPath = c.logPath
      c.logPath = join(dir, `${ns}_${podName}_${name}_${c.attempt}.log`)
      writeFileSync(c.logPath, '')
      c.id = `${podName}_${name}_${c.attempt}`
      byId.set(c.id, c)
      c.out = new PassThrough()
      // Its own process group, so the whole "container" can be killed.
      const p = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
      procs.add(p)
      c.proc = p
      c.running = true
      const out = criWriter(c.logPath, 'stdout')
      const err = criWriter(c.logPath, 'stderr')
      const tee = c.out
      p.stdout!.on('data', (d: Buffer) => {
        out.write(d)
        tee.write(d)
      })
      p.stderr!.on('data', (d: Buffer) => err.write(d))
      p.once('exit', () => {
        procs.delete(p)
        if (c.proc === p) c.running = false
      })
      p.stdout!.once('end', () => tee.end())
    },
    container(ns, pod, name) {
      const c = pods.get(key(ns, pod))?.containers.get(name)
      return c && { id: c.id, running: c.running, logPath: c.logPath, previousLogPath: c.previousLogPath }
    },
    sandbox(ns, pod) {
      return pods.has(key(ns, pod)) ? { id: `sandbox-${pod}`, ip: '127.0.0.1' } : undefined
    },
    pods() {
      return [...pods.values()].map((p) => ({
        pod: p.pod, sandboxId: `sandbox-${p.pod.metadata?.name}`,
        containers: [...p.containers.values()].map((c) => ({ name: c.name, id: c.running ? c.id : undefined })),
      }))
    },
    async close() {
      await Promise.all([...procs].map(killTree))
    },
  }
}

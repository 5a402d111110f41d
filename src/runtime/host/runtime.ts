/**
 * @module
 * The host runtime: the fallback where user namespaces are unavailable (map §6). Containers
 * are plain process groups in the host's namespaces. A pod's IP is the node's (hostNetwork
 * semantics) and nothing is mounted: the kubelet still prepares volume directories, but the
 * container sees the host's filesystem, so the runtime says so in its info.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, rm, stat } from 'node:fs/promises'
import { connect } from 'node:net'
import { constants } from 'node:os'
import { PassThrough, type Duplex } from 'node:stream'
import type { CgroupManager, Cgroup } from '../cgroups.js'
import type {
  AttachSession, ContainerConfig, ContainerExit, ContainerHandle, ExecOptions, ExecSession,
  PodSandbox, PodSandboxConfig, Runtime, RuntimeInfo,
} from '../types.js'
import { openCriLog, type CriLogWriter } from '../cri-log.js'
import { processGroupStats } from '../proc-stats.js'

export type HostRuntimeOptions = {
  /** Every pod's IP: the node's own address. */
  nodeIP?: string
  version?: string
  /** Limits and usage through cgroups where they are enforced; /proc figures otherwise. */
  cgroups?: CgroupManager
  /** Opens a container's log; openCriLog from src/runtime/cri-log.ts unless set. */
  openLog?: (path: string) => Promise<CriLogWriter>
}

export const HOST_RUNTIME_REASON =
  'user namespaces are unavailable: pods run as plain processes in the host namespaces, ' +
  'share the host network (pod IP = node IP, hostNetwork semantics) and see the host filesystem ' +
  '(volumes are prepared but not mounted, no image root filesystem)'

// containerd's default when the image sets none: a host-base container still finds its tools.
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

type Container = {
  handle: ContainerHandle
  config: ContainerConfig
  sandboxId: string
  hostname: string
  child: ChildProcess
  cgroup?: Cgroup
  /** Live attach sessions: the container's output goes to them as well as to the log. */
  watchers: Set<{ stdout: PassThrough; stderr: PassThrough | null }>
  done: boolean
}

/** The process's exit as the CRI reports it: a signal is 128 + its number. */
function exitOf(code: number | null, signal: NodeJS.Signals | null, oomKilled: boolean): ContainerExit {
  const exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 0)
  return { exitCode, ...(signal ? { signal } : {}), oomKilled, finishedAt: new Date() }
}

/** Signals a whole process group; gone already is fine. */
function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pgid, signal) } catch { /* ESRCH: nothing left */ }
}

/** argv, behind a shell that first moves itself into the cgroup so every descendant is counted. */
function inCgroup(argv: string[], cgroup: Cgroup | undefined): { file: string; args: string[] } {
  if (!cgroup) return { file: argv[0]!, args: argv.slice(1) }
  const join = 'while [ "$1" != -- ]; do echo $$ > "$1"; shift; done; shift; exec "$@"'
  return { file: '/bin/sh', args: ['-c', join, 'kubelite-cgroup-join', ...cgroup.procsFiles, '--', ...argv] }
}

export type HostRuntime = Runtime & {
  /** Why pods on this runtime are not isolated. */
  readonly reason: string
}

/** A Runtime of plain host processes. */
export function createHostRuntime(opts: HostRuntimeOptions = {}): HostRuntime {
  const nodeIP = opts.nodeIP ?? '127.0.0.1'
  const openLog = opts.openLog ?? openCriLog
  const sandboxes = new Map<string, PodSandboxConfig>()
  const containers = new Map<string, Container>()

  function environment(c: { config: ContainerConfig; hostname: string }, extra: Array<[string, string]> = []) {
    const env: Record<string, string> = { PATH: DEFAULT_PATH, HOSTNAME: c.hostname }
    for (const [k, v] of [...c.config.env, ...extra]) env[k] = v
    return env
  }

  function identity(config: ContainerConfig) {
    // Only root may switch users; an ordinary agent runs containers as itself.
    if (!config.user || process.geteuid?.() !== 0) return {}
    return { uid: config.user.uid, gid: config.user.gid }
  }

  function lookup(id: string): Container {
    const c = containers.get(id)
    if (!c) throw new Error(`container "${id}" not found`)
    return c
  }

  async function stopContainer(c: Container): Promise<void> {
    if (!c.done) killGroup(c.child.pid!, 'SIGKILL')
    await c.handle.exited
  }

  const runtime: HostRuntime = {
    reason: HOST_RUNTIME_REASON,
    info(): RuntimeInfo {
      return {
        name: 'host',
        version: opts.version ?? '0.1.0',
        cgroups: { enforced: opts.cgroups?.enforced ?? false,
          ...(opts.cgroups?.enforced ? {} : { reason: opts.cgroups?.reason ?? 'the host runtime was given no cgroup manager' }) },
        networkLimitation: HOST_RUNTIME_REASON,
      }
    },

    async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
      await mkdir(config.dir, { recursive: true })
      sandboxes.set(config.uid, config)
      return { id: config.uid, ip: nodeIP }
    },

    async removePodSandbox(id: string): Promise<void> {
      const mine = [...containers.values()].filter((c) => c.sandboxId === id)
      await Promise.all(mine.map((c) => stopContainer(c)))
      for (const c of mine) await runtime.removeContainer(c.handle.id)
      const config = sandboxes.get(id)
      if (config) await rm(config.dir, { recursive: true, force: true })
      sandboxes.delete(id)
    },

    async startContainer(sandbox: PodSandbox, config: ContainerConfig): Promise<ContainerHandle> {
      const pod = sandboxes.get(sandbox.id)
      if (!pod) throw new Error(`pod sandbox "${sandbox.id}" not found`)
      const id = `${sandbox.id}_${config.name}_${config.attempt}`
      if (containers.has(id)) throw new Error(`container "${id}" already exists`)
      const cwd = config.workingDir || '/'
      if (!(await stat(cwd).then((s) => s.isDirectory(), () => false))) {
        throw new Error(`working directory "${cwd}" does not exist on the host`)
      }
      await mkdir(config.dir, { recursive: true })
      const cgroup = await opts.cgroups?.create(id, config.resources)
      const log = await openLog(config.logPath)
      const { file, args } = inCgroup(config.argv, cgroup)
      const entry = { config, hostname: pod.hostname } as Container
      // detached: its own process group, so kill() and cleanup reach every descendant.
      const child = spawn(file, args, {
        cwd, env: environment(entry), detached: true, ...identity(config),
        stdio: [config.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      })
      const spawned = await new Promise<Error | undefined>((resolve) => {
        child.once('spawn', () => resolve(undefined))
        child.once('error', resolve)
      })
      if (spawned) {
        await log.close()
        await cgroup?.remove()
        throw new Error(`starting container "${config.name}": ${spawned.message}`, { cause: spawned })
      }
      const watchers: Container['watchers'] = new Set()
      for (const stream of ['stdout', 'stderr'] as const) {
        child[stream]!.on('data', (chunk: Buffer) => {
          log.write(stream, chunk)
          for (const w of watchers) (stream === 'stdout' ? w.stdout : w.stderr ?? w.stdout).write(chunk)
        })
      }
      const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
        child.once('exit', (code, signal) => {
          // The main process is gone: like a PID namespace losing its init, take the rest with it.
          killGroup(child.pid!, 'SIGKILL')
          child.once('close', () => resolve([code, signal]))
        })
      })
      const exited = closed.then(async ([code, signal]) => {
        entry.done = true
        for (const w of watchers) { w.stdout.end(); w.stderr?.end() }
        await log.close()
        return exitOf(code, signal, (await cgroup?.oomKilled()) ?? false)
      })
      const handle: ContainerHandle = {
        id, pid: child.pid!, startedAt: new Date(), exited,
        kill(signal) { if (!entry.done) killGroup(child.pid!, signal) },
      }
      Object.assign(entry, { handle, sandboxId: sandbox.id, child, cgroup, watchers, done: false })
      containers.set(id, entry)
      return handle
    },

    async removeContainer(id: string): Promise<void> {
      const c = containers.get(id)
      if (!c) return
      await stopContainer(c)
      await c.cgroup?.remove()
      await rm(c.config.dir, { recursive: true, force: true })
      containers.delete(id)
    },

    async exec(containerId: string, o: ExecOptions): Promise<ExecSession> {
      const c = lookup(containerId)
      if (c.done) throw new Error(`container "${containerId}" is not running`)
      const { file, args } = inCgroup(o.argv, c.cgroup)
      const child = spawn(file, args, {
        cwd: c.config.workingDir || '/', env: environment(c, o.env), detached: true, ...identity(c.config),
        stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      })
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve)
        child.once('error', reject)
      })
      // No pseudo-terminal without a native addon: with a TTY both streams arrive merged on stdout.
      let stdout: PassThrough | NonNullable<ChildProcess['stdout']> = child.stdout!
      if (o.tty) {
        const merged = new PassThrough()
        let open = 2
        for (const s of [child.stdout!, child.stderr!]) {
          s.on('data', (b: Buffer) => merged.write(b))
          s.on('end', () => { if (--open === 0) merged.end() })
        }
        stdout = merged
      }
      const exited = new Promise<{ exitCode: number; signal?: NodeJS.Signals }>((resolve) => {
        child.once('close', (code, signal) => {
          const { exitCode } = exitOf(code, signal, false)
          resolve({ exitCode, ...(signal ? { signal } : {}) })
        })
      })
      return {
        stdin: child.stdin ?? null,
        stdout,
        stderr: o.tty ? null : child.stderr!,
        resize() { /* no terminal to resize */ },
        exited,
        kill(signal = 'SIGKILL') { killGroup(child.pid!, signal) },
      }
    },

    async attach(containerId: string, o: { stdin: boolean; tty: boolean }): Promise<AttachSession> {
      const c = lookup(containerId)
      const watcher = { stdout: new PassThrough(), stderr: o.tty ? null : new PassThrough() }
      if (c.done) { watcher.stdout.end(); watcher.stderr?.end() } else c.watchers.add(watcher)
      let stdin: PassThrough | null = null
      if (o.stdin && c.child.stdin) {
        stdin = new PassThrough()
        // Piping without ending: detaching must not close the container's stdin (unless stdinOnce).
        stdin.on('data', (b: Buffer) => c.child.stdin?.write(b))
        stdin.on('end', () => { if (c.config.stdinOnce) c.child.stdin?.end() })
      }
      return {
        stdin, stdout: watcher.stdout, stderr: watcher.stderr,
        resize() { /* no terminal to resize */ },
        close() {
          c.watchers.delete(watcher)
          watcher.stdout.end()
          watcher.stderr?.end()
        },
      }
    },

    async portForward(sandboxId: string, port: number): Promise<Duplex> {
      if (!sandboxes.has(sandboxId)) throw new Error(`pod sandbox "${sandboxId}" not found`)
      // The pod shares the host network: its ports are the host's, on loopback.
      const socket = connect(port, '127.0.0.1')
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve)
        socket.once('error', reject)
      })
      return socket
    },

    async stats(containerId: string) {
      const c = containers.get(containerId)
      if (!c || c.done) return undefined
      return (await c.cgroup?.usage()) ?? processGroupStats(c.child.pid!)
    },

    async close(): Promise<void> {
      await Promise.all([...sandboxes.keys()].map((id) => runtime.removePodSandbox(id)))
      await Promise.all([...containers.keys()].map((id) => runtime.removeContainer(id)))
    },
  }
  return runtime
}

/**
 * @module
 * The `namespaces` runtime: a pod sandbox is a network namespace (from PodNetwork) and, for
 * shareProcessNamespace, a pause process owning the pod's PID namespace; each container is a
 * kubelite-shim process tree with its own mount, PID, IPC and UTS namespaces over an overlay root.
 */
import { readFileSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { PassThrough, type Duplex } from 'node:stream'
import type { PodNetwork } from '../../network/node/pod-network.js'
import type { Cgroup, CgroupManager } from '../cgroups.js'
import { openCriLog } from '../cri-log.js'
import type {
  AttachSession, ContainerConfig, ContainerExit, ContainerHandle, ContainerStats, ExecOptions, ExecSession,
  PodSandbox, PodSandboxConfig, Runtime, RuntimeInfo,
} from '../types.js'
import { containerIo, type ContainerIo } from './container-io.js'
import { processTreeStats } from '../proc-stats.js'
import { shimPath as builtShimPath, spawnShim, untilClosed, type RunSpec, type ShimProcess } from './shim.js'

export type NamespacesRuntimeOptions = {
  network: PodNetwork
  cgroups?: CgroupManager
  /** The kubelite-shim binary; the one built into dist/native unless set. */
  shimPath?: string
  log?: (msg: string) => void
}

type Sandbox = {
  config: PodSandboxConfig
  ip: string
  netnsPath?: string
  /** shareProcessNamespace: the pause process and its PID namespace. */
  pause?: ShimProcess
  pidns?: string
  containers: Set<string>
}

type Container = {
  id: string
  sandboxId: string
  config: ContainerConfig
  shim: ShimProcess
  pid: number
  cgroup?: Cgroup
  io: ContainerIo
  exited: Promise<ContainerExit>
  exit?: ContainerExit
}

/** Whether this machine can use the namespaces runtime, and why not. */
export function namespacesRuntimeAvailability(shimPath = builtShimPath()): { available: boolean; reason?: string } {
  if (process.platform !== 'linux') return { available: false, reason: 'the namespaces runtime needs Linux' }
  if (!shimPath) return { available: false, reason: 'kubelite-shim is not built (no C compiler when kubelite was built)' }
  return { available: true }
}

const version = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: string }
    return pkg.version ?? '0.0.0'
  } catch { return '0.0.0' }
})()

/** A Runtime running containers with Linux namespaces through kubelite-shim. */
export function createNamespacesRuntime(opts: NamespacesRuntimeOptions): Runtime {
  const shim = opts.shimPath ?? builtShimPath()
  const availability = namespacesRuntimeAvailability(shim)
  if (!availability.available) throw new Error(availability.reason)
  const log = opts.log ?? (() => {})
  const sandboxes = new Map<string, Sandbox>()
  const containers = new Map<string, Container>()

  const running = (id: string): Container => {
    const c = containers.get(id)
    if (!c) throw new Error(`container "${id}" not found`)
    if (c.exit) throw new Error(`container "${id}" is not running`)
    return c
  }

  async function startContainer(sandbox: PodSandbox, config: ContainerConfig): Promise<ContainerHandle> {
    const sb = sandboxes.get(sandbox.id)
    if (!sb) throw new Error(`pod sandbox "${sandbox.id}" not found`)
    const id = `${sandbox.id}_${config.name}_${config.attempt}`
    const upper = join(config.dir, 'upper')
    const work = join(config.dir, 'work')
    await mkdir(upper, { recursive: true })
    await mkdir(work, { recursive: true })
    const cgroup = await opts.cgroups?.create(id, config.resources).catch((err: Error) => {
      log(`container ${id}: no cgroup (${err.message}); limits are not enforced`)
      return undefined
    })
    const spec: RunSpec = {
      argv: config.argv, env: config.env, cwd: config.workingDir || '/', hostname: sb.config.hostname,
      layers: config.rootfs.layers, upper, work, readOnly: config.readOnlyRootFilesystem,
      mounts: config.mounts.map((m) => ({ source: m.hostPath, target: m.containerPath, readOnly: !!m.readOnly })),
      cgroupProcs: cgroup?.procsFiles ?? [], noNewPrivs: config.noNewPrivileges, tty: config.tty,
    }
    if (sb.netnsPath) spec.netns = sb.netnsPath
    if (sb.pidns) spec.pidns = sb.pidns
    if (config.user) spec.user = config.user
    const logWriter = await openCriLog(config.logPath)
    const proc = spawnShim('run', spec, { shimPath: shim, stdin: config.stdin })
    const io = containerIo({
      stdout: proc.stdout, stderr: proc.stderr, stdin: config.stdin ? proc.stdin : null,
      stdinOnce: config.stdinOnce, log: logWriter,
    })
    let pid: number
    try {
      pid = await proc.started
    } catch (err) {
      await untilClosed(proc)
      await io.done
      await cgroup?.remove().catch(() => {})
      throw err // ShimStartError: exitCode 125/126/127 and runc's wording
    }
    const startedAt = new Date()
    const exited = proc.exited.then(async (e): Promise<ContainerExit> => {
      await untilClosed(proc)
      await io.done
      const oomKilled = (await cgroup?.oomKilled().catch(() => false)) ?? false
      const exit: ContainerExit = { exitCode: e.exitCode, oomKilled, finishedAt: new Date() }
      if (e.signal) exit.signal = e.signal
      container.exit = exit
      return exit
    })
    const container: Container = { id, sandboxId: sandbox.id, config, shim: proc, pid, io, exited }
    if (cgroup) container.cgroup = cgroup
    containers.set(id, container)
    sb.containers.add(id)
    return {
      id, pid, startedAt, exited,
      kill(signal) {
        if (container.exit) return
        // SIGKILL goes straight to the init (the agent is an ancestor of its PID namespace);
        // anything else goes through the shim, whose init forwards it to the command.
        if (signal === 'SIGKILL') { try { process.kill(pid, 'SIGKILL') } catch { /* gone */ } }
        proc.kill(signal)
      },
    }
  }

  async function removePodSandbox(id: string): Promise<void> {
    const sb = sandboxes.get(id)
    if (!sb) return
    // The pause process first: as PID 1 of a shared PID namespace its end kills every process in it.
    if (sb.pause) { sb.pause.kill('SIGKILL'); await sb.pause.exited }
    await Promise.all([...sb.containers].map((cid) => removeContainer(cid)))
    if (!sb.config.hostNetwork) await opts.network.tearDown(sb.config.uid)
    await rm(sb.config.dir, { recursive: true, force: true })
    sandboxes.delete(id)
  }

  async function removeContainer(id: string): Promise<void> {
    const c = containers.get(id)
    if (!c) return
    if (!c.exit) {
      try { process.kill(c.pid, 'SIGKILL') } catch { /* gone */ }
      c.shim.kill('SIGKILL')
      await c.exited
    }
    await c.cgroup?.remove().catch((err: Error) => log(`container ${id}: removing its cgroup: ${err.message}`))
    await rm(c.config.dir, { recursive: true, force: true })
    containers.delete(id)
    sandboxes.get(c.sandboxId)?.containers.delete(id)
  }

  return {
    info(): RuntimeInfo {
      const enforced = opts.cgroups?.enforced ?? false
      const reason = opts.cgroups ? opts.cgroups.reason : 'no cgroup manager configured'
      return { name: 'namespaces', version, cgroups: reason ? { enforced, reason } : { enforced } }
    },

    async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
      const id = config.uid
      const existing = sandboxes.get(id)
      if (existing) return { id, ip: existing.ip }
      await mkdir(config.dir, { recursive: true })
      const sb: Sandbox = { config, ip: opts.network.nodeIP, containers: new Set() }
      if (!config.hostNetwork) {
        const net = await opts.network.setUp(config.uid, config.hostname)
        sb.ip = net.ip
        sb.netnsPath = net.netnsPath
      }
      if (config.shareProcessNamespace) {
        // Upstream: the pause container's PID namespace, which every container joins.
        const spec: RunSpec = { argv: [], env: [], cwd: '/', hostname: config.hostname, pause: true }
        if (sb.netnsPath) spec.netns = sb.netnsPath
        const pause = spawnShim('run', spec, { shimPath: shim, stdin: false })
        try {
          const pid = await pause.started
          sb.pause = pause
          sb.pidns = `/proc/${pid}/ns/pid`
        } catch (err) {
          if (!config.hostNetwork) await opts.network.tearDown(config.uid).catch(() => {})
          throw err
        }
      }
      sandboxes.set(id, sb)
      return { id, ip: sb.ip }
    },

    removePodSandbox,
    startContainer,
    removeContainer,

    async exec(containerId: string, o: ExecOptions): Promise<ExecSession> {
      const c = running(containerId)
      const spec = {
        pid: c.pid, argv: o.argv, env: [...c.config.env, ...(o.env ?? [])], cwd: c.config.workingDir || '/',
        tty: o.tty, noNewPrivs: c.config.noNewPrivileges, cgroupProcs: c.cgroup?.procsFiles ?? [],
        ...(c.config.user ? { user: c.config.user } : {}),
      }
      const proc = spawnShim('exec', spec, { shimPath: shim, stdin: o.stdin })
      let stdout = proc.stdout!
      if (o.tty) {
        // The terminal merges the streams; the shim's own errors (command not found) still show.
        const merged = new PassThrough()
        let open = 2
        for (const s of [proc.stdout!, proc.stderr!]) {
          s.pipe(merged, { end: false })
          s.on('end', () => { if (--open === 0) merged.end() })
        }
        stdout = merged
      }
      proc.stdin?.on('error', () => {})
      return {
        stdin: o.stdin ? proc.stdin : null,
        stdout,
        stderr: o.tty ? null : proc.stderr,
        resize: (cols, rows) => proc.resize(cols, rows),
        exited: proc.exited,
        kill: (signal = 'SIGKILL') => proc.kill(signal),
      }
    },

    async attach(containerId: string, o: { stdin: boolean; tty: boolean }): Promise<AttachSession> {
      const c = running(containerId)
      return c.io.attach({ ...o, resize: (cols, rows) => c.shim.resize(cols, rows) })
    },

    async portForward(sandboxId: string, port: number): Promise<Duplex> {
      const sb = sandboxes.get(sandboxId)
      if (!sb) throw new Error(`pod sandbox "${sandboxId}" not found`)
      // The agent lives in the node's network namespace, where every pod IP is routable.
      return await new Promise<Duplex>((resolve, reject) => {
        const socket = connect({ host: sb.ip, port })
        socket.once('connect', () => { socket.off('error', reject); resolve(socket) })
        socket.once('error', reject)
      })
    },

    async stats(containerId: string): Promise<ContainerStats | undefined> {
      const c = containers.get(containerId)
      if (!c || c.exit) return undefined
      return (await c.cgroup?.usage().catch(() => undefined)) ?? processTreeStats(c.pid)
    },

    async close(): Promise<void> {
      await Promise.all([...sandboxes.keys()].map((id) => removePodSandbox(id).catch((err: Error) =>
        log(`pod sandbox ${id}: ${err.message}`))))
      await Promise.all([...containers.keys()].map((id) => removeContainer(id)))
    },
  }
}

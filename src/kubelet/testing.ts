/**
 * @module
 * Stand-ins for the kubelet's tests: a runtime whose containers are simulated in memory
 * (their argv is a tiny script), and fake volume, probe and environment helpers that record
 * what they were asked. Not part of the public surface.
 */
import { appendFile, writeFile } from 'node:fs/promises'
import { PassThrough } from 'node:stream'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { ContainerConfig, ContainerExit, ContainerHandle, ExecSession, PodSandbox, PodSandboxConfig, Runtime } from '../runtime/types.js'
import type { Environment, ProbeManager, ProbeManagerCallbacks } from './deps.js'
import { ContainerConfigError, VolumeSetupError, type ObjectSource, type VolumeManager } from './types.js'

type FakeContainer = { config: ContainerConfig; sandbox: PodSandbox; handle: ContainerHandle; signals: string[]; exited: boolean }

/**
 * A runtime without processes. A container's argv is its script:
 *   `run` runs until signalled (SIGTERM → 143, SIGKILL → 137);
 *   `ignore-term` runs until SIGKILL;
 *   `exit <code> [afterMs] [message]` exits (writing the message to its termination-log mount).
 */
export function fakeRuntime() {
  let next = 0
  const sandboxes = new Map<string, PodSandboxConfig>()
  const containers = new Map<string, FakeContainer>()
  const log: string[] = []
  const runtime: Runtime = {
    info: () => ({ name: 'sim', version: 'test', cgroups: { enforced: false, reason: 'fake' } }),
    async runPodSandbox(config) {
      const id = `sb${++next}`
      sandboxes.set(id, config)
      log.push(`sandbox ${config.name}`)
      return { id, ip: `10.244.0.${next}` }
    },
    async removePodSandbox(id) {
      if (sandboxes.delete(id)) log.push(`remove-sandbox ${id}`)
      for (const c of containers.values()) if (c.sandbox.id === id && !c.exited) c.handle.kill('SIGKILL')
    },
    async startContainer(sandbox, config) {
      const [cmd, ...args] = config.argv
      if (cmd === 'fail-start') throw new Error('exec: "fail-start": executable file not found in $PATH')
      const id = `${sandbox.id}_${config.name}_${config.attempt}`
      let finish!: (e: ContainerExit) => void
      const exited = new Promise<ContainerExit>((r) => (finish = r))
      const c: FakeContainer = {
        config, sandbox, signals: [], exited: false,
        handle: {
          id, pid: 1000 + next, startedAt: new Date(), exited,
          kill(signal) {
            if (c.exited) return
            c.signals.push(signal)
            if (signal === 'SIGKILL') end(137, 'SIGKILL')
            else if (signal === 'SIGTERM' && cmd !== 'ignore-term') end(143, 'SIGTERM')
          },
        },
      }
      const end = (exitCode: number, signal?: NodeJS.Signals) => {
        if (c.exited) return
        c.exited = true
        log.push(`exit ${config.name} ${exitCode}`)
        finish({ exitCode, signal, oomKilled: false, finishedAt: new Date() })
      }
      containers.set(id, c)
      log.push(`start ${config.name}`)
      await appendFile(config.logPath, `${new Date().toISOString()} stdout F started ${config.name}\n`)
      if (cmd === 'exit') {
        const [code = '0', afterMs = '0', message] = args
        setTimeout(() => {
          const file = config.mounts.find((m) => m.containerPath === '/dev/termination-log')?.hostPath
          void (message && file ? writeFile(file, message) : Promise.resolve()).then(() => end(Number(code)))
        }, Number(afterMs))
      }
      return c.handle
    },
    async removeContainer(id) {
      if (containers.get(id)?.exited) log.push(`remove ${id}`)
    },
    async exec(): Promise<ExecSession> {
      const stdout = new PassThrough()
      stdout.end()
      return { stdin: null, stdout, stderr: null, resize() {}, exited: Promise.resolve({ exitCode: 0 }), kill() {} }
    },
    async attach() { throw new Error('not in the fake') },
    async portForward() { throw new Error('not in the fake') },
    async stats() { return undefined },
    async close() {
      for (const c of containers.values()) c.handle.kill('SIGKILL')
    },
  }
  return {
    runtime, log, sandboxes,
    /** Every container started, oldest first. */
    started: () => [...containers.values()],
    running: () => [...containers.values()].filter((c) => !c.exited),
  }
}

/** Volumes that succeed unless the pod has the annotation `test/fail-mount`. */
export function fakeVolumes() {
  const torndown: string[] = []
  const volumes: VolumeManager = {
    async setUpPod(pod: Pod) {
      const why = pod.metadata?.annotations?.['test/fail-mount']
      if (why) throw new VolumeSetupError(why)
    },
    async containerMounts() { return [] },
    async tearDownPod(uid) { torndown.push(uid) },
    stop() {},
  }
  return { volumes, torndown }
}

/** Probes that are ready and started at once; tests call `fail` to act as a liveness failure. */
export function fakeProbes() {
  const added = new Map<string, string>()
  /** Containers whose startup probe has not succeeded yet. */
  const held = new Set<string>()
  let callbacks: ProbeManagerCallbacks | undefined
  const manager: ProbeManager = {
    add: (target, id) => void added.set(`${target.pod.metadata?.uid}/${target.container.name}`, id),
    remove: (uid, name) => void added.delete(`${uid}/${name}`),
    removePod: (uid) => { for (const k of added.keys()) if (k.startsWith(`${uid}/`)) added.delete(k) },
    ready: (uid, name) => added.has(`${uid}/${name}`),
    started: (uid, name) => added.has(`${uid}/${name}`) && !held.has(name),
    stop() {},
  }
  return {
    factory: (cb: ProbeManagerCallbacks) => { callbacks = cb; return manager },
    hold: (name: string) => void held.add(name),
    /** The startup probe of `name` succeeds now. */
    release(uid: string, name: string) {
      held.delete(name)
      callbacks?.onChange(uid)
    },
    fail(kind: 'liveness' | 'startup', uid: string, name: string) {
      const id = added.get(`${uid}/${name}`)
      if (id) callbacks?.onFailure(kind, uid, name, id, 'probe failed')
    },
  }
}

/** `env` values and configMapKeyRef only, failing as upstream does for a missing ConfigMap. */
export const fakeEnvironment: Environment = {
  makeEnvironment(pod, container, source: ObjectSource) {
    return (container.env ?? []).map((e) => {
      const ref = e.valueFrom?.configMapKeyRef
      if (!ref) return [e.name, e.value ?? '']
      const cm = source.configMap(pod.metadata?.namespace ?? '', ref.name ?? '')
      if (!cm) throw new ContainerConfigError('CreateContainerConfigError', `configmap "${ref.name}" not found`)
      return [e.name, cm.data?.[ref.key] ?? '']
    })
  },
  expandArgs: (args, env) => args.map((a) => a.replace(/\$\((\w+)\)/g, (m, k: string) => env.find(([n]) => n === k)?.[1] ?? m)),
}

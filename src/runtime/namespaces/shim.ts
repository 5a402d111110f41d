/**
 * @module
 * Spawning the kubelite-shim (native/kubelite-shim.c) and reading its status protocol: the shim
 * writes JSON lines on fd 3 — `{"started":true,"pid":N}`, `{"error":"...","exitCode":125|126|127}`,
 * `{"exited":true,"exitCode":N,"signal":"SIGTERM"|null}` — and reads "cols rows" lines on fd 4.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, rmdir } from 'node:fs/promises'
import { join } from 'node:path'
import { constants } from 'node:os'
import type { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'

/** The compiled shim: $KUBELITE_SHIM, else dist/native/kubelite-shim beside this build; undefined when not built. */
export function shimPath(): string | undefined {
  const candidates = [
    process.env.KUBELITE_SHIM,
    // dist/src/runtime/namespaces/shim.js → dist/native/kubelite-shim
    fileURLToPath(new URL('../../../native/kubelite-shim', import.meta.url)),
  ]
  return candidates.find((p): p is string => !!p && existsSync(p))
}

export type ShimUser = { uid: number; gid: number; supplementalGroups: number[] }

/** What `kubelite-shim run` takes (see the C file's header); paths are the node's. */
export type RunSpec = {
  argv: string[]
  env: Array<[string, string]>
  cwd: string
  hostname?: string
  /** Join this network namespace (a /run/netns/<pod> path); absent = stay in the caller's. */
  netns?: string
  /** Join this PID namespace (shareProcessNamespace); absent = a new one with the shim's init as PID 1. */
  pidns?: string
  /** Map the caller to root in a new user namespace (rootless image builds). */
  userns?: boolean
  /** Image layer dirs (top first), the writable upper and an overlay work dir; no upper = host filesystem. */
  layers?: string[]
  upper?: string
  work?: string
  readOnly?: boolean
  mounts?: Array<{ source: string; target: string; readOnly?: boolean }>
  cgroupProcs?: string[]
  user?: ShimUser
  noNewPrivs?: boolean
  tty?: boolean
  /** No command: PID 1 sleeps and reaps (a sandbox's shared PID namespace). */
  pause?: boolean
}

/** What `kubelite-shim exec` takes: enter the container whose init is `pid`. */
export type ExecSpec = {
  pid: number
  argv: string[]
  env: Array<[string, string]>
  cwd: string
  user?: ShimUser
  noNewPrivs?: boolean
  tty?: boolean
  cgroupProcs?: string[]
}

/** The command never ran: `exitCode` is 125 (setup), 126 (not executable) or 127 (not found). */
export class ShimStartError extends Error {
  override readonly name = 'ShimStartError'
  constructor(message: string, readonly exitCode: number) {
    super(message)
  }
}

export type ShimExit = { exitCode: number; signal?: NodeJS.Signals }

export interface ShimProcess {
  readonly child: ChildProcess
  readonly stdin: Writable | null
  readonly stdout: Readable | null
  readonly stderr: Readable | null
  /** Resolves with the pid of the container's init (run) once the command runs; rejects with ShimStartError. */
  readonly started: Promise<number>
  readonly exited: Promise<ShimExit>
  /** Resolves when the shim exited and its stdout/stderr closed (everything read). */
  readonly closed: Promise<void>
  resize(cols: number, rows: number): void
  /** Signals the shim, which forwards it to the command (SIGKILL ends the whole container). */
  kill(signal?: NodeJS.Signals): void
}

type Status = { started?: boolean; pid?: number; error?: string; exited?: boolean; exitCode?: number; signal?: string | null }

const signalNames = Object.entries(constants.signals) as Array<[NodeJS.Signals, number]>

/** Starts the shim; stdio 'pipe' gives the caller the command's streams (a tty merges them into stdout). */
/** The descriptor the shim reads its spec from. */
const SPEC_FD = 5

export function spawnShim(mode: 'run' | 'exec', spec: RunSpec | ExecSpec,
  opts: { shimPath?: string; stdio?: 'pipe' | 'inherit'; stdin?: boolean } = {}): ShimProcess {
  const path = opts.shimPath ?? shimPath()
  if (!path) throw new ShimStartError('kubelite-shim is not built (no C compiler at build time?)', 125)
  const io = opts.stdio ?? 'pipe'
  const wire = {
    ...spec,
    env: spec.env.map(([k, v]) => `${k}=${v}`),
    user: spec.user && { uid: spec.user.uid, gid: spec.user.gid, groups: spec.user.supplementalGroups },
    statusFd: 3,
    ...(spec.tty ? { resizeFd: 4 } : {}),
  }
  const stdio: StdioOptions = io === 'inherit'
    ? ['inherit', 'inherit', 'inherit', 'pipe', spec.tty ? 'pipe' : 'ignore', 'pipe']
    : [opts.stdin === false ? 'ignore' : 'pipe', 'pipe', 'pipe', 'pipe', spec.tty ? 'pipe' : 'ignore', 'pipe']
  // The spec goes over a pipe, not argv: it carries env values (Secrets too), and argv is
  // readable by every user of the machine in /proc/<pid>/cmdline.
  const child = spawn(path, [mode, `/dev/fd/${SPEC_FD}`], { stdio })
  const specStream = (child.stdio as unknown as Writable[])[SPEC_FD]!
  specStream.on('error', () => {}) // a shim that failed to start does not read it
  specStream.end(JSON.stringify(wire))
  const statusStream = child.stdio[3] as Readable
  const resizeStream = child.stdio[4] as Writable | null
  resizeStream?.on('error', () => {}) // the shim may be gone already
  let onStarted!: (pid: number) => void
  let onStartFailed!: (err: Error) => void
  const started = new Promise<number>((resolve, reject) => { onStarted = resolve; onStartFailed = reject })
  started.catch(() => {}) // callers that only await `exited` must not see an unhandled rejection
  let final: ShimExit | undefined
  let buffered = ''
  statusStream.setEncoding('utf8')
  statusStream.on('data', (chunk: string) => {
    buffered += chunk
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      let status: Status
      try { status = JSON.parse(line) as Status } catch { continue }
      if (status.started) onStarted(status.pid ?? child.pid ?? 0)
      else if (status.error !== undefined) onStartFailed(new ShimStartError(status.error, status.exitCode ?? 125))
      else if (status.exited) {
        final = { exitCode: status.exitCode ?? 0 }
        if (status.signal) final.signal = status.signal as NodeJS.Signals
      }
    }
  })
  // Resolved once the shim is gone and its status pipe drained. Not on 'close': that also waits
  // for stdout/stderr, which an orphan in a shared PID namespace may hold open.
  const statusDrained = new Promise<void>((resolve) => {
    statusStream.on('end', resolve)
    statusStream.on('close', resolve)
    statusStream.on('error', () => resolve())
  })
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()))
  const exited = new Promise<ShimExit>((resolve) => {
    child.on('error', (err) => {
      onStartFailed(new ShimStartError(`kubelite-shim: ${err.message}`, 125))
      resolve({ exitCode: 125 })
    })
    child.on('exit', async (code, signal) => {
      await statusDrained
      if (final) return resolve(final)
      // The shim itself was killed (SIGKILL from close()): its init died with it (PDEATHSIG).
      const exit: ShimExit = signal
        ? { exitCode: 128 + (signalNames.find(([name]) => name === signal)?.[1] ?? 0), signal }
        : { exitCode: code ?? 0 }
      onStartFailed(new ShimStartError(`kubelite-shim ended before the command ran (${signal ?? code})`, exit.exitCode))
      resolve(exit)
    })
  })
  return {
    child,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    started,
    exited,
    closed,
    resize(cols, rows) {
      if (spec.tty && resizeStream?.writable) resizeStream.write(`${Math.floor(cols)} ${Math.floor(rows)}\n`)
    },
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    },
  }
}

/**
 * Runs one command in a throwaway container over image layers, every write landing in `upper`
 * (`kubelite image build`'s RUN). Uses the caller's network namespace.
 */
export async function runOnce(opts: {
  layers: string[]
  upper: string
  work: string
  argv: string[]; env: Array<[string, string]>; workingDir: string
  user?: { uid: number; gid: number; supplementalGroups: number[] }
  newUserNamespace: boolean
  mounts?: Array<{ hostPath: string; containerPath: string; readOnly?: boolean }>
  stdio?: 'inherit' | 'pipe'
}): Promise<{ exitCode: number; signal?: NodeJS.Signals; output?: string }> {
  const spec: RunSpec = {
    argv: opts.argv, env: opts.env, cwd: opts.workingDir || '/',
    layers: opts.layers, upper: opts.upper, work: opts.work, userns: opts.newUserNamespace,
    mounts: (opts.mounts ?? []).map((m) => ({ source: m.hostPath, target: m.containerPath, readOnly: m.readOnly })),
  }
  if (opts.user) spec.user = opts.user
  const stdio = opts.stdio ?? 'pipe'
  const shim = spawnShim('run', spec, { stdio, stdin: false })
  const chunks: Buffer[] = []
  shim.stdout?.on('data', (c: Buffer) => chunks.push(c))
  shim.stderr?.on('data', (c: Buffer) => chunks.push(c))
  const exit = await shim.exited
  await untilClosed(shim)
  await pruneMountPoints(opts.upper)
  const result: { exitCode: number; signal?: NodeJS.Signals; output?: string } = { exitCode: exit.exitCode }
  if (exit.signal) result.signal = exit.signal
  if (stdio === 'pipe') result.output = Buffer.concat(chunks).toString('utf8')
  return result
}

/** Waits for the rest of the output, but not for a leftover process that keeps the pipes open. */
export async function untilClosed(shim: ShimProcess, graceMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs) })
  await Promise.race([shim.closed, late])
  clearTimeout(timer)
  shim.stdout?.destroy()
  shim.stderr?.destroy()
}

/** The shim gives each host top-level directory an upper dir; empty ones are not changes. */
async function pruneMountPoints(upper: string): Promise<void> {
  const entries = await readdir(upper, { withFileTypes: true }).catch(() => [])
  const hostDirs = entries.filter((e) => e.isDirectory() && existsSync(join('/', e.name)))
  await Promise.all(hostDirs.map((e) => rmdir(join(upper, e.name)).catch(() => {}))) // fails when not empty: kept
}

/**
 * @module
 * The cluster `kubelite up` runs: a `kubelite server` child in its own process group (a
 * terminal's Ctrl-C reaches only `up`, which then stops the server once, gracefully), its log
 * in <data-dir>/kubelite.log, and with `-d` a pid file that `kubelite down` reads.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const logPath = (dataDir: string) => join(dataDir, 'kubelite.log')
export const pidPath = (dataDir: string) => join(dataDir, 'kubelite.pid')

export type ClusterProcess = {
  pid: number
  /** Resolves with the exit code (or 128 + signal) once the server has exited. */
  exited: Promise<number>
  /** SIGTERM, then waits; SIGKILL after `graceMs`. Resolves once it is gone. */
  stop(graceMs?: number): Promise<void>
}

/** What the server's log says once it is ready. */
export type ServerReady = { url: string; kubeconfig: string }

/** Starts `kubelite server` with `args`, its output appended to the data dir's log. */
export function startServerProcess(dataDir: string, args: string[], opts: { detached: boolean }): ClusterProcess {
  const main = fileURLToPath(new URL('../main.js', import.meta.url))
  const log = openSync(logPath(dataDir), 'a')
  const child = spawn(process.execPath, [main, 'server', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', log, log],
    // Its own process group: Ctrl-C in the terminal goes to `up` alone, and with -d the
    // server outlives it.
    detached: true,
  })
  closeSync(log)
  if (opts.detached) child.unref()
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? signalNumber(signal) : 0)))
  })
  return {
    pid: child.pid!,
    exited,
    async stop(graceMs = 120_000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
  }
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }
const signalNumber = (s: string) => SIGNALS[s] ?? 0

/**
 * Waits for the server's "API server ready" line in its log (after `from`, the log's length
 * when it started), or rejects when the process exits first or `timeoutMs` passes.
 */
export async function waitForServerReady(dataDir: string, from: number, proc: Pick<ClusterProcess, 'exited'>,
  timeoutMs = 60_000): Promise<ServerReady> {
  let exitCode: number | undefined
  void proc.exited.then((c) => { exitCode = c })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const text = readFileSync(logPath(dataDir)).subarray(from).toString('utf8')
    const m = /API server ready at (\S+) \(kubeconfig: (.*)\)$/m.exec(text)
    if (m) return { url: m[1]!, kubeconfig: m[2]! }
    if (exitCode !== undefined) throw new ServerExitedError(exitCode, lastLines(text, 15))
    if (Date.now() > deadline) throw new Error(`the server was not ready within ${timeoutMs / 1000}s; its log: ${logPath(dataDir)}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export class ServerExitedError extends Error {
  constructor(readonly code: number, readonly logTail: string) {
    super(`the server exited (code ${code}) before it was ready:\n${logTail}`)
  }
}

/** The agent's "ingress at http://127.0.0.1[:port], ..." line, once it is in the log. */
export function ingressURLsFromLog(dataDir: string, from: number): string[] | undefined {
  const text = readFileSync(logPath(dataDir)).subarray(from).toString('utf8')
  const m = /ingress at (.*)$/m.exec(text)
  if (!m) return undefined
  return m[1]!.split(',').map((s) => s.trim()).filter((s) => /^https?:\/\//.test(s))
}

export const lastLines = (text: string, n: number) => text.trimEnd().split('\n').slice(-n).join('\n')

/** Where the running server's lines begin: its last "API server ready" line (0 if none). */
export function lastStartOffset(dataDir: string): number {
  try {
    const text = readFileSync(logPath(dataDir), 'utf8')
    return Buffer.byteLength(text.slice(0, Math.max(0, text.lastIndexOf('kubelite: API server ready at'))))
  } catch {
    return 0
  }
}

/** Size of the log now: where this run's lines begin. */
export function logLength(dataDir: string): number {
  try {
    return readFileSync(logPath(dataDir)).length
  } catch {
    return 0
  }
}

export async function writePidFile(dataDir: string, pid: number): Promise<void> {
  await writeFile(pidPath(dataDir), `${pid}\n`, { mode: 0o600 })
}

/** The pid of a server `up -d` started that is still running, else undefined (and a stale file is removed). */
export async function runningServerPid(dataDir: string): Promise<number | undefined> {
  let text: string
  try {
    text = await readFile(pidPath(dataDir), 'utf8')
  } catch {
    return undefined
  }
  const pid = Number(text.trim())
  if (Number.isInteger(pid) && pid > 0 && isOurServer(pid, dataDir)) return pid
  await rm(pidPath(dataDir), { force: true })
  return undefined
}

/** A live process that is a kubelite server on this data dir (not a recycled pid). */
function isOurServer(pid: number, dataDir: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    return argv.includes('server') && argv.includes(dataDir)
  } catch {
    return false
  }
}

/** Sends SIGTERM and waits until the process is gone; SIGKILL after `graceMs`. */
export async function stopPid(pid: number, graceMs = 120_000): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0)
      // A zombie still answers signal 0: read its state.
      return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    } catch {
      return false
    }
  }
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return
  }
  const deadline = Date.now() + graceMs
  while (alive()) {
    if (Date.now() > deadline) {
      try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

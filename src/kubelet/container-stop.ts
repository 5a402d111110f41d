/**
 * @module
 * Acting on one running container: stopping it as upstream's killContainer does (preStop
 * within the grace period, SIGTERM, SIGKILL at the deadline) and running a command in it for
 * probes and hooks.
 */
// Upstream: pkg/kubelet/kuberuntime/kuberuntime_container.go (killContainer,
// executePreStopHook, minimumGracePeriodInSeconds).
import type { ContainerHandle, Runtime } from '../runtime/types.js'
import type { ProbeResult } from './types.js'

// What SIGTERM still gets after a preStop hook used up the grace period.
const MIN_GRACE_AFTER_PRESTOP_MS = 2000

export type StopOptions = {
  graceMs: number
  now: () => number
  /** Runs the preStop hook, bounded by the time it is given. */
  preStop?: (timeoutMs: number) => Promise<ProbeResult>
  onPreStopFailed(message: string): void
}

/** Stops `handle` and resolves once it has exited; true when it had to be SIGKILLed. */
export async function stopContainer(handle: ContainerHandle, opts: StopOptions): Promise<boolean> {
  const deadline = opts.now() + opts.graceMs
  if (opts.preStop && opts.graceMs > 0) {
    const result = await Promise.race([opts.preStop(opts.graceMs), handle.exited.then(() => ({ ok: true, message: '' }))])
    if (!result.ok) opts.onPreStopFailed(result.message)
  }
  const remaining = opts.graceMs <= 0 ? 0 : Math.max(deadline - opts.now(), opts.preStop ? MIN_GRACE_AFTER_PRESTOP_MS : 0)
  handle.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const overdue = await Promise.race([
    handle.exited.then(() => false),
    new Promise<boolean>((r) => { timer = setTimeout(() => r(true), remaining) }),
  ])
  clearTimeout(timer)
  if (overdue) handle.kill('SIGKILL')
  await handle.exited
  return overdue
}

/** Runs `argv` in a container and collects its output; a run past `timeoutMs` is killed and rejects. */
export async function execInContainer(runtime: Runtime, containerId: string, argv: string[], timeoutMs: number):
  Promise<{ exitCode: number; output: string }> {
  const session = await runtime.exec(containerId, { argv, tty: false, stdin: false })
  const chunks: Buffer[] = []
  session.stdout.on('data', (b: Buffer) => chunks.push(b))
  session.stderr?.on('data', (b: Buffer) => chunks.push(b))
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { session.kill('SIGKILL'); reject(new Error(`command timed out after ${timeoutMs}ms`)) }, timeoutMs)
  })
  try {
    const { exitCode } = await Promise.race([session.exited, timeout])
    return { exitCode, output: Buffer.concat(chunks).toString() }
  } finally {
    clearTimeout(timer)
  }
}

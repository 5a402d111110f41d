/**
 * @module
 * The exec probe: a command run in the container through ProbeTarget.exec; exit code 0 is
 * healthy, and the combined output (up to 10 KiB) is the failure message.
 */
import type { Container } from 'kubernetes-types/core/v1.js'
import type { ProbeTarget } from '../types.js'
import { errored, failure, success, truncateOutput, type ProbeOutcome } from './outcome.js'

/** Outcome of running a command with a deadline. */
export type ExecRun =
  | { kind: 'exited'; exitCode: number; output: string }
  | { kind: 'timeout' }
  | { kind: 'error'; message: string }

/** Runs argv in the target, giving up after timeoutMs even if the runtime does not. */
export async function execWithTimeout(target: ProbeTarget, argv: string[], timeoutMs: number): Promise<ExecRun> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<ExecRun>((resolve) => { timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs) })
  const ran = target.exec(argv, timeoutMs).then(
    (r): ExecRun => ({ kind: 'exited', exitCode: r.exitCode, output: r.output }),
    (err: unknown): ExecRun => ({ kind: 'error', message: err instanceof Error ? err.message : String(err) }),
  )
  try {
    return await Promise.race([ran, timedOut])
  } finally {
    clearTimeout(timer)
  }
}

// Upstream: pkg/kubelet/prober/prober.go (runProbe: exec with ExpandContainerCommandOnlyStatic)
// and pkg/probe/exec/exec.go; the timeout text is the CRI client's (`command "..." timed out`).
/** One exec probe attempt. */
export async function probeExec(target: ProbeTarget, command: string[], timeoutMs: number): Promise<ProbeOutcome> {
  const argv = expandStatic(command, target.container)
  const run = await execWithTimeout(target, argv, timeoutMs)
  switch (run.kind) {
    case 'exited': {
      const output = truncateOutput(run.output)
      return run.exitCode === 0 ? success(output) : failure(output)
    }
    case 'timeout':
      return failure(`command ${JSON.stringify(argv.join(' '))} timed out`)
    case 'error':
      return errored(run.message) // could not start: retried, then reported as "errored"
  }
}

/**
 * `$(VAR)` references to the container's literal env values (not valueFrom: exec probes do
 * not see the pod's downward API or secrets); `$$` escapes; unknown names stay as written.
 */
// Upstream: pkg/kubelet/container/helpers.go (ExpandContainerCommandOnlyStatic) and
// third_party/forked/golang/expansion (Expand).
export function expandStatic(command: string[], container: Container): string[] {
  const vars = new Map<string, string>()
  for (const e of container.env ?? []) if (!e.valueFrom) vars.set(e.name, e.value ?? '')
  return command.map((arg) => expand(arg, vars))
}

function expand(input: string, vars: Map<string, string>): string {
  let out = ''
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) {
      out += input[i]
      continue
    }
    const next = input[i + 1]
    if (next === '$') {
      out += '$'
      i++
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2)
      if (close < 0) {
        out += '$('
        i++
        continue
      }
      const name = input.slice(i + 2, close)
      out += vars.get(name) ?? `$(${name})`
      i = close
    } else {
      out += `$${next}`
      i++
    }
  }
  return out
}

/**
 * @module
 * postStart and preStop handlers: exec, httpGet and sleep. The result's message is what the
 * kubelet puts in its FailedPostStartHook / FailedPreStopHook event.
 */
import type { LifecycleHandler } from 'kubernetes-types/core/v1.js'
import type { ProbeResult, ProbeTarget } from '../types.js'
import { execWithTimeout } from './exec.js'
import { HttpGetError, httpGet, httpGetRequest } from './http.js'
import { NO_TIMEOUT_MS } from './outcome.js'
import { formatPod } from './probe.js'

const ok: ProbeResult = { ok: true, message: '' }

// Upstream: pkg/kubelet/lifecycle/handlers.go (handlerRunner.Run). Differences: hooks run
// without a deadline upstream (the caller bounds preStop by the grace period); here the caller
// may pass `timeoutMs`, and a hook that outlives it fails with a message saying so.
// tcpSocket is not a working hook upstream either: it fails as an invalid handler.
/** Runs one lifecycle handler to completion (or until `timeoutMs`). */
export async function runLifecycleHandler(
  handler: LifecycleHandler, target: ProbeTarget, timeoutMs?: number,
): Promise<ProbeResult> {
  const where = `for Container ${JSON.stringify(target.container.name)} in Pod ${JSON.stringify(formatPod(target.pod))}`
  if (handler.exec) {
    const argv = handler.exec.command ?? []
    const run = await execWithTimeout(target, argv, timeoutMs ?? NO_TIMEOUT_MS)
    if (run.kind === 'exited' && run.exitCode === 0) return ok
    const output = run.kind === 'exited' ? run.output : ''
    const err = run.kind === 'exited' ? `command '${argv.join(' ')}' exited with ${run.exitCode}: ${output}`
      : run.kind === 'timeout' ? `command ${JSON.stringify(argv.join(' '))} timed out`
      : run.message
    return {
      ok: false,
      message: `Exec lifecycle hook ([${argv.join(' ')}]) ${where} failed - error: ${err}, message: ${JSON.stringify(output)}`,
    }
  }
  if (handler.httpGet) {
    const err = await runHttpHook(handler, target, timeoutMs ?? NO_TIMEOUT_MS)
    if (err === undefined) return ok
    return { ok: false, message: `HTTP lifecycle hook (${handler.httpGet.path ?? ''}) ${where} failed - error: ${err}` }
  }
  if (handler.sleep) {
    const seconds = handler.sleep.seconds
    const limit = timeoutMs ?? NO_TIMEOUT_MS
    await new Promise((resolve) => setTimeout(resolve, Math.min(seconds * 1000, limit)))
    if (seconds * 1000 <= limit) return ok
    return { ok: false, message: `Sleep lifecycle hook (${seconds}) ${where} failed - error: container terminated before sleep hook finished` }
  }
  return { ok: false, message: `Cannot run handler: invalid handler: ${JSON.stringify(handler)}` }
}

// Upstream: runHTTPHandler. Only a failed exchange is an error (any status code passes), and
// an HTTPS hook answered by a plain HTTP server is retried over HTTP.
async function runHttpHook(handler: LifecycleHandler, target: ProbeTarget, timeoutMs: number): Promise<string | undefined> {
  const action = handler.httpGet!
  if (!action.host && !target.podIP) return 'failed to find networking container: pod has no IP'
  let req
  try {
    req = httpGetRequest(action, target.container, target.podIP, 'lifecycle')
  } catch (err) {
    return (err as Error).message
  }
  const started = Date.now()
  try {
    await httpGet(req, timeoutMs)
    return undefined
  } catch (err) {
    if (!(err instanceof HttpGetError) || !err.httpResponseToHttps) return (err as Error).message
    const url = new URL(req.url)
    url.protocol = 'http:'
    const headers = new Map(req.headers)
    headers.delete('Authorization') // never resend credentials in the clear
    try {
      await httpGet({ url, display: req.display.replace(/^https:/, 'http:'), headers }, timeoutMs - (Date.now() - started))
      return undefined
    } catch {
      return err.message
    }
  }
}

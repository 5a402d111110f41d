/**
 * @module
 * exec and attach, independent of the wire: a transport (WebSocket channels or SPDY streams)
 * hands over the client's streams, this runs the command in the container through the
 * runtime, copies the streams, and reports the outcome as the metav1.Status kubectl expects.
 */
// Upstream: pkg/kubelet/cri/streaming/remotecommand (exec.go, attach.go, httpstream.go
// v4WriteStatusFunc), staging/src/k8s.io/apimachinery/pkg/util/remotecommand/constants.go.
import type { Readable, Writable } from 'node:stream'
import type { AttachSession, ExecSession, Runtime } from '../../runtime/types.js'

export type RemoteCommandParams = {
  command: string[]
  stdin: boolean
  stdout: boolean
  stderr: boolean
  tty: boolean
}

export type TerminalSize = { width: number; height: number }

/** What a transport gives the command: the client's streams, and where the Status goes. */
export type RemoteStreams = {
  stdin: Readable | null
  stdout: Writable | null
  stderr: Writable | null
  /** Called with each resize the client sends. */
  onResize(cb: (size: TerminalSize) => void): void
  /** Resolves when the client is gone. */
  clientGone: Promise<void>
  /** Writes the Status on the error channel and closes the connection. */
  finish(status: ExecStatus): Promise<void>
}

export type ExecStatus = {
  metadata: Record<string, never>
  status: 'Success' | 'Failure'
  message?: string
  reason?: string
  code?: number
  details?: { causes: Array<{ reason: string; message: string }> }
}

export const successStatus = (): ExecStatus => ({ metadata: {}, status: 'Success' })

/** A command that exited non-zero, as kubectl reads it (it exits with the same code). */
export const exitStatus = (exitCode: number): ExecStatus => ({
  metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit status ${exitCode}`,
  reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
})

export const internalErrorStatus = (message: string): ExecStatus => ({
  metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500,
})

/** Parses exec/attach query parameters ("1" or "true" turn a stream on). */
export function remoteCommandParams(query: URLSearchParams): RemoteCommandParams {
  const on = (k: string) => ['1', 'true'].includes((query.get(k) ?? '').toLowerCase())
  const tty = on('tty')
  return { command: query.getAll('command'), stdin: on('stdin'), stdout: on('stdout'), stderr: on('stderr') && !tty, tty }
}

/** Copies `from` into `to` without ending `to`; resolves when `from` ended or failed. */
function copy(from: Readable, to: Writable | null): Promise<void> {
  return new Promise((resolve) => {
    from.on('data', (c: Buffer) => {
      if (!to || to.destroyed || to.writableEnded) return
      if (!to.write(c)) {
        from.pause()
        to.once('drain', () => from.resume())
      }
    })
    from.once('end', resolve)
    from.once('error', () => resolve())
    from.once('close', resolve)
  })
}

function wire(session: ExecSession | AttachSession, streams: RemoteStreams) {
  if (streams.stdin && session.stdin) {
    const sin = session.stdin
    sin.on('error', () => {})
    streams.stdin.on('data', (c: Buffer) => sin.writable && sin.write(c))
    streams.stdin.once('end', () => sin.end())
  }
  streams.onResize((s) => session.resize(s.width, s.height))
  return Promise.all([
    copy(session.stdout, streams.stdout),
    session.stderr ? copy(session.stderr, streams.stderr ?? streams.stdout) : Promise.resolve(),
  ])
}

/** Runs `kubectl exec`: resolves once the Status was sent. */
export async function runExec(runtime: Runtime, containerId: string, params: RemoteCommandParams, streams: RemoteStreams): Promise<void> {
  let session: ExecSession
  try {
    session = await runtime.exec(containerId, { argv: params.command, tty: params.tty, stdin: params.stdin })
  } catch (err) {
    return streams.finish(internalErrorStatus(`failed to exec in container: ${(err as Error).message}`))
  }
  // A client that goes away takes its process with it.
  let done = false
  void streams.clientGone.then(() => {
    if (!done) session.kill('SIGKILL')
  })
  const copied = wire(session, streams)
  const exit = await session.exited
  await copied
  done = true
  await streams.finish(exit.exitCode === 0 && !exit.signal ? successStatus() : exitStatus(exit.signal ? 128 + signalNumber(exit.signal) : exit.exitCode))
}

/** Runs `kubectl attach`: until the container's output ends or the client goes. */
export async function runAttach(runtime: Runtime, containerId: string, params: RemoteCommandParams, streams: RemoteStreams): Promise<void> {
  let session: AttachSession
  try {
    session = await runtime.attach(containerId, { stdin: params.stdin, tty: params.tty })
  } catch (err) {
    return streams.finish(internalErrorStatus(`failed to attach to container: ${(err as Error).message}`))
  }
  const copied = wire(session, streams)
  await Promise.race([copied, streams.clientGone])
  session.close()
  await streams.finish(successStatus())
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13, SIGABRT: 6, SIGSEGV: 11 }
const signalNumber = (s: NodeJS.Signals) => SIGNALS[s] ?? 1

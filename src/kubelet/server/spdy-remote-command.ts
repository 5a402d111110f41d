/**
 * @module
 * The SPDY remote-command protocol (kubectl ≤ 1.29, and the fallback of newer ones): the
 * client opens one stream per channel, typed by its `streamType` header (error, stdin,
 * stdout, stderr, resize); the Status goes on the error stream as JSON (v4, v5).
 */
// Upstream: pkg/kubelet/cri/streaming/remotecommand/httpstream.go (createHTTPStreamStreams,
// waitStreamReply, v4ProtocolHandler), client-go tools/remotecommand/v4.go.
import type { SpdySession, SpdyStream } from '../spdy/index.js'
import type { ExecStatus, RemoteCommandParams, RemoteStreams, TerminalSize } from './remote-command.js'

export const SPDY_REMOTE_COMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io']

/** How long the client has to open every stream it asked for (upstream: 30 s). */
const STREAM_CREATION_TIMEOUT_MS = 30_000

/** Waits for the client's streams; undefined when they did not all come in time. */
export async function spdyStreams(session: SpdySession, params: RemoteCommandParams): Promise<RemoteStreams | undefined> {
  const want = new Set(['error'])
  if (params.stdin) want.add('stdin')
  if (params.stdout) want.add('stdout')
  if (params.stderr) want.add('stderr')
  if (params.tty) want.add('resize')
  const got = new Map<string, SpdyStream>()
  const clientGone = new Promise<void>((resolve) => session.once('close', () => resolve()))
  const complete = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), STREAM_CREATION_TIMEOUT_MS)
    session.on('stream', (s: SpdyStream) => {
      const type = s.headers.streamtype ?? ''
      s.reply()
      got.set(type, s)
      if ([...want].every((t) => got.has(t))) {
        clearTimeout(timer)
        resolve(true)
      }
    })
    void clientGone.then(() => {
      clearTimeout(timer)
      resolve(false)
    })
  })
  if (!complete) {
    session.destroy()
    return undefined
  }
  const error = got.get('error')!
  const resize = got.get('resize')
  const resizers: Array<(s: TerminalSize) => void> = []
  if (resize) {
    // A JSON object per size (Go's json.Encoder: one per line).
    let text = ''
    resize.on('data', (c: Buffer) => {
      text += c.toString()
      let nl: number
      while ((nl = text.indexOf('\n')) >= 0) {
        const line = text.slice(0, nl)
        text = text.slice(nl + 1)
        try {
          const s = JSON.parse(line) as { Width?: number; Height?: number }
          for (const cb of resizers) cb({ width: s.Width ?? 0, height: s.Height ?? 0 })
        } catch { /* ignored, as upstream */ }
      }
    })
  }
  const stdout = got.get('stdout') ?? null
  const stderr = got.get('stderr') ?? null
  return {
    stdin: got.get('stdin') ?? null,
    stdout,
    stderr,
    onResize: (cb) => resizers.push(cb),
    clientGone,
    async finish(status: ExecStatus) {
      error.end(JSON.stringify(status))
      stdout?.end()
      stderr?.end()
      // Let the frames go out, then end the connection as upstream closes it.
      session.goAway()
      await new Promise((r) => setTimeout(r, 50))
      session.transport.end()
    },
  }
}

/**
 * @module
 * The WebSocket remote-command protocol (`v5.channel.k8s.io`, `v4.channel.k8s.io`): binary
 * messages whose first byte names the channel — 0 stdin, 1 stdout, 2 stderr, 3 error (the
 * final Status), 4 resize — and, in v5, 255 [channel] closing one of the client's streams.
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/util/wsstream (conn.go), client-go
// tools/remotecommand/websocket.go, apimachinery pkg/util/remotecommand/constants.go.
import { PassThrough, Writable } from 'node:stream'
import type { WebSocket } from 'ws'
import type { ExecStatus, RemoteCommandParams, RemoteStreams, TerminalSize } from './remote-command.js'

export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io']

const STDIN = 0
const STDOUT = 1
const STDERR = 2
const ERROR = 3
const RESIZE = 4
const CLOSE = 255

/** The client's streams over an accepted WebSocket. */
export function websocketStreams(ws: WebSocket, params: RemoteCommandParams): RemoteStreams {
  const stdin = params.stdin ? new PassThrough() : null
  const resizers: Array<(s: TerminalSize) => void> = []
  const clientGone = new Promise<void>((resolve) => ws.once('close', () => resolve()))
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const buf = isBinary ? data : Buffer.from(data)
    if (buf.length === 0) return
    const channel = buf[0]
    const payload = buf.subarray(1)
    if (channel === STDIN) {
      if (stdin && !stdin.writableEnded) stdin.write(payload)
    } else if (channel === RESIZE) {
      try {
        const s = JSON.parse(payload.toString()) as { Width?: number; Height?: number }
        for (const cb of resizers) cb({ width: s.Width ?? 0, height: s.Height ?? 0 })
      } catch { /* a malformed size is ignored, as upstream logs and drops it */ }
    } else if (channel === CLOSE && ws.protocol === 'v5.channel.k8s.io') {
      if (payload[0] === STDIN) stdin?.end()
    }
  })
  void clientGone.then(() => stdin?.end())
  const channel = (id: number) => new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (ws.readyState !== ws.OPEN) return cb()
      ws.send(Buffer.concat([Buffer.from([id]), chunk]), { binary: true }, () => cb())
    },
  })
  return {
    stdin,
    stdout: params.stdout ? channel(STDOUT) : null,
    stderr: params.stderr ? channel(STDERR) : null,
    onResize: (cb) => resizers.push(cb),
    clientGone,
    finish: (status: ExecStatus) => new Promise<void>((resolve) => {
      if (ws.readyState !== ws.OPEN) return resolve()
      ws.send(Buffer.concat([Buffer.from([ERROR]), Buffer.from(JSON.stringify(status))]), { binary: true }, () => {
        ws.close(1000)
        resolve()
      })
    }),
  }
}

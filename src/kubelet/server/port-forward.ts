/**
 * @module
 * Port forwarding over SPDY/3.1 (`portforward.k8s.io`): for every local connection kubectl
 * opens an error stream and a data stream with the same `requestID` and the pod `port`; the
 * data stream is piped to a connection into the pod's network, and a dial failure is written
 * on the error stream.
 */
// Upstream: pkg/kubelet/cri/streaming/portforward/httpstream.go (httpStreamHandler,
// requestID, portForward), client-go tools/portforward/portforward.go.
import type { Duplex } from 'node:stream'
import type { SpdySession, SpdyStream } from '../spdy/index.js'

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io'

export type PortForwardTarget = {
  /** The pod's sandbox and a name for messages. */
  sandboxId: string
  podName: string
  podUid: string
  dial(port: number): Promise<Duplex>
}

type Pair = { error?: SpdyStream; data?: SpdyStream; started?: boolean }

/** Serves the streams of one port-forward connection until it closes. */
export function servePortForward(session: SpdySession, target: PortForwardTarget): Promise<void> {
  const pairs = new Map<string, Pair>()
  session.on('stream', (s: SpdyStream) => {
    const type = s.headers.streamtype
    const requestId = s.headers.requestid ?? ''
    if ((type !== 'error' && type !== 'data') || !s.headers.port) {
      s.resetStream()
      return
    }
    s.reply()
    const pair = pairs.get(requestId) ?? {}
    pairs.set(requestId, pair)
    pair[type] = s
    if (pair.error && pair.data && !pair.started) {
      pair.started = true
      void forward(pair.error, pair.data, target).finally(() => pairs.delete(requestId))
    }
  })
  return new Promise((resolve) => session.once('close', () => resolve()))
}

async function forward(error: SpdyStream, data: SpdyStream, target: PortForwardTarget) {
  const port = Number(data.headers.port)
  // The error stream carries nothing from the client; drain it so it can end.
  error.resume()
  let conn: Duplex
  try {
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid port ${data.headers.port}`)
    conn = await target.dial(port)
  } catch (err) {
    error.end(`error forwarding port ${data.headers.port} to pod ${target.sandboxId}, uid ${target.podUid}: ${(err as Error).message}`)
    data.end()
    return
  }
  await new Promise<void>((resolve) => {
    let finished = false
    const finish = () => {
      if (finished) return
      finished = true
      if (!data.writableEnded) data.end()
      if (!error.writableEnded) error.end()
      resolve()
    }
    conn.on('error', finish)
    conn.on('close', finish)
    conn.on('end', () => data.writableEnded || data.end())
    data.on('data', (c: Buffer) => conn.writable && conn.write(c))
    data.on('end', () => conn.end())
    data.on('close', () => conn.destroy())
    conn.on('data', (c: Buffer) => {
      if (data.destroyed || data.writableEnded) return
      if (!data.write(c)) {
        conn.pause()
        data.once('drain', () => conn.resume())
      }
    })
  })
}

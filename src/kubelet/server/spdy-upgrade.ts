/**
 * @module
 * The SPDY/3.1 upgrade handshake of k8s.io/apimachinery httpstream: the client POSTs (or GETs)
 * with `Upgrade: SPDY/3.1` and the protocols it speaks in `X-Stream-Protocol-Version`; the
 * server picks one, answers 101, and both sides speak SPDY on the socket.
 */
// Upstream: apimachinery pkg/util/httpstream/httpstream.go (Handshake), spdy/upgrade.go.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { SpdySession } from '../spdy/index.js'

export const isSpdyUpgrade = (req: IncomingMessage) => (req.headers.upgrade ?? '').toLowerCase().startsWith('spdy/3.1')

/** The client's protocols in its order (several headers or a comma-separated list). */
export function offeredProtocols(req: IncomingMessage): string[] {
  const raw = req.headersDistinct['x-stream-protocol-version'] ?? []
  return raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)
}

/** Writes a plain HTTP error on a socket that was never upgraded, then closes it. */
export function refuse(socket: Duplex, code: number, message: string) {
  const body = `${message}\n`
  socket.end(`HTTP/1.1 ${code} ${STATUS_TEXT[code] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' }

/**
 * Completes the handshake for the first protocol of the client's that we support; returns the
 * server session and the protocol, or undefined after refusing (403 as upstream when none fits).
 */
export function acceptSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, supported: string[]): { session: SpdySession; protocol: string } | undefined {
  const offered = offeredProtocols(req)
  const protocol = offered.find((p) => supported.includes(p))
  if (!protocol) {
    refuse(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${supported.join(' ')}]`)
    return undefined
  }
  socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
    `X-Stream-Protocol-Version: ${protocol}\r\n\r\n`)
  const session = new SpdySession(socket, { server: true })
  if (head.length) socket.unshift(head)
  return { session, protocol }
}

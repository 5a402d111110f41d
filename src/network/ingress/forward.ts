/**
 * @module
 * Passing a request to an upstream endpoint (over the pooled upstream client) and its response
 * back: connect and read timeouts (504), another endpoint when one fails (502 once none is
 * left), request bodies buffered so a retry can resend them, and cookie affinity.
 */
// Upstream: nginx proxy module (proxy_next_upstream error timeout: a request already sent is
// retried only when idempotent — not POST, LOCK or PATCH; proxy_next_upstream_tries) and
// ingress-nginx's balancer/sticky.lua (cookie attributes). The request is buffered as with
// proxy_request_buffering on, up to BUFFER_MAX_BYTES; larger bodies stream and are not retried.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { clientHeaders, upstreamHeaders } from './headers.js'
import { sendError } from './responses.js'
import type { Decision, Scheme } from './route-request.js'
import { UpstreamTimeout, type Connection, type Exchange, type Pool } from './upstream-client.js'
import { endpointFromCookie, pickRoundRobin, readCookie, type Endpoint } from './upstreams.js'

type Forward = Extract<Decision, { kind: 'forward' }>

const BUFFER_MAX_BYTES = 8 * 1024 * 1024
const NON_IDEMPOTENT = new Set(['POST', 'LOCK', 'PATCH'])

/** The Set-Cookie value binding a client to `ep`. */
function affinityCookie(fwd: Forward, ep: Endpoint, scheme: Scheme, now: number): string {
  const a = fwd.loc.config.affinity!
  let c = `${a.cookieName}=${ep.hash}|${fwd.up.backendKey}`
  if (a.expires) c += `; Expires=${new Date(now + Number(a.expires) * 1000).toUTCString()}`
  if (a.maxAge) c += `; Max-Age=${a.maxAge}`
  if (a.domain) c += `; Domain=${a.domain}`
  c += `; Path=${a.path ?? fwd.loc.ingressPath}`
  if (a.secure ?? scheme === 'https') c += '; Secure'
  c += '; HttpOnly'
  if (a.sameSite) c += `; SameSite=${a.sameSite}`
  return c
}

/** Proxies one request; answers it with the upstream's response or nginx's 502/504. */
export function forwardHttp(pool: Pool, req: IncomingMessage, res: ServerResponse, fwd: Forward, scheme: Scheme, port: number): void {
  const cfg = fwd.loc.config
  const length = req.headers['content-length']
  const hasBody = length !== undefined ? length !== '0' : req.headers['transfer-encoding'] !== undefined
  if (!hasBody) { send(pool, req, res, fwd, scheme, port, undefined); return }
  const declared = length === undefined ? NaN : Number(length)
  const limit = cfg.bodySizeBytes
  if (declared <= BUFFER_MAX_BYTES || (Number.isNaN(declared) && limit && limit <= BUFFER_MAX_BYTES)) {
    const chunks: Buffer[] = []
    let total = 0
    req.on('data', (c: Buffer) => {
      total += c.length
      // A chunked body has no Content-Length to refuse early: count it as it comes.
      if (limit && total > limit) { req.removeAllListeners('data'); req.resume(); sendError(res, 413, fwd.cors, { close: true }); return }
      chunks.push(c)
    })
    req.on('end', () => { if (!res.headersSent) send(pool, req, res, fwd, scheme, port, Buffer.concat(chunks, total)) })
    return
  }
  send(pool, req, res, fwd, scheme, port, 'stream')
}

function send(pool: Pool, req: IncomingMessage, res: ServerResponse, fwd: Forward, scheme: Scheme, port: number,
  body: Buffer | 'stream' | undefined): void {
  const cfg = fwd.loc.config
  const headers = upstreamHeaders(req, fwd.loc, scheme, port, false)
  const declared = req.headers['content-length']
  if (Buffer.isBuffer(body)) headers.push('Content-Length', String(body.length))
  else if (body === 'stream') headers.push(...(declared === undefined ? ['Transfer-Encoding', 'chunked'] : ['Content-Length', declared]))
  let head = `${req.method} ${fwd.path} HTTP/1.1\r\n`
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`
  head += '\r\n'
  const isHttps = cfg.backendProtocol === 'HTTPS'
  const method = req.method ?? 'GET'
  const tries = cfg.nextUpstreamTries
  const tried = new Set<Endpoint>()
  let setCookie: string[] | undefined
  let current: Connection | undefined
  let finished = false
  let staleRetries = 0
  res.once('close', () => { if (!finished) current?.abort() }) // the client left: drop the upstream exchange

  const pick = (): Endpoint | undefined => {
    const aff = cfg.affinity
    if (!aff) return pickRoundRobin(fwd.up, tried)
    if (!tried.size) {
      const sticky = endpointFromCookie(fwd.up, readCookie(req.headers.cookie, aff.cookieName))
      if (sticky) return sticky
    }
    const ep = pickRoundRobin(fwd.up, tried)
    if (ep && (!tried.size || aff.changeOnFailure || !setCookie)) setCookie = ['Set-Cookie', affinityCookie(fwd, ep, scheme, Date.now())]
    return ep
  }

  const exchange: Exchange = {
    method,
    onHead(status, reason, raw) {
      const extra = setCookie && fwd.cors ? [...fwd.cors, ...setCookie] : setCookie ?? fwd.cors
      res.writeHead(status, reason, clientHeaders(raw, extra, !!fwd.cors))
    },
    onBody(chunk, last) {
      if (last) {
        finished = true
        res.end(chunk)
        return
      }
      // Backpressure: a slow client pauses the upstream connection.
      if (!res.write(chunk!) && current) {
        const socket = current.socket
        socket.pause()
        res.once('drain', () => socket.resume())
      }
    },
    onError(err, stage, reused) {
      if (res.headersSent || res.destroyed || stage === 'response') { finished = true; res.destroy(); return }
      // A pooled connection the endpoint had just closed says nothing about the endpoint: try it again.
      const stale = reused && stage === 'sent' && !(err instanceof UpstreamTimeout)
      if (stale && body !== 'stream' && staleRetries++ < 2) { tried.delete(lastEp!); attempt(); return }
      // nginx passes a request to the next endpoint when nothing was sent, or when it is safe to repeat.
      const resend = body !== 'stream' && (stage === 'connect' || !NON_IDEMPOTENT.has(method))
      if (resend && (tries === 0 || tried.size < tries) && tried.size < fwd.up.endpoints.length) { attempt(); return }
      finished = true
      sendError(res, err instanceof UpstreamTimeout ? 504 : 502, fwd.cors)
    },
  }

  let lastEp: Endpoint | undefined
  const attempt = () => {
    const ep = pick()
    if (!ep) { finished = true; sendError(res, 502, fwd.cors); return }
    tried.add(ep)
    lastEp = ep
    const conn = pool.acquire(ep.ip, ep.port, isHttps, cfg.connectTimeoutMs)
    current = conn
    conn.send(head, Buffer.isBuffer(body) ? body : undefined, exchange, cfg.readTimeoutMs, body !== 'stream')
    if (body === 'stream') streamBody(req, conn.socket, declared === undefined)
  }
  attempt()
}

/** Copies a request body the proxy did not buffer, chunk-encoding it when its length is unknown. */
function streamBody(req: IncomingMessage, socket: Socket, chunked: boolean) {
  req.on('data', (c: Buffer) => {
    if (!c.length) return // an empty chunk would end a chunked body
    if (chunked) socket.write(`${c.length.toString(16)}\r\n`)
    socket.write(c)
    if (chunked) socket.write('\r\n')
    if (socket.writableNeedDrain) { req.pause(); socket.once('drain', () => req.resume()) }
  })
  req.on('end', () => { if (chunked) socket.write('0\r\n\r\n') })
}

/**
 * @module
 * The data plane's servers: an HTTP server and an HTTPS server (SNI from the certificate
 * store) that never listen themselves — the caller hands them accepted sockets — and that send
 * each request or upgrade where `routeRequest` decides.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import type { CertAndKey, CertificateStore } from './certificates.js'
import { forwardHttp } from './forward.js'
import { upstreamPool } from './upstream-client.js'
import { sendError, writeRawError } from './responses.js'
import { routeRequest, type Decision, type RouteOptions, type RouteState, type Scheme } from './route-request.js'
import { forwardUpgrade } from './upgrade.js'

export type ProxyOptions = RouteOptions & {
  /** The ports clients used (X-Forwarded-Port); default: the socket's local port. */
  ports?: { http?: number; https?: number }
}

// nginx's keepalive_timeout in ingress-nginx's default configuration.
const CLIENT_KEEPALIVE_MS = 75_000

/** The proxy's HTTP and HTTPS servers, fed with sockets by the caller. */
export function createProxy(state: () => RouteState, certs: CertificateStore, opts: ProxyOptions = {}) {
  const pool = upstreamPool()
  const sockets = new Set<Socket>()
  const schemeOf = (req: IncomingMessage): Scheme => ((req.socket as TLSSocket).encrypted ? 'https' : 'http')
  const portOf = (req: IncomingMessage, scheme: Scheme) => (scheme === 'https' ? opts.ports?.https : opts.ports?.http) ?? req.socket.localPort ?? 0

  function respond(res: ServerResponse, d: Extract<Decision, { kind: 'respond' }>) {
    if (d.empty) { res.writeHead(d.status, d.headers); res.end(); return }
    sendError(res, d.status, d.headers, d.close ? { close: true } : {})
  }

  function onRequest(req: IncomingMessage, res: ServerResponse) {
    const scheme = schemeOf(req)
    const d = routeRequest(state(), req, scheme, opts)
    if (d.kind === 'respond') {
      // Unread request bodies are drained: the next request can follow, or (413) the client can
      // read our answer before we close instead of meeting a reset.
      req.resume()
      respond(res, d)
      return
    }
    forwardHttp(pool, req, res, d, scheme, portOf(req, scheme))
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const scheme = schemeOf(req)
    const d = routeRequest(state(), req, scheme, opts)
    if (d.kind === 'respond') { writeRawError(socket, d.status, d.headers); return }
    forwardUpgrade(req, socket, head, d, scheme, portOf(req, scheme))
  }

  const http = createServer({ keepAliveTimeout: CLIENT_KEEPALIVE_MS } as object, onRequest)
  http.keepAliveTimeout = CLIENT_KEEPALIVE_MS
  http.on('upgrade', onUpgrade)
  // HTTPS waits for the default certificate (generated at start); connections queue until then.
  let https: ReturnType<typeof createHttpsServer> | undefined
  let waiting: Socket[] = []
  function enableHttps(defaultCert: CertAndKey) {
    https = createHttpsServer({
      cert: defaultCert.cert, key: defaultCert.key,
      SNICallback: (name, cb) => cb(null, certs.lookup(name)),
      ALPNProtocols: ['http/1.1'],
    }, onRequest)
    https.keepAliveTimeout = CLIENT_KEEPALIVE_MS
    https.on('upgrade', onUpgrade)
    // A failed handshake is the client's problem; it must not surface as an unhandled error.
    https.on('tlsClientError', (_err, s) => s.destroy())
    https.on('clientError', onClientError)
    for (const s of waiting) if (!s.destroyed) https.emit('connection', s)
    waiting = []
  }
  function onClientError(_err: Error, socket: Duplex) {
    if (socket.writable) writeRawError(socket, 400)
    else socket.destroy()
  }
  http.on('clientError', onClientError)

  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  }
  return {
    /** Serves plain HTTP on an accepted connection. */
    handleHttp(socket: Socket): void {
      track(socket)
      http.emit('connection', socket)
    },
    /** Serves HTTPS (TLS with SNI) on an accepted connection. */
    handleHttps(socket: Socket): void {
      track(socket)
      if (https) https.emit('connection', socket)
      else { socket.pause(); waiting.push(socket) }
    },
    enableHttps,
    /** Closes every connection it was given and the upstream pools. */
    close(): void {
      for (const s of sockets) s.destroy()
      sockets.clear()
      pool.close()
    },
  }
}
export type Proxy = ReturnType<typeof createProxy>

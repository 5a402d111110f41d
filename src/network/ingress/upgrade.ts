/**
 * @module
 * Upgrade requests (WebSocket and any other `Upgrade`): the handshake is written to an
 * endpoint over a fresh connection and, from then on, bytes are piped both ways untouched —
 * the endpoint's answer (101 or a refusal) included.
 */
// Upstream: ingress-nginx nginx.tmpl ("Allow websocket connections": Upgrade $http_upgrade,
// Connection $connection_upgrade); nginx applies proxy_read_timeout to the idle tunnel.
import type { IncomingMessage } from 'node:http'
import { connect as netConnect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { connect as tlsConnect } from 'node:tls'
import { upstreamHeaders } from './headers.js'
import { writeRawError } from './responses.js'
import type { Decision, Scheme } from './route-request.js'
import { endpointFromCookie, pickRoundRobin, readCookie, type Endpoint } from './upstreams.js'

type Forward = Extract<Decision, { kind: 'forward' }>

/** Connects the client's upgrade request to an endpoint, trying others while connecting fails. */
export function forwardUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, fwd: Forward, scheme: Scheme, port: number): void {
  const cfg = fwd.loc.config
  const headers = upstreamHeaders(req, fwd.loc, scheme, port, true)
  let text = `${req.method} ${fwd.path} HTTP/1.1\r\n`
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`
  const handshake = Buffer.from(text + '\r\n')
  const tried = new Set<Endpoint>()
  client.on('error', () => client.destroy())

  const attempt = () => {
    let ep: Endpoint | undefined
    if (!tried.size && cfg.affinity) ep = endpointFromCookie(fwd.up, readCookie(req.headers.cookie, cfg.affinity.cookieName))
    ep ??= pickRoundRobin(fwd.up, tried)
    if (!ep) { writeRawError(client, 502, fwd.cors); return }
    tried.add(ep)
    const upstream: Socket = cfg.backendProtocol === 'HTTPS'
      ? tlsConnect({ host: ep.ip, port: ep.port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
      : netConnect({ host: ep.ip, port: ep.port })
    let connected = false
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), cfg.connectTimeoutMs)
    upstream.once(cfg.backendProtocol === 'HTTPS' ? 'secureConnect' : 'connect', () => {
      connected = true
      clearTimeout(timer)
      upstream.setNoDelay(true)
      upstream.setTimeout(cfg.readTimeoutMs, () => { upstream.destroy(); client.destroy() })
      upstream.write(handshake)
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
      client.once('close', () => upstream.destroy())
      upstream.once('close', () => client.destroy())
    })
    upstream.on('error', (err) => {
      clearTimeout(timer)
      if (connected) { client.destroy(); return }
      if (client.destroyed) return
      if ((cfg.nextUpstreamTries === 0 || tried.size < cfg.nextUpstreamTries) && tried.size < fwd.up.endpoints.length) { attempt(); return }
      writeRawError(client, err.message === 'connect timeout' ? 504 : 502, fwd.cors)
    })
  }
  attempt()
}

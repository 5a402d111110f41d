/**
 * @module
 * The request headers an upstream receives and the response headers the client receives:
 * hop-by-hop headers dropped, ingress-nginx's forwarding headers set (`X-Forwarded-*`,
 * `X-Real-IP`, `X-Request-ID`, `Host`), CORS and affinity headers added. Headers travel as
 * flat `[name, value, ...]` arrays, as Node reads and writes them, to avoid building objects.
 */
// Upstream: ingress-nginx nginx.tmpl location block (proxy_set_header list; `Proxy ""` against
// httpoxy; `Connection` from $connection_upgrade) and `map $http_x_request_id $req_id`.
// Difference: X-Forwarded-For appends the client to the incoming list, as with
// compute-full-forwarded-for.
import { randomFillSync } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Location } from './routes.js'
import type { Scheme } from './route-request.js'

// Lower-case names we never pass on as received (we set some of them ourselves).
const DROP_REQUEST = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'proxy', 'te', 'trailer', 'upgrade', 'expect',
  'transfer-encoding', 'content-length', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto',
  'x-forwarded-scheme', 'x-scheme', 'x-real-ip', 'x-request-id', 'x-forwarded-prefix',
])
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'])

// Request ids come from one random buffer refilled every 256 ids: one syscall per 256 requests.
const idPool = Buffer.alloc(16 * 256)
let idNext = idPool.length

/** 32 random hex digits, like nginx's $request_id. */
export function requestId(): string {
  if (idNext >= idPool.length) { randomFillSync(idPool); idNext = 0 }
  const id = idPool.toString('hex', idNext, idNext + 16)
  idNext += 16
  return id
}

export const clientIp = (req: IncomingMessage) => {
  const a = req.socket.remoteAddress ?? ''
  return a.startsWith('::ffff:') ? a.slice(7) : a
}

/** Headers for the upstream request. `upgrade` keeps the Upgrade handshake headers. */
export function upstreamHeaders(req: IncomingMessage, loc: Location, scheme: Scheme, port: number, upgrade: boolean): string[] {
  const raw = req.rawHeaders
  const out: string[] = []
  const connection = req.headers.connection
  // Headers the client named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
  const listed = connection && connection !== 'keep-alive' && connection !== 'close' && connection.toLowerCase() !== 'upgrade'
    ? new Set(connection.toLowerCase().split(',').map((s) => s.trim())) : undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    const lower = name.toLowerCase()
    if (DROP_REQUEST.has(lower) || listed?.has(lower)) continue
    out.push(name, raw[i + 1]!)
  }
  const host = req.headers.host ?? ''
  const ip = clientIp(req)
  const xff = req.headers['x-forwarded-for']
  out.push(
    'Host', loc.config.upstreamVhost ?? host,
    'X-Request-ID', (req.headers['x-request-id'] as string | undefined) || requestId(),
    'X-Real-IP', ip,
    'X-Forwarded-For', xff ? `${xff}, ${ip}` : ip,
    'X-Forwarded-Host', host,
    'X-Forwarded-Port', String(port),
    'X-Forwarded-Proto', scheme,
    'X-Forwarded-Scheme', scheme,
    'X-Scheme', scheme,
  )
  if (loc.rewrite && loc.config.xForwardedPrefix) out.push('X-Forwarded-Prefix', loc.config.xForwardedPrefix)
  if (upgrade && req.headers.upgrade) out.push('Upgrade', req.headers.upgrade, 'Connection', 'upgrade')
  return out
}

/** The upstream's response headers for the client, with ours (CORS, Set-Cookie) added. */
export function clientHeaders(raw: readonly string[], extra: readonly string[] | undefined, overrideCors: boolean): string[] {
  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase()
    if (DROP_RESPONSE.has(lower)) continue
    // more_set_headers replaces what the backend set.
    if (overrideCors && lower.startsWith('access-control-')) continue
    out.push(raw[i]!, raw[i + 1]!)
  }
  if (extra) for (const h of extra) out.push(h)
  return out
}

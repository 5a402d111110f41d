/**
 * @module
 * The answers the proxy gives itself, byte for byte as nginx writes them: error pages (404 from
 * the default backend, 413, 502, 503, 504...) and redirects, over a ServerResponse or, for
 * upgrade requests, a raw socket.
 */
// Upstream: nginx src/http/ngx_http_special_response.c (the error page bodies, CRLF lines,
// "nginx" footer).
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

const bodies = new Map<number, Buffer>()
// Where nginx's wording differs from Node's.
const NGINX_REASONS: Record<number, string> = {
  413: 'Request Entity Too Large', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out', 302: 'Moved Temporarily',
}
const reason = (status: number) => NGINX_REASONS[status] ?? STATUS_CODES[status] ?? ''

/** nginx's HTML page for a status. */
export function errorBody(status: number): Buffer {
  let b = bodies.get(status)
  if (!b) {
    const title = `${status} ${reason(status)}`
    b = Buffer.from(`<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
      '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n')
    bodies.set(status, b)
  }
  return b
}

/** Sends nginx's page for `status`; `extra` are header name/value pairs (CORS, Location). */
export function sendError(res: ServerResponse, status: number, extra: string[] = [], opts: { close?: boolean } = {}): void {
  if (res.headersSent) { res.destroy(); return }
  const body = errorBody(status)
  const headers = ['Content-Type', 'text/html', 'Content-Length', String(body.length), ...extra]
  // nginx closes the connection after refusing a body it did not read (413), so do we.
  if (opts.close) { headers.push('Connection', 'close'); res.shouldKeepAlive = false }
  res.writeHead(status, reason(status), headers)
  res.end(res.req?.method === 'HEAD' ? undefined : body)
}

/** A redirect with nginx's body. */
export function sendRedirect(res: ServerResponse, status: 301 | 302 | 307 | 308, location: string, extra: string[] = []): void {
  sendError(res, status, ['Location', location, ...extra])
}

/** The same answers on a raw socket (an upgrade request the proxy will not pass on). */
export function writeRawError(socket: Duplex, status: number, extra: string[] = []): void {
  const body = errorBody(status)
  let head = `HTTP/1.1 ${status} ${reason(status)}\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n`
  for (let i = 0; i + 1 < extra.length; i += 2) head += `${extra[i]}: ${extra[i + 1]}\r\n`
  socket.end(Buffer.concat([Buffer.from(head + '\r\n'), body]))
}

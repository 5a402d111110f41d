/**
 * @module
 * How the API server reaches a node's kubelet: over the unix socket the kubelet publishes on
 * its Node (annotation kubelite.io/kubelet-socket). Logs are a plain request streamed back;
 * exec, attach and port-forward upgrades are forwarded and then piped byte for byte both
 * ways, so the kubelet speaks the protocol (WebSocket or SPDY) with the client itself.
 */
// Upstream: apimachinery pkg/util/proxy/upgradeaware.go (UpgradeAwareHandler: forward the
// request, relay the 101, then copy both ways), pkg/registry/core/pod/rest/log.go.
import { request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { StatusError, serviceUnavailable, type Reason } from '../api/index.js'
import { KUBELET_SOCKET_ANNOTATION } from '../kubelet/nodestatus/node-status.js'

/** Where a node's kubelet API listens: the kubelet writes it on its Node. */
export { KUBELET_SOCKET_ANNOTATION }

/** The raw connection of an upgrade request, for a handler that takes it over. */
export type UpgradeConnection = { socket: Duplex; head: Buffer; takenOver: boolean }

const upgrades = new WeakMap<IncomingMessage, UpgradeConnection>()

/** Marks `req` as an upgrade request arriving on `socket` (called by the server's 'upgrade' listener). */
export function registerUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): UpgradeConnection {
  const conn = { socket, head, takenOver: false }
  upgrades.set(req, conn)
  return conn
}

export const upgradeOf = (req: IncomingMessage) => upgrades.get(req)

/** A kubelet's error reply as the Status the API server returns (upstream's generic response checker). */
function kubeletError(code: number, body: string): StatusError {
  const reasons: Record<number, Reason> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 503: 'ServiceUnavailable' }
  const message = body.trim() || `the server responded with the status code ${code} but did not return more information`
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: reasons[code] ?? 'InternalError', code })
}

const unreachable = (node: string, err: Error) =>
  serviceUnavailable(`error trying to reach the kubelet of node "${node}": ${err.message}`)

/** GET `path` from the kubelet and stream the body to `res` (chunked, flushed as it comes). */
export function proxyKubeletGet(socketPath: string, node: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = request({ socketPath, path, method: 'GET', headers: { host: 'kubelet' } }, (kres) => {
      const code = kres.statusCode ?? 500
      if (code !== 200) {
        let body = ''
        kres.setEncoding('utf8')
        kres.on('data', (d) => (body += d))
        kres.on('end', () => reject(kubeletError(code, body)))
        kres.on('error', (err) => reject(unreachable(node, err)))
        return
      }
      res.writeHead(200, { 'Content-Type': kres.headers['content-type'] ?? 'text/plain', 'Transfer-Encoding': 'chunked' })
      kres.on('data', (d: Buffer) => res.write(d))
      kres.on('end', () => {
        res.end()
        resolve()
      })
      kres.on('error', () => {
        res.destroy()
        resolve()
      })
    })
    upstream.on('error', (err) => (res.headersSent ? (res.destroy(), resolve()) : reject(unreachable(node, err))))
    // The client went away: stop following the kubelet's stream too.
    res.once('close', () => upstream.destroy())
    req.once('close', () => {
      if (!res.writableEnded) upstream.destroy()
    })
    upstream.end()
  })
}

/** Fetches JSON from a kubelet (metrics scrapes). */
export function kubeletJson<T>(socketPath: string, path: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const upstream = request({ socketPath, path, method: 'GET', headers: { host: 'kubelet' }, timeout: timeoutMs }, (kres) => {
      let body = ''
      kres.setEncoding('utf8')
      kres.on('data', (d) => (body += d))
      kres.on('end', () => {
        if (kres.statusCode !== 200) return reject(new Error(`kubelet answered ${kres.statusCode}: ${body.trim()}`))
        try {
          resolve(JSON.parse(body) as T)
        } catch (err) {
          reject(err)
        }
      })
    })
    upstream.on('timeout', () => upstream.destroy(new Error('timed out')))
    upstream.on('error', reject)
    upstream.end()
  })
}

// Hop-by-hop and credential headers stay with the API server.
const DROP = new Set(['authorization', 'host', 'proxy-authorization', 'content-length', 'transfer-encoding', 'keep-alive'])

/**
 * Forwards an upgrade request to the kubelet at `path`. On 101 the client's socket is taken
 * over and piped to the kubelet's; any other reply is relayed as a normal response on `res`.
 */
export function proxyKubeletUpgrade(socketPath: string, node: string, path: string, req: IncomingMessage, res: ServerResponse, conn: UpgradeConnection): Promise<void> {
  const headers: Record<string, string | string[]> = { host: 'kubelet' }
  for (const [k, v] of Object.entries(req.headersDistinct)) if (v && !DROP.has(k)) headers[k] = v.length === 1 ? v[0]! : v
  return new Promise((resolve, reject) => {
    const upstream = request({ socketPath, path, method: req.method, headers })
    upstream.on('upgrade', (kres, ksocket: Duplex, khead: Buffer) => {
      conn.takenOver = true
      const client = conn.socket
      res.detachSocket(client as never)
      const lines = [`HTTP/1.1 ${kres.statusCode} ${kres.statusMessage ?? 'Switching Protocols'}`]
      for (let i = 0; i < kres.rawHeaders.length; i += 2) lines.push(`${kres.rawHeaders[i]}: ${kres.rawHeaders[i + 1]}`)
      client.write(`${lines.join('\r\n')}\r\n\r\n`)
      if (khead.length) client.write(khead)
      if (conn.head.length) ksocket.write(conn.head)
      const done = () => {
        client.destroy()
        ksocket.destroy()
        resolve()
      }
      ksocket.on('error', done)
      client.on('error', done)
      ksocket.on('close', done)
      client.on('close', done)
      ksocket.pipe(client)
      client.pipe(ksocket)
      client.resume()
    })
    upstream.on('response', (kres) => {
      // Refused: relay the kubelet's answer (upstream passes the body through as is).
      let body = ''
      kres.setEncoding('utf8')
      kres.on('data', (d) => (body += d))
      kres.on('end', () => reject(kubeletError(kres.statusCode ?? 500, body)))
    })
    upstream.on('error', (err) => reject(unreachable(node, err)))
    upstream.end()
  })
}

/**
 * @module
 * A lean HTTP/1.1 client for upstream requests: a keep-alive pool of plain or TLS connections
 * per endpoint, one request at a time per connection, and a response parser (status line,
 * headers, Content-Length, chunked and close-delimited bodies). Node's http.request costs about
 * three times what the rest of a proxied request does; this client keeps one set of socket
 * listeners per connection and writes each request head in one call.
 */
// Upstream: nginx's upstream keepalive (ngx_http_upstream_keepalive_module): idle connections
// cached per upstream, closed after keepalive_timeout (60 s); ingress-nginx's default
// upstream-keepalive-connections is 320.
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'

const MAX_HEAD_BYTES = 64 * 1024
const IDLE_MS = 60_000
const MAX_IDLE_PER_ENDPOINT = 320

/** What a request's caller hears. `onBody` gets decoded body bytes; `last` marks the end. */
export type Exchange = {
  /** Whether the response can have a body (false for HEAD). */
  method: string
  onHead(status: number, reason: string, rawHeaders: string[]): void
  onBody(chunk: Buffer | undefined, last: boolean): void
  /** `stage`: 'connect' (nothing sent), 'sent' (no response yet) or 'response' (mid-body). */
  onError(err: Error, stage: 'connect' | 'sent' | 'response', reused: boolean): void
}

export class UpstreamTimeout extends Error {
  override readonly name = 'UpstreamTimeout'
}

type Body = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' }

/** One upstream connection. `send` may be called again once the previous response ended. */
export type Connection = {
  readonly reused: boolean
  /** Writes the request head and body (a buffer, or undefined); the stream case writes through `socket`.
   *  `keep: false` retires the connection after this exchange (a streamed body may still be flowing). */
  send(head: string, body: Buffer | undefined, ex: Exchange, readTimeoutMs: number, keep?: boolean): void
  socket: Socket
  /** Gives up on the current exchange (the client left): the connection is not reused. */
  abort(): void
}

export type Pool = {
  acquire(host: string, port: number, tls: boolean, connectTimeoutMs: number): Connection
  close(): void
}

/** A pool of keep-alive connections, keyed by endpoint and protocol. */
export function upstreamPool(): Pool {
  const idle = new Map<string, Connection[]>()
  const all = new Set<Socket>()
  let closed = false

  function open(key: string, host: string, port: number, tls: boolean, connectTimeoutMs: number): Connection {
    const socket = tls
      ? tlsConnect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }) // nginx: proxy_ssl_verify off
      : netConnect({ host, port })
    all.add(socket)
    socket.setNoDelay(true)
    let connected = false
    let ex: Exchange | undefined
    let stage: 'connect' | 'sent' | 'response' = 'connect'
    let pending: Buffer | undefined
    let body: Body = { kind: 'none' }
    let reusable = true
    let keepAfter = true
    let chunkLeft = -1 // -1: expecting a chunk-size line; -2: the CRLF after data; -3: trailers
    const connectTimer = setTimeout(() => fail(new UpstreamTimeout('connect timed out')), connectTimeoutMs)

    const conn: Connection = {
      reused: false,
      socket,
      send(head, payload, exchange, readTimeoutMs, keep = true) {
        ex = exchange
        keepAfter = keep
        stage = connected ? 'sent' : 'connect'
        body = { kind: 'none' }
        chunkLeft = -1
        reusable = true
        socket.setTimeout(readTimeoutMs)
        if (payload) { socket.cork(); socket.write(head, 'latin1'); socket.write(payload); socket.uncork() }
        else socket.write(head, 'latin1')
      },
      abort() { reusable = false; ex = undefined; socket.destroy() },
    }

    const fail = (err: Error) => {
      clearTimeout(connectTimer)
      const e = ex
      ex = undefined
      socket.destroy()
      e?.onError(err, stage, conn.reused)
    }
    const release = () => {
      ex = undefined
      if (!reusable || !keepAfter || closed || socket.destroyed) { socket.destroy(); return }
      socket.setTimeout(IDLE_MS)
      const list = idle.get(key) ?? []
      if (list.length >= MAX_IDLE_PER_ENDPOINT) { socket.destroy(); return }
      ;(conn as { reused: boolean }).reused = true
      list.push(conn)
      idle.set(key, list)
    }
    const finish = (chunk: Buffer | undefined) => {
      const e = ex!
      release()
      e.onBody(chunk, true)
    }

    socket.once(tls ? 'secureConnect' : 'connect', () => {
      connected = true
      clearTimeout(connectTimer)
      if (ex) stage = 'sent'
    })
    socket.on('timeout', () => {
      if (ex) fail(new UpstreamTimeout('read timed out'))
      else socket.destroy() // idle too long
    })
    socket.on('error', (err) => fail(err))
    socket.on('close', () => {
      all.delete(socket)
      const list = idle.get(key)
      const i = list?.indexOf(conn) ?? -1
      if (i >= 0) list!.splice(i, 1)
      if (!ex) return
      // A close-delimited body ends here; anything else ending early is an error.
      if (stage === 'response' && body.kind === 'close') { reusable = false; finish(undefined); return }
      fail(Object.assign(new Error('upstream closed the connection'), { code: 'ECONNRESET' }))
    })
    socket.on('data', (data: Buffer) => {
      if (!ex) { socket.destroy(); return } // bytes nobody asked for: the connection is unusable
      let buf = pending ? Buffer.concat([pending, data]) : data
      pending = undefined
      if (stage !== 'response') {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) {
          if (buf.length > MAX_HEAD_BYTES) fail(new Error('upstream sent too big a header'))
          else pending = buf
          return
        }
        const head = parseHead(buf.toString('latin1', 0, end), ex.method)
        buf = buf.subarray(end + 4)
        if (!head) { fail(new Error('upstream sent an invalid header')); return }
        if (head.status < 200) { // 100 Continue, 103 Early Hints: the real answer follows
          if (buf.length) socket.emit('data', buf)
          return
        }
        stage = 'response'
        body = head.body
        reusable = head.keepAlive
        ex.onHead(head.status, head.reason, head.raw)
        if (!ex) return // the caller gave up
        if (body.kind === 'none') { finish(undefined); return }
        if (!buf.length) return
      }
      onBodyBytes(buf)
    })

    function onBodyBytes(buf: Buffer) {
      if (body.kind === 'close') { ex!.onBody(buf, false); return }
      if (body.kind === 'length') {
        if (buf.length >= body.left) {
          const tail = buf.subarray(0, body.left)
          if (buf.length > body.left) reusable = false // more than announced: do not trust the connection
          finish(tail)
        } else {
          body.left -= buf.length
          ex!.onBody(buf, false)
        }
        return
      }
      // Chunked: hand on the data, keep the framing to ourselves.
      let i = 0
      while (i < buf.length && ex) {
        if (chunkLeft > 0) {
          const n = Math.min(chunkLeft, buf.length - i)
          ex.onBody(buf.subarray(i, i + n), false)
          chunkLeft -= n
          i += n
          if (chunkLeft === 0) chunkLeft = -2
          continue
        }
        const eol = buf.indexOf('\r\n', i)
        if (eol < 0) { pending = buf.subarray(i); if (pending.length > MAX_HEAD_BYTES) fail(new Error('bad chunk')); return }
        const lineText = buf.toString('latin1', i, eol)
        i = eol + 2
        if (chunkLeft === -2) { if (lineText) { fail(new Error('bad chunk')); return } chunkLeft = -1; continue }
        if (chunkLeft === -3) { if (!lineText) { finish(undefined); return } continue } // trailer lines are dropped
        const size = Number.parseInt(lineText, 16)
        if (!Number.isFinite(size) || size < 0) { fail(new Error('bad chunk size')); return }
        chunkLeft = size === 0 ? -3 : size
      }
    }
    return conn
  }

  return {
    acquire(host, port, tls, connectTimeoutMs) {
      const key = `${tls ? 's' : ''}${host}:${port}`
      const list = idle.get(key)
      while (list?.length) {
        const c = list.pop()!
        if (!c.socket.destroyed) return c
      }
      return open(key, host, port, tls, connectTimeoutMs)
    },
    close() {
      closed = true
      for (const s of all) s.destroy()
      all.clear()
      idle.clear()
    },
  }
}

type Head = { status: number; reason: string; raw: string[]; body: Body; keepAlive: boolean }

function parseHead(text: string, method: string): Head | undefined {
  const lines = text.split('\r\n')
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]!)
  if (!m) return undefined
  const status = Number(m[2])
  let keepAlive = m[1] === '1'
  let length = -1
  let chunked = false
  const raw: string[] = []
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    const colon = line.indexOf(':')
    if (colon <= 0) return undefined
    const name = line.slice(0, colon)
    const value = line.slice(colon + 1).trim()
    raw.push(name, value)
    const c = name.charCodeAt(0) | 0x20
    if (c === 99 /* c */ || c === 116 /* t */) {
      const lower = name.toLowerCase()
      if (lower === 'content-length') {
        const n = Number(value)
        if (!Number.isSafeInteger(n) || n < 0 || (length >= 0 && length !== n)) return undefined
        length = n
      } else if (lower === 'transfer-encoding') chunked = /(^|,)\s*chunked\s*$/i.test(value)
      else if (lower === 'connection') {
        const v = value.toLowerCase()
        if (v.includes('close')) keepAlive = false
        else if (v.includes('keep-alive')) keepAlive = true
      }
    }
  }
  const noBody = method === 'HEAD' || status === 204 || status === 304 || status < 200
  const body: Body = noBody ? { kind: 'none' } : chunked ? { kind: 'chunked' } : length >= 0
    ? (length === 0 ? { kind: 'none' } : { kind: 'length', left: length }) : { kind: 'close' }
  if (body.kind === 'close') keepAlive = false
  return { status, reason: m[3] ?? '', raw, body, keepAlive }
}

/**
 * @module
 * Moving a client's traffic to a backend in userspace: TCP connections spliced to a picked
 * endpoint (retrying another when a connect fails, resetting the client when none is left),
 * and UDP flows proxied through one upstream socket per client address. Shared by the
 * userspace Service proxy and the host relays, so it knows nothing about Services.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import type { Backend } from './service-table.js'

export type SpliceTcpOptions = {
  /** The endpoint to try next, skipping the `ip:port` keys in `exclude`; undefined when none. */
  pick(exclude: Set<string>): Backend | undefined
  /** Opens the upstream connection; a plain TCP connect unless set. */
  connect?: (b: Backend) => net.Socket
  /** How long one connect attempt may take; 2000 unless set. */
  connectTimeoutMs?: number
  /** Endpoints tried before giving up; 3 unless set. */
  attempts?: number
  /** Told about each failed connect (with its endpoint) and each stream error. */
  onError?(err: Error, backend?: Backend): void
}

const key = (b: Backend) => `${b.ip}:${b.port}`

// Bytes read from an upstream per read call. The buffer lives as long as its connection
// (memory: this times open connections), but reading into it skips the stream machinery and
// an allocation per read, which is most of a relay's cost for small requests.
const READ_BUFFER_BYTES = 16 * 1024

/**
 * Connects to `b` reading straight into a reusable buffer and writing each read to `client`.
 * A write that cannot finish at once keeps its buffer, so the next read gets a new one.
 */
function fastConnect(b: Backend, client: net.Socket): net.Socket {
  let buf = Buffer.allocUnsafe(READ_BUFFER_BYTES)
  return net.connect({
    host: b.ip, port: b.port, noDelay: true, allowHalfOpen: true,
    onread: {
      buffer: () => buf,
      callback(n: number, chunk: Uint8Array) {
        const more = client.write(chunk.subarray(0, n))
        if (client.writableLength > 0) buf = Buffer.allocUnsafe(READ_BUFFER_BYTES)
        return more // false stops reading until the client drains (see join)
      },
    },
  })
}

/** Destroys with an RST when the socket is a live TCP connection, else plainly. */
function reset(s: net.Socket) {
  if (s.destroyed) return
  if (s.connecting) return void s.destroy()
  try {
    s.resetAndDestroy()
  } catch {
    s.destroy() // not a TCP handle (a custom connect may hand back a unix socket)
  }
}

/**
 * Connects `client` to an endpoint and pipes both ways until both sides have closed. Servers
 * handing their sockets here should be created with `allowHalfOpen: true` (it is set here too,
 * in time only if no FIN has arrived yet).
 */
// Upstream: pkg/proxy/userspace/proxysocket.go (TryConnectEndpoints, ProxyTCP), removed in 1.26.
// Differences: a fixed per-attempt timeout, and a client left without endpoints is reset, not closed.
export function spliceTcp(client: net.Socket, opts: SpliceTcpOptions): void {
  const { pick, connect, connectTimeoutMs = 2000, attempts = 3, onError } = opts
  client.allowHalfOpen = true // a client that half-closes still gets the rest of the answer
  client.setNoDelay(true)
  const exclude = new Set<string>()
  let tries = 0
  let pending: net.Socket | undefined
  let timer: NodeJS.Timeout | undefined

  // Until joined: a client that goes away takes the pending attempt with it.
  const clientGone = () => {
    clearTimeout(timer)
    pending?.destroy()
  }
  client.on('error', clientGone)
  client.on('close', clientGone)
  attempt()

  function attempt() {
    if (client.destroyed) return
    let b: Backend | undefined
    try {
      b = tries < attempts ? pick(exclude) : undefined
    } catch (err) {
      onError?.(err as Error) // a throwing picker must not take the process down from an event handler
    }
    if (!b) {
      // What a kernel path answers when a Service has no (working) endpoint: a reset.
      client.removeListener('close', clientGone)
      reset(client)
      return
    }
    tries++
    const up = connect ? connect(b) : fastConnect(b, client)
    pending = up
    let settled = false
    const failed = (err: Error) => {
      if (settled) return // an error queued before the timeout's destroy must not start a second attempt
      settled = true
      clearTimeout(timer)
      up.removeListener('connect', connected)
      up.destroy()
      onError?.(err, b)
      exclude.add(key(b))
      pending = undefined
      attempt()
    }
    const connected = () => {
      settled = true
      clearTimeout(timer)
      up.removeListener('error', failed)
      pending = undefined
      client.removeListener('error', clientGone)
      client.removeListener('close', clientGone)
      join(client, up, !connect, onError)
    }
    up.once('error', failed)
    up.once('connect', connected)
    timer = setTimeout(() => {
      const err = Object.assign(new Error(`connect to ${key(b)} timed out after ${connectTimeoutMs}ms`), { code: 'ETIMEDOUT' })
      failed(err)
    }, connectTimeoutMs)
  }
}

/** Moves `from`'s data to `to` with backpressure; `from`'s FIN becomes `to`'s. */
function forward(from: net.Socket, to: net.Socket) {
  from.on('data', (d: Buffer) => { if (!to.write(d)) from.pause() })
  to.on('drain', () => from.resume())
  endWith(from, to)
}

/** `to` half-closes once `from` has: a FIN that came while connecting counts too. */
function endWith(from: net.Socket, to: net.Socket) {
  if (from.readableEnded) to.end()
  else from.on('end', () => to.end())
}

/**
 * Joins `client` and `up` both ways with backpressure and half-close; an error on one resets
 * the other. With `fastUp`, `up` already writes its reads to `client` (fastConnect).
 */
function join(client: net.Socket, up: net.Socket, fastUp: boolean, onError: SpliceTcpOptions['onError']) {
  up.allowHalfOpen = true
  up.setNoDelay(true)
  // A reset on one side becomes a reset on the other, as it would through a NAT.
  const failed = (other: net.Socket) => (err: Error) => {
    if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') onError?.(err)
    reset(other)
  }
  client.on('error', failed(up))
  up.on('error', failed(client))
  // A clean close means both directions are done; only an abrupt one must take the other side down.
  client.on('close', (hadError) => { if (hadError) reset(up) })
  up.on('close', (hadError) => { if (hadError) reset(client) })
  forward(client, up)
  if (!fastUp) return forward(up, client)
  client.on('drain', () => up.resume())
  endWith(up, client)
  up.resume() // flowing, so its FIN is seen as 'end'
}

export type UdpProxyOptions = {
  /** The endpoint for a new flow from `clientIP`; undefined drops the datagram. */
  pick(clientIP: string): Backend | undefined
  /** A flow with no datagram either way for this long is forgotten; 60 000 unless set. */
  idleTimeoutMs?: number
  onError?(err: Error): void
}

/** A running UDP proxy on one frontend socket. */
export interface UdpProxy {
  /** Client flows currently open. */
  readonly sessions: number
  /** Ends the flows whose endpoint fails `keep` (the endpoint went away). */
  prune(keep: (b: Backend) => boolean): void
  /** Ends every flow and closes the frontend socket. */
  close(): void
}

type Session = { backend: Backend; up: dgram.Socket; timer: NodeJS.Timeout }

/**
 * Proxies datagrams arriving on `frontend` (bound by the caller; owned from now on): each
 * client address gets its own upstream socket to a picked endpoint, and answers go back to
 * the client from the frontend socket, so they come from the address the client used.
 */
// Upstream: pkg/proxy/userspace/proxysocket.go (udpProxySocket), removed in 1.26.
export function proxyUdp(frontend: dgram.Socket, opts: UdpProxyOptions): UdpProxy {
  const { pick, idleTimeoutMs = 60_000, onError } = opts
  const sessions = new Map<string, Session>()
  let closed = false

  function end(id: string) {
    const s = sessions.get(id)
    if (!s) return
    sessions.delete(id)
    clearTimeout(s.timer)
    s.up.close()
  }

  function open(id: string, client: dgram.RemoteInfo, backend: Backend): Session {
    const up = dgram.createSocket(backend.ip.includes(':') ? 'udp6' : 'udp4')
    const timer = setTimeout(() => end(id), idleTimeoutMs)
    timer.unref()
    const s: Session = { backend, up, timer }
    // Not connect()ed, so the first datagram need not wait; answers from anyone else are dropped.
    up.on('message', (msg, from) => {
      if (from.port !== backend.port || from.address !== backend.ip || closed) return
      timer.refresh()
      frontend.send(msg, client.port, client.address)
    })
    up.on('error', (err) => {
      onError?.(err)
      end(id)
    })
    sessions.set(id, s)
    return s
  }

  frontend.on('message', (msg, client) => {
    const id = `${client.address}:${client.port}`
    let s = sessions.get(id)
    if (!s) {
      const b = pick(client.address)
      if (!b) return // no endpoint: dropped, as a lost datagram
      s = open(id, client, b)
    }
    s.timer.refresh()
    s.up.send(msg, s.backend.port, s.backend.ip)
  })
  frontend.on('error', (err) => onError?.(err))

  return {
    get sessions() { return sessions.size },
    prune(keep) {
      for (const [id, s] of sessions) if (!keep(s.backend)) end(id)
    },
    close() {
      if (closed) return
      closed = true
      for (const id of [...sessions.keys()]) end(id)
      frontend.close()
    },
  }
}

/** Joins two connected sockets both ways; either side ending or failing ends both (plain relays). */
export function joinSockets(a: net.Socket, b: net.Socket): void {
  a.pipe(b).pipe(a)
  const end = () => { a.destroy(); b.destroy() }
  a.on('error', end)
  b.on('error', end)
}

/**
 * @module
 * The cluster DNS server: UDP and TCP (RFC 1035 §4.2.2 two-byte length prefix, pipelined,
 * answered as each is ready) on the given addresses, in the node agent's network namespace
 * where the kube-dns Service IP lives. Every packet, however malformed, gets an answer or
 * silence, never an exception that escapes.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import type { ClusterZone } from './records.js'
import type { Forwarder } from './forwarder.js'
import { createResponder, type DnsStats } from './responder.js'
import { errorResponse, RCODE } from './wire.js'

export type DnsAddress = { host: string; port: number }

export type DnsServerOptions = {
  zone: ClusterZone
  /** Where to listen, UDP and TCP alike; port 0 picks one free for both. */
  listen?: DnsAddress[]
  /** Bound UDP sockets and listening TCP servers to serve on as well; the caller keeps them. */
  udpSockets?: dgram.Socket[]
  tcpServers?: net.Server[]
  /** Where names outside the zone go; without one they get SERVFAIL (see responder.ts). */
  forwarder?: Forwarder
  maxCacheEntries?: number
  /** A TCP connection idle this long is closed (RFC 7766 recommends seconds, not minutes). */
  tcpIdleTimeoutMs?: number
  log?: (msg: string) => void
}

export type DnsServer = {
  /** The addresses listened on (as given, with port 0 resolved). */
  readonly addresses: DnsAddress[]
  stats(): DnsStats
  close(): Promise<void>
}

/** Starts serving; resolves once every listener is bound. */
export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const log = opts.log ?? ((msg: string) => console.error(msg))
  const responder = createResponder({ zone: opts.zone, forwarder: opts.forwarder, maxCacheEntries: opts.maxCacheEntries, log })
  const idleMs = opts.tcpIdleTimeoutMs ?? 10_000
  const ownUdp: dgram.Socket[] = []
  const ownTcp: net.Server[] = []
  const connections = new Set<net.Socket>()
  const detach: (() => void)[] = []

  /** The response, or SERVFAIL if answering threw; undefined for silence. */
  const answer = (msg: Buffer, overTcp: boolean): Buffer | Promise<Buffer> | undefined => {
    try {
      return responder.respond(msg, overTcp)
    } catch (err) {
      log(`dns: query failed: ${(err as Error).stack ?? err}`)
      return msg.length >= 12 ? errorResponse(msg, RCODE.servFail) : undefined
    }
  }

  const serveUdp = (sock: dgram.Socket) => {
    const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      const r = answer(msg, false)
      if (!r) return
      if (Buffer.isBuffer(r)) sock.send(r, rinfo.port, rinfo.address)
      else r.then((b) => sock.send(b, rinfo.port, rinfo.address), () => {})
    }
    // A failed send (the asker's port vanished) must not become an unhandled 'error' crash.
    const onError = (err: Error) => log(`dns: udp socket error: ${err.message}`)
    sock.on('message', onMessage)
    sock.on('error', onError)
    detach.push(() => sock.off('message', onMessage).off('error', onError))
  }

  const serveTcp = (server: net.Server) => {
    const onConnection = (conn: net.Socket) => {
      connections.add(conn)
      conn.setNoDelay(true)
      conn.setTimeout(idleMs, () => conn.destroy())
      conn.on('error', () => {}) // resets by the peer are its business
      conn.on('close', () => connections.delete(conn))
      let buf: Buffer = Buffer.alloc(0)
      const reply = (b: Buffer) => {
        if (conn.destroyed) return
        const framed = Buffer.allocUnsafe(b.length + 2)
        framed.writeUInt16BE(b.length, 0)
        b.copy(framed, 2)
        conn.write(framed)
      }
      conn.on('data', (chunk: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0))
          buf = buf.subarray(2 + msg.length)
          const r = answer(msg, true)
          if (Buffer.isBuffer(r)) reply(r)
          else r?.then(reply, () => {})
        }
      })
    }
    server.on('connection', onConnection)
    detach.push(() => server.off('connection', onConnection))
  }

  const addresses: DnsAddress[] = []
  try {
    for (const at of opts.listen ?? []) addresses.push(await bindPair(at, ownUdp, ownTcp))
  } catch (err) {
    for (const s of ownUdp) s.close()
    for (const s of ownTcp) s.close()
    throw err
  }
  for (const s of [...ownUdp, ...(opts.udpSockets ?? [])]) serveUdp(s)
  for (const s of [...ownTcp, ...(opts.tcpServers ?? [])]) serveTcp(s)

  return {
    addresses,
    stats: () => ({ ...responder.stats }),
    async close() {
      for (const d of detach) d()
      for (const c of connections) c.destroy()
      await Promise.all([
        ...ownUdp.map((s) => new Promise<void>((r) => s.close(() => r()))),
        ...ownTcp.map((s) => new Promise<void>((r) => s.close(() => r()))),
      ])
    },
  }
}

/** UDP and TCP on the same address and port; with port 0, retries until both get the same one. */
async function bindPair(at: DnsAddress, udp: dgram.Socket[], tcp: net.Server[]): Promise<DnsAddress> {
  for (let attempt = 0; ; attempt++) {
    const sock = dgram.createSocket(net.isIP(at.host) === 6 ? 'udp6' : 'udp4')
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject)
      sock.bind(at.port, at.host, () => {
        sock.off('error', reject)
        resolve()
      })
    })
    const port = sock.address().port
    const server = net.createServer()
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ port, host: at.host }, () => {
          server.off('error', reject)
          resolve()
        })
      })
    } catch (err) {
      sock.close()
      if (at.port !== 0 || attempt >= 10 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
      continue
    }
    udp.push(sock)
    tcp.push(server)
    return { host: at.host, port }
  }
}

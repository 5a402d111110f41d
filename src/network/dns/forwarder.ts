/**
 * @module
 * Forwarding names outside the cluster zone to upstream resolvers (`--dns-upstream`), the
 * job of CoreDNS's forward plugin in the stock Corefile. Queries leave through a UDP socket
 * the caller may own (the agent opens it in the host's network namespace, where the host's
 * resolvers are reachable), each under a fresh ID so concurrent askers never collide.
 *
 * Upstream: coredns plugin/forward (per-upstream timeout, next upstream on failure, TCP when
 * the UDP answer is truncated). Differences: no health checks or upstream reordering; the
 * upstreams are tried in the order given, each with its own timeout.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import { errorResponse, parseQuery, RCODE } from './wire.js'
import { canonicalIP } from './zone-index.js'

export type Upstream = { host: string; port: number }

export type ForwarderOptions = {
  /** Tried in order. A string is `--dns-upstream`'s form: `host[:port],...`, `[v6]:port`. */
  upstreams: Upstream[] | string
  /** A bound UDP socket to send through; the caller keeps ownership. Default: our own. */
  socket?: dgram.Socket
  /** Opens a TCP connection to an upstream (for answers truncated over UDP). Default: net.connect. */
  connect?: (to: Upstream) => net.Socket
  /** Per upstream and attempt. */
  timeoutMs?: number
  log?: (msg: string) => void
}

export type Forwarder = {
  /** The upstream's answer to `query`, under the query's own ID; SERVFAIL when every upstream failed. */
  exchange(query: Buffer): Promise<Buffer>
  close(): void
}

/** Parses `host[:port],...` (IPv6 as `[addr]:port` or a bare address); the port defaults to 53. */
export function parseUpstreams(spec: string): Upstream[] {
  return spec.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? (isIPv6Bare(s) ? [s, s, undefined] : /^([^:]+)(?::(\d+))?$/.exec(s))
    const host = m?.[1]
    const port = m?.[2] ? Number(m[2]) : 53
    if (!host || !net.isIP(host) || !(port > 0 && port < 65536)) throw new Error(`invalid DNS upstream "${s}": want an IP address with an optional :port`)
    return { host, port }
  })
}
const isIPv6Bare = (s: string) => net.isIP(s) === 6

type Pending = { resolve(b: Buffer): void; fail(err: Error): void; upstream: Upstream; question: Buffer }

/** Starts forwarding; no socket opens until the first query needs one. */
export function createForwarder(opts: ForwarderOptions): Forwarder {
  const upstreams = typeof opts.upstreams === 'string' ? parseUpstreams(opts.upstreams) : opts.upstreams
  const timeoutMs = opts.timeoutMs ?? 2000
  const log = opts.log ?? ((msg: string) => console.error(msg))
  const connect = opts.connect ?? ((to: Upstream) => net.connect({ host: to.host, port: to.port }))
  const pending = new Map<number, Pending>()
  const owned = new Map<4 | 6, dgram.Socket>()
  let closed = false

  const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    if (msg.length < 12) return
    const p = pending.get(msg.readUInt16BE(0))
    // Only the upstream asked, answering the question asked: anything else is stray or spoofed.
    if (!p || rinfo.port !== p.upstream.port || !sameAddress(rinfo.address, p.upstream.host)) return
    if (msg.length < 12 + p.question.length || !msg.subarray(12, 12 + p.question.length).equals(p.question)) return
    p.resolve(msg)
  }
  // A send error on a socket without an 'error' listener would crash the agent.
  const onError = (err: Error) => log(`dns forwarder: socket error: ${err.message}`)
  opts.socket?.on('message', onMessage).on('error', onError)
  const socketFor = (family: 4 | 6): dgram.Socket => {
    if (opts.socket) return opts.socket
    let s = owned.get(family)
    if (!s) {
      s = dgram.createSocket(family === 6 ? 'udp6' : 'udp4')
      s.on('message', onMessage)
      s.on('error', onError)
      s.bind(0)
      owned.set(family, s)
    }
    return s
  }

  /** A free random ID: predictable IDs would let off-path senders forge answers. */
  const freeId = (): number | undefined => {
    for (let i = 0; i < 64; i++) {
      const id = (Math.random() * 0x10000) | 0
      if (!pending.has(id)) return id
    }
    return undefined
  }

  function overUdp(query: Buffer, question: Buffer, to: Upstream): Promise<Buffer> {
    const id = freeId()
    if (id === undefined) return Promise.reject(new Error('no free query ID'))
    const out = Buffer.from(query)
    out.writeUInt16BE(id, 0)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs}ms`)), timeoutMs)
      const finish = (err: Error | undefined, msg?: Buffer) => {
        clearTimeout(timer)
        pending.delete(id)
        if (err) reject(err)
        else resolve(msg!)
      }
      pending.set(id, { resolve: (msg) => finish(undefined, msg), fail: (err) => finish(err), upstream: to, question })
      socketFor(net.isIP(to.host) === 6 ? 6 : 4).send(out, to.port, to.host, (err) => err && finish(err))
    })
  }

  function overTcp(query: Buffer, to: Upstream): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = connect(to)
      let buf = Buffer.alloc(0)
      const timer = setTimeout(() => done(new Error(`TCP timed out after ${timeoutMs}ms`)), timeoutMs)
      const done = (err: Error | undefined, msg?: Buffer) => {
        clearTimeout(timer)
        sock.destroy()
        if (err) reject(err)
        else resolve(msg!)
      }
      sock.on('error', (err) => done(err))
      sock.on('close', () => done(new Error('connection closed before an answer')))
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk])
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(undefined, buf.subarray(2, 2 + buf.readUInt16BE(0)))
      })
      const framed = Buffer.allocUnsafe(query.length + 2)
      framed.writeUInt16BE(query.length, 0)
      query.copy(framed, 2)
      sock.write(framed)
    })
  }

  return {
    async exchange(query) {
      const q = parseQuery(query)
      if (typeof q !== 'object') return errorResponse(query, typeof q === 'number' ? q : RCODE.formErr)
      const question = query.subarray(12, q.questionEnd)
      for (const to of upstreams) {
        if (closed) break
        try {
          let answer = await overUdp(query, question, to)
          // TC: the whole answer only fits over TCP. Where TCP cannot reach the upstream, the
          // truncated answer is still better than the next upstream's silence.
          if (answer[2]! & 0x02) answer = await overTcp(query, to).catch(() => answer)
          const out = Buffer.from(answer)
          query.copy(out, 0, 0, 2) // the asker's ID back
          return out
        } catch {
          // Timed out or unreachable: the next upstream may do better.
        }
      }
      return errorResponse(query, RCODE.servFail, q)
    },
    close() {
      closed = true
      // Askers in flight get SERVFAIL now rather than a timer holding shutdown for seconds.
      for (const p of [...pending.values()]) p.fail(new Error('forwarder closed'))
      opts.socket?.off('message', onMessage).off('error', onError)
      for (const s of owned.values()) s.close()
      owned.clear()
    },
  }
}

/** An IPv4 upstream answering a dual-stack socket shows up as ::ffff:a.b.c.d. */
const sameAddress = (a: string, b: string) => a === b || a === `::ffff:${b}` || canonicalIP(a) === canonicalIP(b)

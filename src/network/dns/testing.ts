/**
 * @module
 * Test helpers for DNS: a UDP/TCP client over 127.0.0.1 built on dns-packet, and a fake
 * upstream resolver on 127.0.0.1 whose answers the test decides. Never the machine's resolver.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import packet from 'dns-packet'

export type Ask = { name: string; type: packet.RecordType; id?: number; udpPayloadSize?: number; dnssecOk?: boolean }

/** Encodes a query with RD set, and an OPT record when `udpPayloadSize` is given. */
export function encodeQuery({ name, type, id = 4242, udpPayloadSize, dnssecOk }: Ask): Buffer {
  const additionals: packet.Answer[] = udpPayloadSize
    ? [{ type: 'OPT', name: '.', udpPayloadSize, extendedRcode: 0, ednsVersion: 0, flags: dnssecOk ? packet.DNSSEC_OK : 0, flag_do: !!dnssecOk, options: [] }]
    : []
  return packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }], additionals })
}

/** Sends `msgs` from one UDP socket; resolves with the replies once `expect` of them arrived. */
export function udpExchange(port: number, msgs: Buffer[], expect = msgs.length, timeoutMs = 5000): Promise<Buffer[]> {
  const sock = dgram.createSocket('udp4')
  const replies: Buffer[] = []
  return new Promise<Buffer[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${replies.length} of ${expect} replies`)), timeoutMs)
    sock.on('message', (m) => {
      replies.push(m)
      if (replies.length === expect) {
        clearTimeout(timer)
        resolve(replies)
      }
    })
    sock.on('error', reject)
    sock.bind(0, '127.0.0.1', () => { for (const m of msgs) sock.send(m, port, '127.0.0.1') })
  }).finally(() => sock.close())
}

/** Sends `msgs` from one UDP socket; resolves with every reply up to the one `last` accepts. */
export function udpUntil(port: number, msgs: Buffer[], last: (reply: Buffer) => boolean, timeoutMs = 5000): Promise<Buffer[]> {
  const sock = dgram.createSocket('udp4')
  const replies: Buffer[] = []
  return new Promise<Buffer[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no final reply among ${replies.length}`)), timeoutMs)
    sock.on('message', (m) => {
      replies.push(m)
      if (last(m)) {
        clearTimeout(timer)
        resolve(replies)
      }
    })
    sock.on('error', reject)
    sock.bind(0, '127.0.0.1', () => { for (const m of msgs) sock.send(m, port, '127.0.0.1') })
  }).finally(() => sock.close())
}

/** One query over UDP, decoded. */
export async function udpQuery(port: number, ask: Ask): Promise<{ raw: Buffer; msg: packet.DecodedPacket }> {
  const [raw] = await udpExchange(port, [encodeQuery(ask)])
  return { raw: raw!, msg: packet.decode(raw!) }
}

/** Sends length-prefixed `msgs` on one TCP connection; resolves with `expect` replies, or those up to one `last` accepts. */
export function tcpExchange(port: number, msgs: Buffer[], expect = msgs.length, timeoutMs = 5000, last?: (reply: Buffer) => boolean): Promise<Buffer[]> {
  const sock = net.connect({ port, host: '127.0.0.1' })
  const replies: Buffer[] = []
  let buf = Buffer.alloc(0)
  return new Promise<Buffer[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${replies.length} of ${expect} TCP replies`)), timeoutMs)
    sock.on('error', reject)
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(buf.subarray(2, 2 + buf.readUInt16BE(0)))
        buf = buf.subarray(2 + buf.readUInt16BE(0))
      }
      if (last ? replies.some(last) : replies.length >= expect) {
        clearTimeout(timer)
        resolve(replies)
      }
    })
    sock.on('connect', () => {
      for (const m of msgs) {
        const framed = Buffer.alloc(m.length + 2)
        framed.writeUInt16BE(m.length, 0)
        m.copy(framed, 2)
        sock.write(framed)
      }
    })
  }).finally(() => sock.destroy())
}

type Reply = packet.Packet | Buffer | undefined

export type FakeUpstream = {
  port: number
  /** Every query received, decoded, with the transport it came over. */
  queries: { msg: packet.DecodedPacket; via: 'udp' | 'tcp'; raw: Buffer }[]
  close(): Promise<void>
}

/**
 * A resolver on 127.0.0.1 (UDP and TCP on one port). `answer` returns (or promises) the
 * response packet, raw bytes, or undefined to stay silent (a dead upstream).
 */
export async function fakeUpstream(
  answer: (q: packet.DecodedPacket, via: 'udp' | 'tcp') => Reply | Promise<Reply>,
): Promise<FakeUpstream> {
  const queries: FakeUpstream['queries'] = []
  const reply = async (raw: Buffer, via: 'udp' | 'tcp'): Promise<Buffer | undefined> => {
    const msg = packet.decode(raw)
    queries.push({ msg, via, raw })
    const a = await answer(msg, via)
    return a === undefined ? undefined : Buffer.isBuffer(a) ? a : packet.encode(a)
  }
  const udp = dgram.createSocket('udp4')
  udp.on('message', async (m, r) => {
    const out = await reply(m, 'udp')
    if (out) udp.send(out, r.port, r.address)
  })
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()))
  const port = udp.address().port
  const conns = new Set<net.Socket>()
  const tcp = net.createServer((c) => {
    conns.add(c)
    c.on('error', () => {})
    c.on('data', async (chunk: Buffer) => {
      const out = await reply(chunk.subarray(2, 2 + chunk.readUInt16BE(0)), 'tcp')
      if (!out) return
      const framed = Buffer.alloc(out.length + 2)
      framed.writeUInt16BE(out.length, 0)
      out.copy(framed, 2)
      c.write(framed)
    })
  })
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject)
    tcp.listen(port, '127.0.0.1', () => resolve())
  })
  return {
    port, queries,
    async close() {
      for (const c of conns) c.destroy()
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))])
    },
  }
}

/** The decoded rcode name ('NXDOMAIN'...); dns-packet's types leave it out. */
export const rcodeOf = (m: packet.DecodedPacket) => (m as unknown as { rcode: string }).rcode

/** A reply to `q` with `answers`, as an upstream would send it. */
export function replyTo(q: packet.DecodedPacket, answers: packet.Answer[], extra: Partial<packet.Packet> = {}): packet.Packet {
  return { id: q.id, type: 'response', flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE, questions: q.questions, answers, ...extra }
}

/**
 * @module
 * DNS wire format by hand, for the hot path: parse a query's header, question and EDNS OPT
 * record straight from the buffer (no decoded packet), and assemble responses from records
 * that dns-packet encoded, with the question's name compressed to a pointer so the answer
 * carries the asker's spelling and case.
 */
import packet from 'dns-packet'

export const RCODE = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4, refused: 5, badVers: 16 } as const
export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, IXFR: 251, AXFR: 252, ANY: 255 } as const
export const CLASS_IN = 1

/** The largest UDP payload we advertise and send (EDNS0); clients may ask for less. */
export const MAX_UDP_SIZE = 4096

/** A parsed query: the question is bytes 12..questionEnd of the buffer it came from. */
export type Query = {
  nameEnd: number
  questionEnd: number
  qtype: number
  qclass: number
  edns: { udpSize: number; dnssecOk: boolean; version: number } | undefined
}

/**
 * Parses a query. Returns the rcode to answer with when it is malformed or unsupported, and
 * undefined when it deserves no answer at all (too short to carry an ID, or itself a response).
 */
export function parseQuery(buf: Buffer): Query | number | undefined {
  if (buf.length < 12) return undefined
  const flags = buf.readUInt16BE(2)
  // A response sent to us is never answered: two servers bouncing errors would loop forever.
  if (flags & 0x8000) return undefined
  if (((flags >> 11) & 0xf) !== 0) return RCODE.notImp
  const arCount = buf.readUInt16BE(10)
  if (buf.readUInt16BE(4) !== 1 || buf.readUInt16BE(6) !== 0 || buf.readUInt16BE(8) !== 0 || arCount > 1) return RCODE.formErr
  let off = 12
  for (;;) {
    if (off >= buf.length) return RCODE.formErr
    const len = buf[off]!
    if (len === 0) break
    // No compression pointers (0xc0) or extended label types in a question: nothing precedes it.
    if (len > 63) return RCODE.formErr
    off += len + 1
    if (off - 12 > 254) return RCODE.formErr // RFC 1035: 255 octets at most, root label included
  }
  const nameEnd = off + 1
  if (nameEnd + 4 > buf.length) return RCODE.formErr
  const qtype = buf.readUInt16BE(nameEnd)
  const qclass = buf.readUInt16BE(nameEnd + 2)
  const questionEnd = nameEnd + 4
  let edns: Query['edns']
  if (arCount === 1) {
    // Only an OPT record may ride along; TSIG and friends are not supported.
    if (questionEnd + 11 > buf.length || buf[questionEnd] !== 0 || buf.readUInt16BE(questionEnd + 1) !== TYPE.OPT) return RCODE.formErr
    if (questionEnd + 11 + buf.readUInt16BE(questionEnd + 9) > buf.length) return RCODE.formErr
    edns = {
      udpSize: buf.readUInt16BE(questionEnd + 3),
      version: buf[questionEnd + 6]!,
      dnssecOk: (buf[questionEnd + 7]! & 0x80) !== 0,
    }
  }
  return { nameEnd, questionEnd, qtype, qclass, edns }
}

/** The largest response the asker accepts over UDP: 512 without EDNS (RFC 1035), else its buffer size. */
export const udpLimit = (q: Query) => (q.edns ? Math.min(Math.max(q.edns.udpSize, 512), MAX_UDP_SIZE) : 512)

/**
 * The question's name as a lower-case dotted string without the final dot, or undefined when a
 * label holds a dot (no cluster name can, and the dotted form would be ambiguous).
 */
export function questionName(buf: Buffer, nameEnd: number): string | undefined {
  let out = ''
  let off = 12
  while (off < nameEnd - 1) {
    const len = buf[off]!
    if (out) out += '.'
    for (let i = off + 1; i <= off + len; i++) {
      const c = buf[i]!
      if (c === 0x2e) return undefined
      out += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c) // DNS folds ASCII case only
    }
    off += len + 1
  }
  return out
}

type Encoder = { encode(a: packet.Answer): Buffer }
// dns-packet exports its record codec; its type declarations leave it out.
const answerCodec = (packet as unknown as { answer: Encoder }).answer

/** One resource record in wire form; owned by `qname`, its name becomes a pointer to the question. */
export function encodeRecord(rr: packet.Answer, qname: string): Buffer {
  if (rr.name !== qname) return answerCodec.encode(rr)
  const enc = answerCodec.encode({ ...rr, name: '.' } as packet.Answer)
  const out = Buffer.allocUnsafe(enc.length + 1)
  out[0] = 0xc0
  out[1] = 0x0c // offset 12: where the question's name starts
  enc.copy(out, 2, 1)
  return out
}

export type ResponseParts = {
  rcode: number
  authoritative: boolean
  answers: Buffer[]
  authorities: Buffer[]
  additionals: Buffer[]
  /** Bytes the response may take: the UDP limit, or 65535 over TCP. */
  maxSize: number
}

/**
 * Header, the query's own question bytes, then as many records as fit. Answers or authorities
 * that do not fit set TC (the asker retries over TCP); additionals that do not fit are left
 * out without it, as RFC 2181 §9 allows.
 */
export function buildResponse(query: Buffer, q: Query, p: ResponseParts): Buffer {
  const qFlags = query.readUInt16BE(2)
  const optLen = q.edns ? 11 : 0
  let size = q.questionEnd + optLen
  let truncated = false
  const take = (rrs: Buffer[], strict: boolean): Buffer[] => {
    const kept: Buffer[] = []
    for (const rr of rrs) {
      if (truncated || size + rr.length > p.maxSize) {
        if (strict) truncated = true
        continue
      }
      size += rr.length
      kept.push(rr)
    }
    return kept
  }
  const an = take(p.answers, true)
  const ns = take(p.authorities, true)
  const ar = truncated ? [] : take(p.additionals, false)
  const out = Buffer.allocUnsafe(size)
  query.copy(out, 0, 0, 2)
  out.writeUInt16BE(0x8000 | (p.authoritative ? 0x400 : 0) | (truncated ? 0x200 : 0) | (qFlags & 0x100) | 0x80 | (qFlags & 0x10) | (p.rcode & 0xf), 2)
  out.writeUInt16BE(1, 4)
  out.writeUInt16BE(an.length, 6)
  out.writeUInt16BE(ns.length, 8)
  out.writeUInt16BE(ar.length + (q.edns ? 1 : 0), 10)
  query.copy(out, 12, 12, q.questionEnd)
  let off = q.questionEnd
  for (const rr of [...an, ...ns, ...ar]) off += rr.copy(out, off)
  if (q.edns) writeOpt(out, off, p.rcode, q.edns.dnssecOk)
  return out
}

/** Our OPT record: root name, our buffer size, the upper rcode bits, version 0, DO echoed (RFC 3225). */
function writeOpt(out: Buffer, off: number, rcode: number, dnssecOk: boolean): void {
  out[off] = 0
  out.writeUInt16BE(TYPE.OPT, off + 1)
  out.writeUInt16BE(MAX_UDP_SIZE, off + 3)
  out[off + 5] = rcode >> 4
  out[off + 6] = 0
  out.writeUInt16BE(dnssecOk ? 0x8000 : 0, off + 7)
  out.writeUInt16BE(0, off + 9)
}

/** An answer carrying only an rcode: with the question when it parsed, header alone when not. */
export function errorResponse(query: Buffer, rcode: number, q?: Query): Buffer {
  if (q) return buildResponse(query, q, { rcode, authoritative: false, answers: [], authorities: [], additionals: [], maxSize: 512 })
  const out = Buffer.alloc(12)
  query.copy(out, 0, 0, 2)
  const qFlags = query.readUInt16BE(2)
  out.writeUInt16BE(0x8000 | (qFlags & 0x7900) | 0x80 | (rcode & 0xf), 2) // opcode and RD echoed
  return out
}

/**
 * A cached response made fit for this query: its ID, its RD and CD bits, and its question's
 * spelling (the same length, since the cache key is the case-folded name).
 */
export function patchCached(cached: Buffer, query: Buffer, nameEnd: number): Buffer {
  const out = Buffer.allocUnsafe(cached.length)
  cached.copy(out)
  out[0] = query[0]!
  out[1] = query[1]!
  out[2] = (out[2]! & ~0x01) | (query[2]! & 0x01)
  out[3] = (out[3]! & ~0x10) | (query[3]! & 0x10)
  query.copy(out, 12, 12, nameEnd)
  return out
}

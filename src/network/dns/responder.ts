/**
 * @module
 * One query in, one response out, for either transport. The fast path parses the question
 * by hand and serves an encoded response from a cache keyed by the case-folded question,
 * the size limit and EDNS, patching only ID, RD/CD and the question's spelling; the cache
 * empties whenever the zone's generation moves. Misses ask the zone and encode with
 * dns-packet; names outside the zone go to the forwarder.
 *
 * Without a forwarder, names outside the zone get SERVFAIL, as CoreDNS answers when no
 * plugin after kubernetes takes the name. It is the answer pods' resolvers handle best:
 * glibc and Go give up at once with a temporary failure (REFUSED would make musl ignore the
 * reply and wait out its timeout), and unlike NXDOMAIN it is not a cacheable lie.
 */
import packet from 'dns-packet'
import type { ClusterZone, ZoneAnswer } from './records.js'
import type { Forwarder } from './forwarder.js'
import {
  buildResponse, CLASS_IN, encodeRecord, errorResponse, parseQuery, patchCached, questionName, RCODE, TYPE, udpLimit, type Query,
} from './wire.js'

export type ResponderOptions = {
  zone: ClusterZone
  forwarder?: Forwarder
  /** Cached responses kept at most; the oldest goes first. */
  maxCacheEntries?: number
  log?: (msg: string) => void
}

export type DnsStats = { queries: number; cacheHits: number; forwarded: number; malformed: number; failures: number }

export type Responder = {
  /** The response to send, a promise of it (forwarded), or undefined to stay silent. */
  respond(query: Buffer, overTcp: boolean): Buffer | Promise<Buffer> | undefined
  readonly stats: DnsStats
}

const CLASS_ANY = 255
const TCP_LIMIT = 65535

/** Builds the query handler shared by the UDP and TCP listeners. */
export function createResponder({ zone, forwarder, maxCacheEntries = 20_000, log = console.error }: ResponderOptions): Responder {
  const cache = new Map<string, Buffer>()
  let cachedGeneration = zone.generation
  const stats: DnsStats = { queries: 0, cacheHits: 0, forwarded: 0, malformed: 0, failures: 0 }

  function respond(query: Buffer, overTcp: boolean): Buffer | Promise<Buffer> | undefined {
    stats.queries++
    const q = parseQuery(query)
    if (q === undefined) return undefined
    if (typeof q === 'number') {
      stats.malformed++
      return errorResponse(query, q)
    }
    const maxSize = overTcp ? TCP_LIMIT : udpLimit(q)
    const key = `${query.toString('latin1', 12, q.nameEnd).toLowerCase()}\0${q.qtype}\0${q.qclass}\0${maxSize}\0${q.edns ? (q.edns.dnssecOk ? 2 : 1) : 0}`
    if (zone.generation !== cachedGeneration) {
      cache.clear()
      cachedGeneration = zone.generation
    }
    const hit = cache.get(key)
    if (hit) {
      stats.cacheHits++
      return patchCached(hit, query, q.nameEnd)
    }
    try {
      return miss(query, q, key, maxSize)
    } catch (err) {
      // A bug answering one name must not take the server down; the asker sees SERVFAIL.
      stats.failures++
      log(`dns: answering failed: ${(err as Error).stack ?? err}`)
      return errorResponse(query, RCODE.servFail, q)
    }
  }

  function miss(query: Buffer, q: Query, key: string, maxSize: number): Buffer | Promise<Buffer> {
    if (q.edns && q.edns.version !== 0) return errorResponse(query, RCODE.badVers, q)
    if (q.qclass !== CLASS_IN && q.qclass !== CLASS_ANY) return errorResponse(query, RCODE.refused, q)
    if (q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR || q.qtype === TYPE.OPT) return errorResponse(query, RCODE.refused, q)
    const name = questionName(query, q.nameEnd)
    const ans = name === undefined ? undefined : zone.lookup(name, q.qtype)
    if (!ans) return forward(query, q, maxSize)
    if (ans.chase && forwarder && (q.qtype === TYPE.A || q.qtype === TYPE.AAAA)) return chase(query, q, name!, ans, maxSize)
    const out = encode(query, q, name!, ans, maxSize, [])
    if (cache.size >= maxCacheEntries) cache.delete(cache.keys().next().value!)
    cache.set(key, out)
    return out
  }

  async function forward(query: Buffer, q: Query, maxSize: number): Promise<Buffer> {
    if (!forwarder) return errorResponse(query, RCODE.servFail, q)
    stats.forwarded++
    const resp = await forwarder.exchange(query)
    if (resp.length <= maxSize) return resp
    // The upstream's answer came over TCP and outgrows the asker's UDP limit: send it to TCP too.
    const tc = errorResponse(query, resp[3]! & 0xf, q)
    tc[2] = tc[2]! | 0x02
    return tc
  }

  /** An ExternalName leaving the zone: the alias, then the upstream's records for its target. */
  async function chase(query: Buffer, q: Query, name: string, ans: ZoneAnswer, maxSize: number): Promise<Buffer> {
    stats.forwarded++
    const type = q.qtype === TYPE.A ? 'A' : 'AAAA'
    const ask = packet.encode({ type: 'query', id: 0, flags: packet.RECURSION_DESIRED, questions: [{ type, name: ans.chase!, class: 'IN' }] })
    let extra: Buffer[] = []
    try {
      const reply = packet.decode(await forwarder!.exchange(ask))
      extra = (reply.answers ?? []).map((rr) => encodeRecord(rr, name))
    } catch {
      // Upstream garbage: the alias alone still tells the asker where to look.
    }
    return encode(query, q, name, ans, maxSize, extra)
  }

  return { respond, stats }
}

function encode(query: Buffer, q: Query, name: string, ans: ZoneAnswer, maxSize: number, extraAnswers: Buffer[]): Buffer {
  const enc = (rrs: packet.Answer[]) => rrs.map((rr) => encodeRecord(rr, name))
  return buildResponse(query, q, {
    rcode: ans.rcode, authoritative: true, maxSize,
    answers: [...enc(ans.answers), ...extraAnswers], authorities: enc(ans.authorities), additionals: enc(ans.additionals),
  })
}

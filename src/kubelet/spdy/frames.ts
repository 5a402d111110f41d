/**
 * @module
 * SPDY/3.1 framing: frames to bytes and back. Header blocks travel in one zlib stream per
 * direction, seeded with the SPDY/3 dictionary and flushed (Z_SYNC_FLUSH) after every block,
 * so a codec belongs to one connection and frames must pass through it in order.
 *
 * Outgoing blocks are written as stored (uncompressed) deflate blocks: valid zlib that any
 * inflater reads, small enough for headers, and producible synchronously — Node has no
 * synchronous API for a zlib stream that outlives one call. Incoming blocks are inflated with
 * a real zlib stream, so decode() is asynchronous and its calls must not overlap.
 */
import { constants, createInflate, deflateSync } from 'node:zlib'
import { SPDY3_DICTIONARY } from './dictionary.js'

export const SPDY_VERSION = 3

export const FrameType = {
  SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9,
} as const

/** RST_STREAM status codes (draft 3 §2.6.3). */
export const RstStatus = {
  PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, UNSUPPORTED_VERSION: 4, CANCEL: 5, INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7, STREAM_IN_USE: 8, STREAM_ALREADY_CLOSED: 9,
} as const

export const SETTINGS_INITIAL_WINDOW_SIZE = 7

/** Header names are lowercase; several values of one name are joined with NUL. */
export type SpdyHeaders = Record<string, string>

export type SpdyFrame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedTo: number; priority: number; fin: boolean; unidirectional: boolean; headers: SpdyHeaders }
  | { type: 'syn_reply'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; clear: boolean; entries: Array<{ flags: number; id: number; value: number }> }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number }

export class SpdyProtocolError extends Error {}

/** The zlib header naming the SPDY dictionary (CMF, FLG with FDICT, DICTID): starts our stream. */
const ZLIB_HEADER = deflateSync(Buffer.alloc(0), { dictionary: SPDY3_DICTIONARY }).subarray(0, 6)

const MAX_LENGTH = 0xffffff

/** Encodes and decodes the frames of one connection (one compression context per direction). */
export class SpdyCodec {
  private deflateStarted = false
  private readonly inflate = createInflate({ dictionary: SPDY3_DICTIONARY })
  private inflated: Buffer[] = []
  private inflateError: Error | undefined
  private pending: Buffer = Buffer.alloc(0)

  constructor() {
    this.inflate.on('data', (d: Buffer) => this.inflated.push(d))
    this.inflate.on('error', (err: Error) => (this.inflateError = err))
  }

  encode(frame: SpdyFrame): Buffer {
    switch (frame.type) {
      case 'data': {
        if (frame.data.length > MAX_LENGTH) throw new RangeError('SPDY data frame too large')
        const head = Buffer.alloc(8)
        head.writeUInt32BE(frame.streamId & 0x7fffffff, 0)
        head.writeUInt32BE(((frame.fin ? 1 : 0) << 24) | frame.data.length, 4)
        return Buffer.concat([head, frame.data])
      }
      case 'syn_stream': {
        const p = Buffer.alloc(10)
        p.writeUInt32BE(frame.streamId & 0x7fffffff, 0)
        p.writeUInt32BE(frame.associatedTo & 0x7fffffff, 4)
        p.writeUInt8((frame.priority & 7) << 5, 8)
        const flags = (frame.fin ? 1 : 0) | (frame.unidirectional ? 2 : 0)
        return control(FrameType.SYN_STREAM, flags, Buffer.concat([p, this.headerBlock(frame.headers)]))
      }
      case 'syn_reply':
        return control(FrameType.SYN_REPLY, frame.fin ? 1 : 0, Buffer.concat([u32(frame.streamId & 0x7fffffff), this.headerBlock(frame.headers)]))
      case 'headers':
        return control(FrameType.HEADERS, frame.fin ? 1 : 0, Buffer.concat([u32(frame.streamId & 0x7fffffff), this.headerBlock(frame.headers)]))
      case 'rst_stream':
        return control(FrameType.RST_STREAM, 0, Buffer.concat([u32(frame.streamId & 0x7fffffff), u32(frame.status)]))
      case 'settings': {
        const p = Buffer.alloc(4 + 8 * frame.entries.length)
        p.writeUInt32BE(frame.entries.length, 0)
        frame.entries.forEach((e, i) => {
          p.writeUInt32BE(((e.flags & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, 4 + 8 * i)
          p.writeUInt32BE(e.value >>> 0, 8 + 8 * i)
        })
        return control(FrameType.SETTINGS, frame.clear ? 1 : 0, p)
      }
      case 'ping':
        return control(FrameType.PING, 0, u32(frame.id >>> 0))
      case 'goaway':
        return control(FrameType.GOAWAY, 0, Buffer.concat([u32(frame.lastGoodStreamId & 0x7fffffff), u32(frame.status)]))
      case 'window_update':
        return control(FrameType.WINDOW_UPDATE, 0, Buffer.concat([u32(frame.streamId & 0x7fffffff), u32(frame.delta & 0x7fffffff)]))
      case 'unknown':
        throw new TypeError('cannot encode an unknown frame')
    }
  }

  /** Feeds received bytes; resolves to every frame now complete. Rejects with SpdyProtocolError. */
  async decode(chunk: Buffer): Promise<SpdyFrame[]> {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk
    const frames: SpdyFrame[] = []
    while (this.pending.length >= 8) {
      const length = this.pending.readUInt32BE(4) & 0xffffff
      if (this.pending.length < 8 + length) break
      const frame = this.pending.subarray(0, 8 + length)
      this.pending = this.pending.subarray(8 + length)
      frames.push(await this.parse(frame))
    }
    return frames
  }

  private async parse(buf: Buffer): Promise<SpdyFrame> {
    const first = buf.readUInt32BE(0)
    const flags = buf.readUInt8(4)
    const p = buf.subarray(8)
    if (!(first & 0x80000000)) return { type: 'data', streamId: first & 0x7fffffff, fin: (flags & 1) !== 0, data: Buffer.from(p) }
    const version = (first >>> 16) & 0x7fff
    if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`)
    const type = first & 0xffff
    const need = (n: number) => {
      if (p.length < n) throw new SpdyProtocolError(`SPDY frame type ${type} too short`)
    }
    switch (type) {
      case FrameType.SYN_STREAM:
        need(10)
        return {
          type: 'syn_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, associatedTo: p.readUInt32BE(4) & 0x7fffffff,
          priority: p.readUInt8(8) >> 5, fin: (flags & 1) !== 0, unidirectional: (flags & 2) !== 0, headers: await this.readHeaders(p.subarray(10)),
        }
      case FrameType.SYN_REPLY:
        need(4)
        return { type: 'syn_reply', streamId: p.readUInt32BE(0) & 0x7fffffff, fin: (flags & 1) !== 0, headers: await this.readHeaders(p.subarray(4)) }
      case FrameType.HEADERS:
        need(4)
        return { type: 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, fin: (flags & 1) !== 0, headers: await this.readHeaders(p.subarray(4)) }
      case FrameType.RST_STREAM:
        need(8)
        return { type: 'rst_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) }
      case FrameType.SETTINGS: {
        need(4)
        const n = p.readUInt32BE(0)
        need(4 + 8 * n)
        const entries = []
        for (let i = 0; i < n; i++) {
          const w = p.readUInt32BE(4 + 8 * i)
          entries.push({ flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + 8 * i) })
        }
        return { type: 'settings', clear: (flags & 1) !== 0, entries }
      }
      case FrameType.PING:
        need(4)
        return { type: 'ping', id: p.readUInt32BE(0) }
      case FrameType.GOAWAY:
        need(4)
        return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.length >= 8 ? p.readUInt32BE(4) : 0 }
      case FrameType.WINDOW_UPDATE:
        need(8)
        return { type: 'window_update', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff }
      default:
        return { type: 'unknown', frameType: type }
    }
  }

  private headerBlock(headers: SpdyHeaders): Buffer {
    const entries = Object.entries(headers)
    const parts: Buffer[] = [u32(entries.length)]
    for (const [name, value] of entries) {
      const n = Buffer.from(name.toLowerCase(), 'utf8')
      const v = Buffer.from(value, 'utf8')
      parts.push(u32(n.length), n, u32(v.length), v)
    }
    const raw = Buffer.concat(parts)
    const out: Buffer[] = []
    if (!this.deflateStarted) out.push(ZLIB_HEADER)
    this.deflateStarted = true
    // Stored blocks (BFINAL 0, BTYPE 00) of at most 65535 bytes; each starts byte-aligned.
    for (let off = 0; off < raw.length; off += 0xffff) {
      const piece = raw.subarray(off, off + 0xffff)
      const head = Buffer.alloc(5)
      head.writeUInt16LE(piece.length, 1)
      head.writeUInt16LE(~piece.length & 0xffff, 3)
      out.push(head, piece)
    }
    // The empty stored block a sync flush ends with.
    out.push(Buffer.from([0, 0, 0, 0xff, 0xff]))
    return Buffer.concat(out)
  }

  private async readHeaders(compressed: Buffer): Promise<SpdyHeaders> {
    if (compressed.length === 0) return {}
    this.inflated = []
    await new Promise<void>((resolve) => {
      if (this.inflateError) return resolve()
      this.inflate.once('error', () => resolve())
      this.inflate.write(compressed)
      this.inflate.flush(constants.Z_SYNC_FLUSH, () => resolve())
    })
    if (this.inflateError) throw new SpdyProtocolError(`bad SPDY header block: ${this.inflateError.message}`)
    const raw = Buffer.concat(this.inflated)
    const headers: SpdyHeaders = {}
    let off = 0
    const take = () => {
      if (off + 4 > raw.length) throw new SpdyProtocolError('truncated SPDY header block')
      const len = raw.readUInt32BE(off)
      if (off + 4 + len > raw.length) throw new SpdyProtocolError('truncated SPDY header block')
      const s = raw.toString('utf8', off + 4, off + 4 + len)
      off += 4 + len
      return s
    }
    if (raw.length < 4) throw new SpdyProtocolError('truncated SPDY header block')
    const count = raw.readUInt32BE(0)
    off = 4
    for (let i = 0; i < count; i++) {
      const name = take().toLowerCase()
      const value = take()
      headers[name] = headers[name] === undefined ? value : `${headers[name]}\0${value}`
    }
    return headers
  }

  close() {
    this.inflate.close()
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_LENGTH) throw new RangeError('SPDY control frame too large')
  const head = Buffer.alloc(8)
  head.writeUInt32BE((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0, 0)
  head.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4)
  return Buffer.concat([head, payload])
}

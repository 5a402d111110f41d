/**
 * @module
 * A SPDY/3.1 connection over any byte stream: streams are Node Duplexes, the peer's new
 * streams arrive as 'stream' events, pings are answered, and each stream gets the 64 KiB
 * flow-control window of the spec.
 *
 * Flow control is kept as the spec says on the receiving side (WINDOW_UPDATE as the reader
 * consumes). On the sending side it is enforced only once the peer has shown it takes part
 * by sending a WINDOW_UPDATE: Go's spdystream, which kubectl and client-go use, never sends
 * one, and a strict sender would stall it after 64 KiB.
 */
import { EventEmitter } from 'node:events'
import { Duplex } from 'node:stream'
import { RstStatus, SETTINGS_INITIAL_WINDOW_SIZE, SpdyCodec, type SpdyFrame, type SpdyHeaders } from './frames.js'

export const DEFAULT_WINDOW = 64 * 1024
const MAX_DATA_FRAME = 16 * 1024

export type SpdySessionOptions = {
  /** Server sessions number their own streams even and answer the peer's odd ones. */
  server: boolean
}

export class SpdySession extends EventEmitter {
  readonly streams = new Map<number, SpdyStream>()
  private readonly codec = new SpdyCodec()
  private nextId: number
  private nextPing: number
  private readonly pings = new Map<number, () => void>()
  /** The send window new streams start with (the peer's SETTINGS may change it). */
  initialSendWindow = DEFAULT_WINDOW
  /** True once the peer sent a WINDOW_UPDATE: only then is our send window enforced. */
  peerFlowControl = false
  private closed = false
  goneAway = false

  constructor(readonly transport: Duplex, readonly opts: SpdySessionOptions) {
    super()
    this.nextId = opts.server ? 2 : 1
    this.nextPing = opts.server ? 2 : 1
    // Decoding may wait on zlib: chunks are decoded one after the other, in order.
    let rx = Promise.resolve()
    transport.on('data', (chunk: Buffer) => {
      rx = rx.then(async () => {
        if (this.closed) return
        let frames: SpdyFrame[]
        try {
          frames = await this.codec.decode(chunk)
        } catch (err) {
          this.emit('protocolError', err)
          this.send({ type: 'goaway', lastGoodStreamId: 0, status: 1 })
          this.destroy()
          return
        }
        for (const f of frames) this.onFrame(f)
      })
    })
    // A socket handed over from an HTTP upgrade may have been paused.
    transport.resume()
    transport.on('error', () => this.destroy())
    // Frames still being decoded are handled first.
    transport.on('close', () => void rx.then(() => this.destroy()))
    transport.on('end', () => void rx.then(() => this.destroy()))
  }

  /** Opens a stream to the peer (SYN_STREAM); its 'reply' event carries the SYN_REPLY headers. */
  openStream(headers: SpdyHeaders, opts: { fin?: boolean } = {}): SpdyStream {
    const id = this.nextId
    this.nextId += 2
    const stream = new SpdyStream(this, id, headers)
    this.streams.set(id, stream)
    this.send({ type: 'syn_stream', streamId: id, associatedTo: 0, priority: 0, fin: !!opts.fin, unidirectional: false, headers })
    if (opts.fin) stream.localFin = true
    return stream
  }

  /** Round trip of a PING. */
  ping(): Promise<void> {
    const id = this.nextPing
    this.nextPing += 2
    return new Promise((resolve) => {
      this.pings.set(id, resolve)
      this.send({ type: 'ping', id })
    })
  }

  /** GOAWAY, then the transport ends once the peer is done. */
  goAway() {
    if (this.closed || this.goneAway) return
    this.goneAway = true
    const last = [...this.streams.keys()].filter((id) => (id % 2 === 0) !== this.opts.server).reduce((a, b) => Math.max(a, b), 0)
    this.send({ type: 'goaway', lastGoodStreamId: last, status: 0 })
  }

  /** Ends the connection: every stream is destroyed. */
  destroy() {
    if (this.closed) return
    this.closed = true
    for (const s of this.streams.values()) s.destroy()
    this.streams.clear()
    for (const resolve of this.pings.values()) resolve()
    this.pings.clear()
    this.codec.close()
    this.transport.destroy()
    this.emit('close')
  }

  get isClosed() {
    return this.closed
  }

  /** @internal */
  send(frame: SpdyFrame) {
    if (this.closed || this.transport.destroyed || this.transport.writableEnded) return
    this.transport.write(this.codec.encode(frame))
  }

  private onFrame(f: SpdyFrame) {
    switch (f.type) {
      case 'syn_stream': {
        if (this.goneAway || this.streams.has(f.streamId) || (f.streamId % 2 === 0) !== !this.opts.server) {
          this.send({ type: 'rst_stream', streamId: f.streamId, status: this.streams.has(f.streamId) ? RstStatus.STREAM_IN_USE : RstStatus.REFUSED_STREAM })
          return
        }
        const stream = new SpdyStream(this, f.streamId, f.headers)
        this.streams.set(f.streamId, stream)
        if (f.fin) stream.remoteEnded()
        this.emit('stream', stream)
        return
      }
      case 'syn_reply': {
        const s = this.streams.get(f.streamId)
        if (!s) return
        s.replyHeaders = f.headers
        s.emit('reply', f.headers)
        if (f.fin) s.remoteEnded()
        return
      }
      case 'headers': {
        const s = this.streams.get(f.streamId)
        if (!s) return
        s.emit('headers', f.headers)
        if (f.fin) s.remoteEnded()
        return
      }
      case 'data': {
        const s = this.streams.get(f.streamId)
        if (!s) {
          this.send({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.INVALID_STREAM })
          return
        }
        s.received(f.data, f.fin)
        return
      }
      case 'rst_stream':
        this.streams.get(f.streamId)?.peerReset(f.status)
        return
      case 'window_update': {
        this.peerFlowControl = true
        this.streams.get(f.streamId)?.windowUpdate(f.delta)
        return
      }
      case 'settings':
        for (const e of f.entries) {
          if (e.id !== SETTINGS_INITIAL_WINDOW_SIZE) continue
          const delta = e.value - this.initialSendWindow
          this.initialSendWindow = e.value
          for (const s of this.streams.values()) s.windowUpdate(delta)
        }
        return
      case 'ping': {
        const ours = (f.id % 2 === 0) === this.opts.server
        if (!ours) this.send(f)
        else {
          this.pings.get(f.id)?.()
          this.pings.delete(f.id)
        }
        return
      }
      case 'goaway':
        this.goneAway = true
        this.emit('goaway', f)
        return
      case 'unknown':
        return
    }
  }

  /** @internal */
  forget(id: number) {
    this.streams.delete(id)
  }
}

/** One SPDY stream: what is written goes out as DATA frames, DATA received is read. */
export class SpdyStream extends Duplex {
  /** SYN_REPLY headers, on streams we opened. */
  replyHeaders: SpdyHeaders | undefined
  localFin = false
  private remoteFin = false
  private replied = false
  private reset = false
  private sendWindow: number
  private credit = 0
  private waiting: { chunk: Buffer; cb: (err?: Error | null) => void } | undefined

  constructor(private readonly session: SpdySession, readonly id: number, readonly headers: SpdyHeaders) {
    super({ allowHalfOpen: true })
    this.sendWindow = session.initialSendWindow
  }

  /** Accepts a stream the peer opened (SYN_REPLY). */
  reply(headers: SpdyHeaders = {}) {
    if (this.replied) return
    this.replied = true
    this.session.send({ type: 'syn_reply', streamId: this.id, fin: false, headers })
  }

  /** RST_STREAM: ends the stream at once in both directions. */
  resetStream(status: number = RstStatus.CANCEL) {
    if (!this.reset && !(this.localFin && this.remoteFin)) this.session.send({ type: 'rst_stream', streamId: this.id, status })
    this.reset = true
    this.destroy()
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void) {
    if (this.reset) return cb(new Error('SPDY stream was reset'))
    this.pump(chunk, cb)
  }

  private pump(chunk: Buffer, cb: (err?: Error | null) => void) {
    let off = 0
    while (off < chunk.length) {
      let n = Math.min(chunk.length - off, MAX_DATA_FRAME)
      if (this.session.peerFlowControl) n = Math.min(n, this.sendWindow)
      if (n <= 0) {
        this.waiting = { chunk: chunk.subarray(off), cb }
        return
      }
      this.session.send({ type: 'data', streamId: this.id, fin: false, data: chunk.subarray(off, off + n) })
      this.sendWindow -= n
      off += n
    }
    cb()
  }

  override _final(cb: (err?: Error | null) => void) {
    if (!this.reset && !this.localFin) this.session.send({ type: 'data', streamId: this.id, fin: true, data: Buffer.alloc(0) })
    this.localFin = true
    this.maybeDone()
    cb()
  }

  override _read() {
    if (this.credit > 0 && !this.remoteFin) {
      this.session.send({ type: 'window_update', streamId: this.id, delta: this.credit })
      this.credit = 0
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void) {
    if (!this.reset && !(this.localFin && this.remoteFin) && !this.session.isClosed) {
      this.session.send({ type: 'rst_stream', streamId: this.id, status: RstStatus.CANCEL })
      this.reset = true
    }
    this.session.forget(this.id)
    const w = this.waiting
    this.waiting = undefined
    w?.cb(new Error('SPDY stream closed'))
    cb(err)
  }

  /** @internal */
  received(data: Buffer, fin: boolean) {
    if (this.remoteFin) return
    if (data.length) {
      this.credit += data.length
      // Give the window back as soon as the reader keeps up; _read does it otherwise.
      if (this.push(data) && this.credit >= DEFAULT_WINDOW / 2) this._read()
    }
    if (fin) this.remoteEnded()
  }

  /** @internal */
  remoteEnded() {
    if (this.remoteFin) return
    this.remoteFin = true
    this.push(null)
    this.maybeDone()
  }

  /** @internal */
  peerReset(status: number) {
    this.reset = true
    this.emit('reset', status)
    this.destroy()
  }

  /** @internal */
  windowUpdate(delta: number) {
    this.sendWindow += delta
    const w = this.waiting
    if (w && this.sendWindow > 0) {
      this.waiting = undefined
      this.pump(w.chunk, w.cb)
    }
  }

  private maybeDone() {
    if (this.localFin && this.remoteFin) this.session.forget(this.id)
  }
}

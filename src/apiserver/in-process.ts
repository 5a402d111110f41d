/**
 * @module
 * The in-process transport (map rule 1): controllers, the scheduler and sim nodes in the
 * server's own process send requests through the same handler as HTTPS clients, as bytes, so
 * they get copies and the same Status errors, without a socket or TLS in between.
 */
import { EventEmitter } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { Transport, TransportRequest } from '../client/types.js'
import type { UserInfo } from './options.js'

/** Set on in-process requests only: a socket's request can never carry a symbol. */
export const IN_PROCESS_USER = Symbol('kubelite.inProcessUser')

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<unknown> | unknown

/** A transport that calls `handler` directly, as `user`. */
export function inProcessTransport(handler: Handler, user: UserInfo): Transport {
  return {
    async request(r) {
      const { res, done } = fakeExchange(handler, r, user)
      await done
      return { status: res.statusCode, headers: res.headersOut, body: Buffer.concat(res.chunks) }
    },
    async stream(r) {
      const { res, headersSent } = fakeExchange(handler, r, user)
      await headersSent
      return { status: res.statusCode, headers: res.headersOut, chunks: res.iterate(r.signal) }
    },
  }
}

function fakeExchange(handler: Handler, r: TransportRequest, user: UserInfo) {
  const body = r.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body)
  const req = Readable.from(body.length ? [body] : []) as unknown as IncomingMessage & { [IN_PROCESS_USER]: UserInfo }
  const headers: Record<string, string> = { 'content-length': String(body.length) }
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v
  Object.assign(req, { method: r.method, url: r.path, headers, socket: {}, [IN_PROCESS_USER]: user })
  const res = new FakeResponse()
  const onAbort = () => res.close()
  r.signal?.addEventListener('abort', onAbort, { once: true })
  const done = Promise.resolve()
    .then(() => handler(req, res as unknown as ServerResponse))
    .finally(() => r.signal?.removeEventListener('abort', onAbort))
  const headersSent = Promise.race([res.headersPromise, done.then(() => undefined)])
  return { res, done, headersSent }
}

/** Just enough of ServerResponse for the handlers: head, body chunks, close. */
class FakeResponse extends EventEmitter {
  statusCode = 200
  headersOut: Record<string, string> = {}
  chunks: Buffer[] = []
  headersSent = false
  writableEnded = false
  writableLength = 0
  private closed = false
  private wake: (() => void) | undefined
  private resolveHeaders!: () => void
  readonly headersPromise = new Promise<void>((resolve) => (this.resolveHeaders = resolve))

  setHeader(name: string, value: string | number | string[]) {
    this.headersOut[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  getHeader(name: string) {
    return this.headersOut[name.toLowerCase()]
  }
  writeHead(code: number, headers?: Record<string, string | number | string[]>) {
    this.statusCode = code
    for (const [k, v] of Object.entries(headers ?? {})) this.setHeader(k, v)
    this.headersSent = true
    this.resolveHeaders()
    return this
  }
  flushHeaders() {
    this.headersSent = true
    this.resolveHeaders()
  }
  write(chunk: string | Buffer) {
    if (this.closed) return false
    if (!this.headersSent) this.writeHead(this.statusCode)
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    this.chunks.push(b)
    this.writableLength += b.length
    this.wake?.()
    return true
  }
  end(chunk?: string | Buffer) {
    if (chunk !== undefined) this.write(chunk)
    if (!this.headersSent) this.writeHead(this.statusCode)
    this.writableEnded = true
    this.wake?.()
    this.close()
    return this
  }
  destroy() {
    this.close()
  }
  close() {
    if (this.closed) return
    this.closed = true
    this.wake?.()
    this.emit('close')
  }
  /** Yields chunks as written until the response ends or `signal` aborts. */
  async *iterate(signal?: AbortSignal): AsyncIterable<Buffer> {
    for (;;) {
      while (this.chunks.length) {
        const c = this.chunks.shift()!
        this.writableLength -= c.length
        yield c
      }
      if (this.closed || signal?.aborted) return
      await new Promise<void>((resolve) => (this.wake = resolve))
      this.wake = undefined
    }
  }
}

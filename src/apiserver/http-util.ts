/**
 * @module
 * Small HTTP helpers: bounded body reading, JSON and Status replies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { internalError, isStatusError, requestEntityTooLarge, type StatusError } from '../api/index.js'

/** Upstream's limit for a request body: 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024

const bodies = new WeakMap<IncomingMessage, Buffer>()

/** The request body, read once (later calls get the same bytes), at most `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const cached = bodies.get(req)
  if (cached) return cached
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) {
    req.resume() // drain, so the connection can answer
    throw requestEntityTooLarge(`Request entity too large: limit is ${limit}`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) {
      req.resume()
      throw requestEntityTooLarge(`Request entity too large: limit is ${limit}`)
    }
    chunks.push(chunk)
  }
  const body = Buffer.concat(chunks, size)
  bodies.set(req, body)
  return body
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) {
  const data = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...headers })
  res.end(data)
}

export function toStatusError(err: unknown): StatusError {
  return isStatusError(err) ? err : internalError(err)
}

export function sendError(res: ServerResponse, err: unknown, warnings: string[] = []) {
  const e = toStatusError(err)
  if (res.headersSent) {
    res.destroy()
    return
  }
  const headers: Record<string, string> = {}
  if (warnings.length) headers['Warning'] = formatWarnings(warnings)
  if (e.status.code === 429 && e.status.details?.retryAfterSeconds) headers['Retry-After'] = String(e.status.details.retryAfterSeconds)
  sendJson(res, e.status.code, e.status, headers)
}

/** RFC 7234 warning headers as upstream writes them: `299 - "text"`. */
export function formatWarnings(warnings: string[]): string {
  return [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w)}`).join(', ')
}

/**
 * @module
 * The grpc probe: one grpc.health.v1.Health/Check call over HTTP/2 cleartext (node:http2),
 * the request and response protobufs encoded by hand (one field each). SERVING is healthy.
 */
import * as http2 from 'node:http2'
import { KUBE_VERSION, dialError, failure, goDuration, joinHostPort, success, type ProbeOutcome } from './outcome.js'

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN']
const CODES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists',
  'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented',
  'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated']
const UNIMPLEMENTED = 12
const DEADLINE_EXCEEDED = 4

/** A gRPC length-prefixed message holding HealthCheckRequest{service}. */
export function encodeHealthCheckRequest(service: string): Buffer {
  const name = Buffer.from(service)
  const body = name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a]), varint(name.length), name])
  const prefix = Buffer.alloc(5)
  prefix.writeUInt32BE(body.length, 1) // byte 0: not compressed
  return Buffer.concat([prefix, body])
}

/** The status field of a HealthCheckResponse (0 when absent, as proto3 defaults). */
export function decodeHealthCheckResponse(message: Buffer): number {
  let status = 0
  let i = 0
  const read = () => {
    let n = 0
    for (let shift = 0; i < message.length; shift += 7) {
      const b = message[i++]!
      n += (b & 0x7f) * 2 ** shift
      if (b < 0x80) return n
    }
    throw new Error('truncated varint')
  }
  while (i < message.length) {
    const tag = read()
    const wire = tag & 7
    if (wire === 0) {
      const v = read()
      if (tag >>> 3 === 1) status = v
    } else if (wire === 2) {
      const length = read() // read first: `i += read()` would add to the stale i
      i += length
    } else if (wire === 1) i += 8
    else if (wire === 5) i += 4
    else throw new Error(`unsupported wire type ${wire}`)
  }
  return status
}

function varint(n: number): Buffer {
  const bytes: number[] = []
  while (n >= 0x80) {
    bytes.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  bytes.push(n)
  return Buffer.from(bytes)
}

const codeName = (code: number) => CODES[code] ?? `Code(${code})`
const rpcError = (code: number, desc: string) => `rpc error: code = ${codeName(code)} desc = ${desc}`

// gRPC over HTTP/2: statuses a non-gRPC HTTP answer maps to (grpc's http-grpc-status-mapping).
function codeForHttpStatus(status: number): number {
  if (status === 400) return 13
  if (status === 401) return 16
  if (status === 403) return 7
  if (status === 404) return UNIMPLEMENTED
  if ([429, 502, 503, 504].includes(status)) return 14
  return 2
}

// Upstream: pkg/probe/grpc/grpc.go (Probe): every problem is a failure, never "errored".
// Deliberate difference: a refused connection fails at once with the "failed to connect"
// message, where grpc-go's blocking dial retries until the deadline and reports a timeout.
/** One grpc health probe attempt against host:port. */
export function probeGrpc(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port)
  return new Promise((resolve) => {
    let settled = false
    let connected = false
    const session = http2.connect(`http://${addr}`)
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      session.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => finish(failure(connected
      ? `timeout: health rpc did not complete within ${goDuration(timeoutMs)}`
      : `timeout: failed to connect service ${JSON.stringify(addr)} within ${goDuration(timeoutMs)}: context deadline exceeded`)),
    timeoutMs)
    session.on('error', (err) => finish(failure(connected
      ? `error: health rpc probe failed: ${rpcError(14, err.message)}`
      : `error: failed to connect service at ${JSON.stringify(addr)}: ${dialError(addr, err)}`)))
    session.once('connect', () => { connected = true })
    session.once('close', () => finish(failure(`error: failed to connect service at ${JSON.stringify(addr)}: connection closed`)))
    const stream = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': `kube-probe/${KUBE_VERSION}`,
      'grpc-timeout': `${Math.max(1, timeoutMs)}m`,
    })
    let httpStatus = 0
    let grpcStatus: number | undefined
    let grpcMessage = ''
    const chunks: Buffer[] = []
    const takeStatus = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) grpcStatus = Number(h['grpc-status'])
      const m = h['grpc-message']
      if (typeof m === 'string') grpcMessage = safeDecode(m)
    }
    stream.on('response', (h) => {
      httpStatus = Number(h[':status'])
      takeStatus(h) // a "trailers-only" answer carries its status here
    })
    stream.on('trailers', takeStatus)
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('error', (err) => {
      if (!connected) return // the session's error says it better
      finish(failure(`error: health rpc probe failed: ${rpcError(14, err.message)}`))
    })
    stream.on('close', () => {
      if (settled || !connected) return // a failed dial: the session's error tells why
      if (grpcStatus === undefined) {
        const code = httpStatus && httpStatus !== 200 ? codeForHttpStatus(httpStatus) : 13
        const desc = httpStatus && httpStatus !== 200
          ? `unexpected HTTP status code received from server: ${httpStatus}`
          : 'server closed the stream without sending trailers'
        finish(failure(`error: health rpc probe failed: ${rpcError(code, desc)}`))
        return
      }
      if (grpcStatus === UNIMPLEMENTED) {
        finish(failure(`error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${grpcMessage}`))
        return
      }
      if (grpcStatus === DEADLINE_EXCEEDED) {
        finish(failure(`timeout: health rpc did not complete within ${goDuration(timeoutMs)}`))
        return
      }
      if (grpcStatus !== 0) {
        finish(failure(`error: health rpc probe failed: ${rpcError(grpcStatus, grpcMessage)}`))
        return
      }
      let status: number
      try {
        const data = Buffer.concat(chunks)
        if (data.length < 5 || data[0] !== 0) throw new Error('bad message frame')
        status = decodeHealthCheckResponse(data.subarray(5, 5 + data.readUInt32BE(1)))
      } catch (err) {
        finish(failure(`error: health rpc probe failed: ${rpcError(13, `grpc: failed to unmarshal the received message: ${(err as Error).message}`)}`))
        return
      }
      if (status !== 1) {
        finish(failure(`service unhealthy (responded with ${JSON.stringify(SERVING_STATUS[status] ?? String(status))})`))
        return
      }
      finish(success('service healthy'))
    })
    stream.end(encodeHealthCheckRequest(service))
  })
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

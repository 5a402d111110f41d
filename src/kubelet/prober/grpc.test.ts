import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { decodeHealthCheckResponse, encodeHealthCheckRequest } from './grpc.js'
import { probeOnce } from './probe.js'
import { freePort, hostTarget } from './testing.js'

// A grpc.health.v1 server written against the wire format: the probe's own encoder is not
// trusted to check itself, so requests are decoded by hand here.
function healthServer(statuses: Record<string, number>) {
  const seen: { userAgent?: string; services: string[] } = { services: [] }
  const server = http2.createServer()
  server.on('stream', (stream, headers) => {
    seen.userAgent = headers['user-agent'] as string
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('end', () => {
      if (headers[':path'] !== '/grpc.health.v1.Health/Check') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown service' }, { endStream: true })
        return
      }
      const body = Buffer.concat(chunks).subarray(5)
      const service = body.length ? body.subarray(2, 2 + body[1]!).toString() : ''
      seen.services.push(service)
      if (service === 'slow') return // never answers
      const status = statuses[service]
      if (status === undefined) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'unknown%20service' }, { endStream: true })
        return
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
      const msg = status === 0 ? Buffer.alloc(0) : Buffer.from([0x08, status])
      const frame = Buffer.alloc(5)
      frame.writeUInt32BE(msg.length, 1)
      stream.end(Buffer.concat([frame, msg]))
    })
  })
  return { server, seen }
}

describe('grpc probe', () => {
  const { server, seen } = healthServer({ '': 1, down: 2, unknown: 0 })
  let port = 0
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  after(() => server.close())
  const target = hostTarget({ name: 'grpc' })
  const probe = (service?: string, timeoutMs?: number) =>
    probeOnce({ grpc: { port, ...(service === undefined ? {} : { service }) } }, target, timeoutMs)

  it('is healthy when SERVING', async () => {
    assert.deepEqual(await probe(), { result: 'success', output: 'service healthy' })
    assert.equal(seen.userAgent, 'kube-probe/1.32')
  })
  it('sends the service name and reports NOT_SERVING and UNKNOWN', async () => {
    assert.deepEqual(await probe('down'), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' })
    assert.deepEqual(await probe('unknown'), { result: 'failure', output: 'service unhealthy (responded with "UNKNOWN")' })
    assert.ok(seen.services.includes('down'))
  })
  it('reports an error status as grpc-go prints it', async () => {
    assert.deepEqual(await probe('nope'), {
      result: 'failure', output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service',
    })
  })
  it('times out a call that never completes', async () => {
    assert.deepEqual(await probe('slow', 150), { result: 'failure', output: 'timeout: health rpc did not complete within 150ms' })
  })
  it('fails when nothing listens', async () => {
    const p = await freePort()
    const o = await probeOnce({ grpc: { port: p } }, target)
    assert.equal(o.result, 'failure')
    assert.equal(o.output, `error: failed to connect service at "127.0.0.1:${p}": dial tcp 127.0.0.1:${p}: connect: connection refused`)
  })
  it('says so when the server lacks the health service', async () => {
    const bare = http2.createServer((_req, res) => {
      res.stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown service grpc.health.v1.Health' }, { endStream: true })
    })
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r))
    try {
      const o = await probeOnce({ grpc: { port: (bare.address() as AddressInfo).port } }, target)
      assert.deepEqual(o, { result: 'failure', output: 'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unknown service grpc.health.v1.Health' })
    } finally {
      bare.close()
    }
  })
  it('encodes and decodes the two messages', () => {
    assert.deepEqual([...encodeHealthCheckRequest('ab')], [0, 0, 0, 0, 4, 0x0a, 2, 0x61, 0x62])
    assert.deepEqual([...encodeHealthCheckRequest('')], [0, 0, 0, 0, 0])
    assert.equal(decodeHealthCheckResponse(Buffer.from([0x12, 1, 0x41, 0x08, 3])), 3) // skips unknown fields
    assert.equal(decodeHealthCheckResponse(Buffer.alloc(0)), 0)
  })
})

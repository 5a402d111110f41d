// The upstream client against a raw TCP backend that frames responses by hand: chunked,
// close-delimited, HEAD, 1xx, split headers, large and streamed bodies, connection reuse.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { createHash } from 'node:crypto'
import { ingress, path, rule, service, slice, startHarness, type Harness } from './testing.js'

const BIG = Buffer.alloc(5 * 1024 * 1024, 'abcdefghij')

/** Answers by path; counts connections so tests can see reuse. */
function rawBackend(): Promise<{ server: Server; port: number; connections: () => number; uploads: string[] }> {
  let connections = 0
  const uploads: string[] = []
  const server = createServer((s: Socket) => {
    connections++
    let buf = Buffer.alloc(0)
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      const end = buf.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = buf.toString('latin1', 0, end)
      const [method, url] = head.split(' ')
      const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0)
      if (url === '/upload') {
        // Echo a digest of a (possibly chunked) body once it is complete.
        const rest = buf.subarray(end + 4)
        const chunked = /transfer-encoding: chunked/i.test(head)
        if (chunked ? !rest.includes('0\r\n\r\n') : rest.length < len) return
        const body = chunked ? dechunk(rest) : rest.subarray(0, len)
        uploads.push(`${body.length}`)
        const digest = createHash('sha256').update(body).digest('hex')
        s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${digest.length}\r\n\r\n${digest}`)
        buf = Buffer.alloc(0)
        return
      }
      buf = buf.subarray(end + 4 + len)
      switch (url) {
        case '/chunked':
          s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5\r\nhel')
          setImmediate(() => s.write('lo\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n'))
          break
        case '/close':
          s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end')
          break
        case '/head':
          s.write('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n')
          break
        case '/continue':
          s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok')
          break
        case '/split':
          s.write('HTTP/1.1 200 OK\r\nX-Sp')
          setImmediate(() => s.write('lit: yes\r\nContent-Length: 3\r\n\r\nabc'))
          break
        case '/big':
          s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n`)
          s.write(BIG)
          break
        default:
          s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${method!.length}\r\n\r\n${method}`)
      }
    })
  })
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as AddressInfo).port, connections: () => connections, uploads })))
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = []
  let i = 0
  for (;;) {
    const eol = b.indexOf('\r\n', i)
    const size = Number.parseInt(b.toString('latin1', i, eol), 16)
    if (!size) return Buffer.concat(out)
    out.push(b.subarray(eol + 2, eol + 2 + size))
    i = eol + 2 + size + 2
  }
}

describe('upstream client', () => {
  let backend: Awaited<ReturnType<typeof rawBackend>>
  let h: Harness
  before(async () => {
    backend = await rawBackend()
    h = await startHarness([
      service('raw'), ...slice('raw', [backend.port]),
      ingress('raw', { rules: [rule('raw.example.com', path('/', 'raw'))] }, { 'nginx.ingress.kubernetes.io/proxy-body-size': '0' }),
    ])
  })
  after(async () => {
    await h?.close()
    await new Promise((r) => backend?.server.close(r))
  })
  const get = (p: string, o: Parameters<Harness['request']>[1] = {}) => h.request(p, { host: 'raw.example.com', ...o })

  it('decodes chunked bodies (extensions and trailers too) and reuses the connection', async () => {
    const before = backend.connections()
    for (let i = 0; i < 3; i++) {
      const r = await get('/chunked')
      assert.equal(r.status, 200)
      assert.equal(r.body, 'hello world')
      assert.equal(r.headers['x-a'], '1')
    }
    assert.ok(backend.connections() - before <= 1)
  })

  it('reads a close-delimited body to the end, and does not reuse that connection', async () => {
    assert.equal((await get('/close')).body, 'until the end')
    assert.equal((await get('/close')).body, 'until the end')
    assert.equal((await get('/other')).body, 'GET')
  })

  it('expects no body after HEAD, skips 1xx, and joins a header split across packets', async () => {
    const head = await get('/head', { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.headers['content-length'], '1234')
    const cont = await get('/continue')
    assert.equal(cont.status, 201)
    assert.equal(cont.body, 'ok')
    const split = await get('/split')
    assert.equal(split.headers['x-split'], 'yes')
    assert.equal(split.body, 'abc')
  })

  it('carries large bodies both ways intact (buffered up to 8 MiB, streamed beyond)', async () => {
    const r = await get('/big')
    assert.equal(r.body.length, BIG.length)
    assert.equal(createHash('sha256').update(r.body).digest('hex'), createHash('sha256').update(BIG).digest('hex'))
    const payload = Buffer.alloc(9 * 1024 * 1024, 'z')
    const want = createHash('sha256').update(payload).digest('hex')
    assert.equal((await get('/upload', { method: 'POST', body: payload })).body, want)
    assert.equal((await get('/upload', { method: 'POST', body: payload, headers: { 'Transfer-Encoding': 'chunked' } })).body, want)
  })
})

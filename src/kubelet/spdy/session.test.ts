import assert from 'node:assert/strict'
import { Duplex, PassThrough } from 'node:stream'
import { test } from 'node:test'
import { SpdySession, type SpdyStream } from './session.js'

/** Two ends of an in-memory byte pipe. */
function pipePair(): [Duplex, Duplex] {
  const ab = new PassThrough()
  const ba = new PassThrough()
  return [Duplex.from({ readable: ba, writable: ab }), Duplex.from({ readable: ab, writable: ba })]
}

// Not `for await`: finishing the iterator destroys the whole Duplex, write side included.
const readAll = (s: SpdyStream) => new Promise<Buffer>((resolve, reject) => {
  const parts: Buffer[] = []
  s.on('data', (c: Buffer) => parts.push(c))
  s.once('end', () => resolve(Buffer.concat(parts)))
  s.once('error', reject)
})

test('client and server sessions open, reply, exchange data and half-close', async () => {
  const [a, b] = pipePair()
  const client = new SpdySession(a, { server: false })
  const server = new SpdySession(b, { server: true })
  server.on('stream', (s: SpdyStream) => {
    s.reply()
    assert.equal(s.headers.streamtype, 'data')
    // Echo in upper case, then half-close.
    readAll(s).then((buf) => s.end(buf.toString().toUpperCase()))
  })
  const s = client.openStream({ streamtype: 'data' })
  const replied = new Promise((r) => s.once('reply', r))
  s.end('hello spdy')
  await replied
  assert.equal((await readAll(s)).toString(), 'HELLO SPDY')
  await client.ping()
  client.destroy()
  server.destroy()
})

test('flow control: a peer that sends WINDOW_UPDATE gets a window enforced and refilled', async () => {
  const [a, b] = pipePair()
  const client = new SpdySession(a, { server: false })
  const server = new SpdySession(b, { server: true })
  const big = Buffer.alloc(300 * 1024, 7)
  server.on('stream', (s: SpdyStream) => {
    s.reply()
    s.end(big)
  })
  // The first stream is read at once: the client gives credit back, so the server learns
  // that this peer does flow control.
  const first = client.openStream({ n: '1' })
  first.end()
  assert.equal((await readAll(first)).length, big.length)
  await client.ping()
  assert.equal(server.peerFlowControl, true)
  // The second is not read for a while: no more than one window may arrive meanwhile.
  const second = client.openStream({ n: '2' })
  second.end()
  second.pause()
  await new Promise((r) => setTimeout(r, 50))
  assert.ok(second.readableLength <= 64 * 1024, `buffered ${second.readableLength}`)
  const got = readAll(second)
  second.resume()
  assert.equal((await got).length, big.length)
  client.destroy()
  server.destroy()
})

test('a stream reset by the peer is destroyed; a GOAWAY refuses new streams', async () => {
  const [a, b] = pipePair()
  const client = new SpdySession(a, { server: false })
  const server = new SpdySession(b, { server: true })
  const serverStream = new Promise<SpdyStream>((r) => server.once('stream', r))
  const s = client.openStream({ x: '1' })
  const ss = await serverStream
  const reset = new Promise((r) => s.once('reset', r))
  ss.resetStream()
  assert.equal(await reset, 5)
  server.goAway()
  await new Promise((r) => client.once('goaway', r))
  const refused = client.openStream({ x: '2' })
  assert.equal(await new Promise((r) => refused.once('reset', r)), 3)
  client.destroy()
  server.destroy()
})

import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import dgram from 'node:dgram'
import { once } from 'node:events'
import net from 'node:net'
import { after, afterEach, describe, it } from 'node:test'
import type { Backend } from './service-table.js'
import { proxyUdp, spliceTcp, type SpliceTcpOptions } from './splice.js'

const LO = '127.0.0.1'
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function listen(handler: (s: net.Socket) => void): Promise<net.Server & { backend: Backend }> {
  const srv = net.createServer({ allowHalfOpen: true }, handler)
  srv.listen(0, LO)
  await once(srv, 'listening')
  cleanups.push(() => new Promise((r) => srv.close(r)))
  return Object.assign(srv, { backend: { ip: LO, port: (srv.address() as net.AddressInfo).port } })
}

/** A port nothing listens on: bound once, then closed. */
async function deadPort(): Promise<Backend> {
  const srv = net.createServer().listen(0, LO)
  await once(srv, 'listening')
  const port = (srv.address() as net.AddressInfo).port
  await new Promise((r) => srv.close(r))
  return { ip: LO, port }
}

/** A front server splicing each connection with `opts`; its port. */
async function front(opts: SpliceTcpOptions): Promise<number> {
  const srv = await listen((s) => spliceTcp(s, opts))
  return srv.backend.port
}

/** Picks the first of `backends` not excluded, recording every call. */
function inOrder(backends: Backend[]) {
  const calls: string[][] = []
  return {
    calls,
    pick(exclude: Set<string>) {
      calls.push([...exclude])
      return backends.find((b) => !exclude.has(`${b.ip}:${b.port}`))
    },
  }
}

/** Connects, writes `data`, half-closes, and collects the answer (or the error code). */
function exchange(port: number, data: Buffer | string = ''): Promise<{ reply: Buffer; error?: string; connected: boolean }> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: LO, allowHalfOpen: true })
    const chunks: Buffer[] = []
    let error: string | undefined
    let connected = false
    c.on('connect', () => { connected = true; c.end(data) })
    c.on('data', (b: Buffer) => chunks.push(b))
    c.on('end', () => c.end())
    c.on('error', (e: NodeJS.ErrnoException) => { error = e.code })
    c.on('close', () => resolve({ reply: Buffer.concat(chunks), ...(error ? { error } : {}), connected }))
  })
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
/** Open TCP connections in this process (listeners not counted). */
const tcpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length

describe('spliceTcp', () => {
  it('carries bytes both ways under backpressure, and half-close in order', async () => {
    // The backend answers only after the client's FIN: the reply travels on a half-closed connection.
    const backend = await listen((s) => {
      const hash = createHash('sha256')
      let n = 0
      s.on('data', (b: Buffer) => { hash.update(b); n += b.length })
      s.on('end', () => {
        s.write(`${n} ${hash.digest('hex')}\n`)
        s.end(randomBytesFor(n)) // a large answer, to fill the client's socket buffers
      })
    })
    const port = await front({ pick: () => backend.backend })
    const sent = randomBytes(8 << 20)
    const { reply, error } = await exchange(port, sent)
    assert.equal(error, undefined)
    const nl = reply.indexOf('\n')
    assert.equal(reply.subarray(0, nl).toString(), `${sent.length} ${sha(sent)}`)
    assert.equal(sha(reply.subarray(nl + 1)), sha(randomBytesFor(sent.length)))
  })

  it('retries the next endpoint when the first refuses, and reports the failure', async () => {
    const backend = await listen((s) => s.end('second'))
    const dead = await deadPort()
    const order = inOrder([dead, backend.backend])
    const errors: string[] = []
    const port = await front({ pick: order.pick, onError: (e, b) => errors.push(`${(e as NodeJS.ErrnoException).code} ${b?.port}`) })
    const { reply } = await exchange(port)
    assert.equal(reply.toString(), 'second')
    assert.deepEqual(order.calls, [[], [`${LO}:${dead.port}`]])
    assert.deepEqual(errors, [`ECONNREFUSED ${dead.port}`])
  })

  it('retries after a connect timeout', async () => {
    const backend = await listen((s) => s.end('after-timeout'))
    const stuck = { ip: '192.0.2.1', port: 1 } // never dialled: the custom connect below hangs instead
    const order = inOrder([stuck, backend.backend])
    const port = await front({
      pick: order.pick,
      connectTimeoutMs: 50,
      connect: (b) => (b === stuck ? new net.Socket() : net.connect(b.port, b.ip)),
    })
    assert.equal((await exchange(port)).reply.toString(), 'after-timeout')
  })

  it('resets the client when no endpoint is left or none exists', async () => {
    const dead = [await deadPort(), await deadPort(), await deadPort(), await deadPort()]
    const order = inOrder(dead)
    const allDead = await exchange(await front({ pick: order.pick }), 'hello')
    assert.equal(allDead.error, 'ECONNRESET')
    assert.equal(allDead.reply.length, 0)
    assert.equal(order.calls.length, 3, 'three attempts, then the reset')
    const none = await exchange(await front({ pick: () => undefined }), 'hello')
    assert.deepEqual([none.error, none.reply.length], ['ECONNRESET', 0])
  })

  it('passes a backend reset on to the client', async () => {
    const backend = await listen((s) => s.once('data', () => s.resetAndDestroy()))
    const { error } = await exchange(await front({ pick: () => backend.backend }), 'x')
    assert.equal(error, 'ECONNRESET')
  })

  it('leaves no sockets behind', async () => {
    const backend = await listen((s) => { s.resume(); s.on('end', () => s.end('ok')) })
    const dead = await deadPort()
    const port = await front({ pick: inOrder([dead, backend.backend]).pick })
    const noEndpoints = await front({ pick: () => undefined })
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => exchange(i % 4 ? port : noEndpoints, 'data')))
    assert.equal(results.filter((r) => r.reply.toString() === 'ok').length, 15)
    // Every connection here (and in the tests before) is over; the far sides close asynchronously.
    for (let i = 0; i < 200 && tcpSockets() > 0; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(tcpSockets(), 0)
  })
})

/** Deterministic pseudo-random bytes of length `n`. */
function randomBytesFor(n: number): Buffer {
  const out = Buffer.alloc(n)
  let x = n | 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

describe('proxyUdp', () => {
  const sockets: dgram.Socket[] = []
  after(() => { for (const s of sockets) try { s.close() } catch { /* already closed */ } })

  async function udp(onMessage?: (s: dgram.Socket, msg: Buffer, r: dgram.RemoteInfo) => void) {
    const s = dgram.createSocket('udp4')
    sockets.push(s)
    if (onMessage) s.on('message', (m, r) => onMessage(s, m, r))
    s.bind(0, LO)
    await once(s, 'listening')
    return { s, backend: { ip: LO, port: s.address().port } }
  }

  const ask = async (client: dgram.Socket, port: number, msg: string) => {
    const answer = once(client, 'message')
    client.send(msg, port, LO)
    const [m, r] = (await answer) as [Buffer, dgram.RemoteInfo]
    return { text: m.toString(), from: r.port }
  }

  it('proxies each client flow to a picked endpoint and answers from the frontend', async () => {
    const a = await udp((s, m, r) => s.send(`a:${m}`, r.port, r.address))
    const b = await udp((s, m, r) => s.send(`b:${m}`, r.port, r.address))
    const f = await udp()
    const picks: string[] = []
    const all = [a.backend, b.backend]
    const proxy = proxyUdp(f.s, { pick: (ip) => { picks.push(ip); return all[picks.length % 2] } })
    cleanups.push(() => proxy.close())
    const c1 = (await udp()).s
    const c2 = (await udp()).s
    assert.deepEqual(await ask(c1, f.backend.port, 'one'), { text: 'b:one', from: f.backend.port })
    assert.deepEqual(await ask(c2, f.backend.port, 'two'), { text: 'a:two', from: f.backend.port })
    // The same client address stays on its endpoint: one pick per flow.
    assert.deepEqual(await ask(c1, f.backend.port, 'three'), { text: 'b:three', from: f.backend.port })
    assert.deepEqual(picks, [LO, LO])
    assert.equal(proxy.sessions, 2)
    proxy.prune((be) => be.port !== b.backend.port)
    assert.equal(proxy.sessions, 1)
    assert.equal((await ask(c1, f.backend.port, 'four')).text, 'b:four', 'a pruned flow picks again')
  })

  it('forgets idle flows and drops datagrams without an endpoint', async () => {
    const echo = await udp((s, m, r) => s.send(m, r.port, r.address))
    const f = await udp()
    const asked: string[] = []
    // 127.0.0.2 stands for a client of a Service without endpoints.
    const proxy = proxyUdp(f.s, { pick: (ip) => { asked.push(ip); return ip === LO ? echo.backend : undefined }, idleTimeoutMs: 30 })
    cleanups.push(() => proxy.close())
    const c = (await udp()).s
    assert.equal((await ask(c, f.backend.port, 'hi')).text, 'hi')
    assert.equal(proxy.sessions, 1)
    for (let i = 0; i < 200 && proxy.sessions > 0; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(proxy.sessions, 0)
    const other = dgram.createSocket('udp4')
    sockets.push(other)
    other.bind(0, '127.0.0.2')
    await once(other, 'listening')
    other.send('lost', f.backend.port, LO)
    other.on('message', () => assert.fail('a datagram without an endpoint got an answer'))
    // Sent after the lost one on the same loopback: by its answer, the lost one was handled.
    assert.equal((await ask(c, f.backend.port, 'again')).text, 'again')
    assert.deepEqual(asked, [LO, '127.0.0.2', LO])
    assert.equal(proxy.sessions, 1)
  })
})

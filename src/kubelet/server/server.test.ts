import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { request, type IncomingMessage } from 'node:http'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Duplex } from 'node:stream'
import { WebSocket } from 'ws'
import { SpdySession, type SpdyStream } from '../spdy/index.js'
import { startKubeletServer, type KubeletServer } from './server.js'
import { hostPods, type HostPods } from './testing.js'

const dir = mkdtempSync(join(tmpdir(), 'kl-kubelet-'))
const socketPath = join(dir, 'kubelet.sock')
let pods: HostPods
let server: KubeletServer
let echo: Server
let echoPort = 0

before(async () => {
  pods = hostPods(dir)
  pods.addPod({ metadata: { name: 'p1', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'c1' }, { name: 'c2' }] } })
  await pods.start('default', 'p1', 'c1', 'echo first; sleep 300')
  server = await startKubeletServer({ socketPath, pods, nodeName: 'n1' })
  // The "pod" port: an echo server in upper case.
  echo = createServer((s) => s.on('data', (d) => s.write(d.toString().toUpperCase())))
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()))
  echoPort = (echo.address() as { port: number }).port
})

after(async () => {
  await server?.close()
  await pods?.close()
  echo?.close()
  rmSync(dir, { recursive: true, force: true })
})

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject).end()
  })
}

test('containerLogs: the log, previous and waiting errors as upstream', async () => {
  await waitFor(async () => (await get('/containerLogs/default/p1/c1')).body === 'first\n')
  const prev = await get('/containerLogs/default/p1/c1?previous=true')
  assert.deepEqual(prev, { status: 400, body: 'previous terminated container "c1" in pod "p1" not found\n' })
  const waiting = await get('/containerLogs/default/p1/c2')
  assert.deepEqual(waiting, { status: 400, body: 'container "c2" in pod "p1" is waiting to start: ContainerCreating\n' })
  assert.equal((await get('/containerLogs/default/nope/c1')).status, 404)
})

type WsResult = { out: string; err: string; status: { status: string; details?: { causes: Array<{ reason: string; message: string }> } } | undefined }

function wsExec(query: string, opts: { stdin?: string; resize?: boolean; protocol?: string } = {}): Promise<WsResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws+unix://${socketPath}:/exec/default/p1/c1?${query}`, [opts.protocol ?? 'v5.channel.k8s.io'])
    const r: WsResult = { out: '', err: '', status: undefined }
    ws.on('open', () => {
      if (opts.resize) ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":80,"Height":24}\n')]))
      if (opts.stdin !== undefined) {
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(opts.stdin)]))
        ws.send(Buffer.from([255, 0]))
      }
    })
    ws.on('message', (d: Buffer) => {
      if (d[0] === 1) r.out += d.subarray(1).toString()
      else if (d[0] === 2) r.err += d.subarray(1).toString()
      else if (d[0] === 3) r.status = JSON.parse(d.subarray(1).toString())
    })
    ws.on('close', () => resolve(r))
    ws.on('error', reject)
  })
}

const cmd = (...argv: string[]) => argv.map((a) => `command=${encodeURIComponent(a)}`).join('&')

test('WebSocket exec: output, exit code 3 as NonZeroExitCode', async () => {
  const r = await wsExec(`${cmd('sh', '-c', 'echo hi; echo oops >&2; exit 3')}&stdout=true&stderr=true`)
  assert.equal(r.out, 'hi\n')
  assert.equal(r.err, 'oops\n')
  assert.equal(r.status?.status, 'Failure')
  assert.deepEqual(r.status?.details?.causes, [{ reason: 'ExitCode', message: '3' }])
  const ok = await wsExec(`${cmd('true')}&stdout=true`, { protocol: 'v4.channel.k8s.io' })
  assert.deepEqual(ok.status, { metadata: {}, status: 'Success' })
})

test('WebSocket exec: stdin until the v5 close frame; tty resize reaches the session', async () => {
  const r = await wsExec(`${cmd('sh', '-c', 'tr a-z A-Z')}&stdin=true&stdout=true&stderr=true`, { stdin: 'hello\n' })
  assert.equal(r.out, 'HELLO\n')
  assert.equal(r.status?.status, 'Success')
  pods.resizes.length = 0
  const t = await wsExec(`${cmd('sh', '-c', 'sleep 0.2; echo tty >&2')}&stdout=true&tty=true`, { resize: true })
  assert.equal(t.out, 'tty\n')
  assert.deepEqual(pods.resizes, [[80, 24]])
})

/** A SPDY client as client-go's: POST with Upgrade, then a session on the raw socket. */
async function spdyConnect(path: string, protocol: string): Promise<SpdySession> {
  const sock = connect(socketPath)
  await new Promise((r) => sock.once('connect', r))
  sock.write(`POST ${path} HTTP/1.1\r\nHost: kubelet\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`)
  const head = await readHead(sock)
  assert.match(head.text, /^HTTP\/1.1 101/)
  assert.match(head.text, new RegExp(`X-Stream-Protocol-Version: ${protocol.split(',')[0]!.replace(/\./g, '\\.')}`))
  if (head.rest.length) sock.unshift(head.rest)
  return new SpdySession(sock, { server: false })
}

function readHead(sock: Socket): Promise<{ text: string; rest: Buffer }> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0)
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      const i = buf.indexOf('\r\n\r\n')
      if (i < 0) return
      sock.off('data', onData)
      sock.pause()
      resolve({ text: buf.subarray(0, i).toString(), rest: buf.subarray(i + 4) })
    }
    sock.on('data', onData)
  })
}

const collect = (s: SpdyStream) => new Promise<string>((resolve) => {
  let t = ''
  s.on('data', (d: Buffer) => (t += d))
  s.once('end', () => resolve(t))
  s.once('close', () => resolve(t))
})

test('SPDY exec (v4): typed streams, stdin, Status on the error stream', async () => {
  const session = await spdyConnect(`/exec/default/p1/c1?${cmd('sh', '-c', 'cat; echo e >&2; exit 3')}&stdin=1&stdout=1&stderr=1`, 'v4.channel.k8s.io')
  const error = session.openStream({ streamtype: 'error' })
  const stdin = session.openStream({ streamtype: 'stdin' })
  const stdout = session.openStream({ streamtype: 'stdout' })
  const stderr = session.openStream({ streamtype: 'stderr' })
  error.end()
  stdout.end()
  stderr.end()
  const [out, err, status] = [collect(stdout), collect(stderr), collect(error)]
  stdin.end('from stdin\n')
  assert.equal(await out, 'from stdin\n')
  assert.equal(await err, 'e\n')
  const st = JSON.parse(await status)
  assert.equal(st.reason, 'NonZeroExitCode')
  assert.deepEqual(st.details.causes, [{ reason: 'ExitCode', message: '3' }])
  session.destroy()
})

async function forwardOnce(session: SpdySession, port: number, id: string, payload: string) {
  const error = session.openStream({ streamtype: 'error', port: String(port), requestid: id })
  const data = session.openStream({ streamtype: 'data', port: String(port), requestid: id })
  error.end()
  const [out, err] = [collect(data), collect(error)]
  data.write(payload)
  // Half-close after the echo came back: the server then closes its side.
  await new Promise((r) => data.once('data', r))
  data.end()
  return { out: await out, err: await err }
}

test('port-forward over SPDY: data piped to the pod port; dial errors on the error stream', async () => {
  const session = await spdyConnect('/portForward/default/p1', 'portforward.k8s.io')
  assert.deepEqual(await forwardOnce(session, echoPort, '0', 'ping'), { out: 'PING', err: '' })
  assert.deepEqual(await forwardOnce(session, echoPort, '1', 'again'), { out: 'AGAIN', err: '' })
  // A port nothing listens on.
  const closed = createServer()
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()))
  const deadPort = (closed.address() as { port: number }).port
  await new Promise((r) => closed.close(r))
  const error = session.openStream({ streamtype: 'error', port: String(deadPort), requestid: '2' })
  const data = session.openStream({ streamtype: 'data', port: String(deadPort), requestid: '2' })
  error.end()
  data.end()
  assert.match(await collect(error), new RegExp(`^error forwarding port ${deadPort} to pod sandbox-p1, uid u1: failed to connect to localhost:${deadPort}`))
  session.destroy()
})

/**
 * A bare WebSocket client: `ws` refuses client-go's subprotocol "SPDY/3.1+portforward.k8s.io"
 * (not an RFC 6455 token), so the handshake and framing (masked binary frames) are done here.
 */
async function wsTunnel(path: string, protocol: string): Promise<{ stream: Duplex; protocol: string }> {
  const { socket, head, res } = await new Promise<{ socket: Socket; head: Buffer; res: IncomingMessage }>((resolve, reject) => {
    request({
      socketPath, path, headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': protocol,
      },
    }).on('upgrade', (res, socket, head) => resolve({ socket, head, res })).on('error', reject).end()
  })
  let buf = head
  const stream = new Duplex({
    write(chunk: Buffer, _e, cb) {
      const mask = randomBytes(4)
      const len = chunk.length
      const hdr = len < 126 ? Buffer.from([0x82, 0x80 | len]) : len < 65536 ? Buffer.from([0x82, 0x80 | 126, len >> 8, len & 255]) : (() => {
        const h = Buffer.alloc(10)
        h[0] = 0x82
        h[1] = 0x80 | 127
        h.writeBigUInt64BE(BigInt(len), 2)
        return h
      })()
      const body = Buffer.from(chunk.map((b, i) => b ^ mask[i % 4]!))
      socket.write(Buffer.concat([hdr, mask, body]), cb)
    },
    final(cb) {
      socket.end()
      cb()
    },
    read() {},
  })
  const parse = () => {
    for (;;) {
      if (buf.length < 2) return
      const op = buf[0]! & 0x0f
      let len = buf[1]! & 0x7f
      let off = 2
      if (len === 126) {
        if (buf.length < 4) return
        len = buf.readUInt16BE(2)
        off = 4
      } else if (len === 127) {
        if (buf.length < 10) return
        len = Number(buf.readBigUInt64BE(2))
        off = 10
      }
      if (buf.length < off + len) return
      const payload = buf.subarray(off, off + len)
      buf = buf.subarray(off + len)
      if (op === 2) stream.push(Buffer.from(payload))
      if (op === 8) stream.push(null)
    }
  }
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d])
    parse()
  })
  socket.on('close', () => stream.destroy())
  parse()
  return { stream, protocol: String(res.headers['sec-websocket-protocol']) }
}

test('port-forward over SPDY tunnelled in WebSocket binary messages', async () => {
  const { stream, protocol } = await wsTunnel('/portforward/default/p1', 'SPDY/3.1+portforward.k8s.io')
  assert.equal(protocol, 'SPDY/3.1+portforward.k8s.io')
  const session = new SpdySession(stream, { server: false })
  assert.deepEqual(await forwardOnce(session, echoPort, '0', 'tunnel'), { out: 'TUNNEL', err: '' })
  session.destroy()
})

test('stats/summary: node and container usage in the Summary API shape', async () => {
  const r = await get('/stats/summary')
  assert.equal(r.status, 200)
  const s = JSON.parse(r.body)
  assert.equal(s.node.nodeName, 'n1')
  assert.ok(s.node.memory.workingSetBytes > 0)
  assert.equal(typeof s.node.cpu.usageNanoCores, 'number')
  const p = s.pods.find((x: { podRef: { name: string } }) => x.podRef.name === 'p1')
  assert.deepEqual(p.podRef, { name: 'p1', namespace: 'default', uid: 'u1' })
  assert.equal(p.containers[0].name, 'c1')
  assert.ok(p.containers[0].memory.workingSetBytes > 0)
})

test('WebSocket attach: the container\'s output until it ends, then Success', async () => {
  await pods.start('default', 'p1', 'c2', 'sleep 0.3; echo attached; sleep 0.2')
  const r = await new Promise<WsResult>((resolve, reject) => {
    const ws = new WebSocket(`ws+unix://${socketPath}:/attach/default/p1/c2?stdout=1`, ['v5.channel.k8s.io'])
    const res: WsResult = { out: '', err: '', status: undefined }
    ws.on('message', (d: Buffer) => {
      if (d[0] === 1) res.out += d.subarray(1).toString()
      else if (d[0] === 3) res.status = JSON.parse(d.subarray(1).toString())
    })
    ws.on('close', () => resolve(res))
    ws.on('error', reject)
  })
  assert.equal(r.out, 'attached\n')
  assert.equal(r.status?.status, 'Success')
})

test('upgrades the kubelet does not serve are refused with a reason', async () => {
  await assert.rejects(wsExec(`${cmd('true')}&stdout=true`, { protocol: 'channel.k8s.io' }), /Unexpected server response: 400/)
  const r = await get('/exec/default/p1/c1?command=true')
  assert.equal(r.status, 400)
})

async function waitFor(check: () => Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { runLifecycleHandler } from './lifecycle.js'
import { freePort, hostTarget, listen } from './testing.js'

describe('lifecycle handlers', () => {
  let server: Server
  let port = 0
  const paths: string[] = []
  const agents: string[] = []
  before(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '')
      agents.push(req.headers['user-agent'] ?? '')
      res.writeHead(req.url === '/bad' ? 500 : 200).end()
    })
    port = await listen(server)
  })
  after(() => server.close())
  const target = hostTarget({ name: 'app', ports: [{ name: 'web', containerPort: 1 }] })
  const where = 'for Container "app" in Pod "web_default(uid-1)"'

  it('runs an exec hook', async () => {
    assert.deepEqual(await runLifecycleHandler({ exec: { command: ['true'] } }, target), { ok: true, message: '' })
  })
  it('words a failed exec hook as upstream', async () => {
    const r = await runLifecycleHandler({ exec: { command: ['sh', '-c', 'echo oops; exit 2'] } }, target)
    assert.deepEqual(r, {
      ok: false,
      message: `Exec lifecycle hook ([sh -c echo oops; exit 2]) ${where} failed - error: command 'sh -c echo oops; exit 2' exited with 2: oops\n, message: "oops\\n"`,
    })
  })
  it('bounds an exec hook by timeoutMs', async () => {
    const r = await runLifecycleHandler({ exec: { command: ['sleep', '5'] } }, target, 100)
    assert.equal(r.ok, false)
    assert.match(r.message, /error: command "sleep 5" timed out/)
  })
  it('runs an httpGet hook; any status code passes, as upstream', async () => {
    assert.deepEqual(await runLifecycleHandler({ httpGet: { path: '/hook', port } }, target), { ok: true, message: '' })
    assert.deepEqual(await runLifecycleHandler({ httpGet: { path: '/bad', port } }, target), { ok: true, message: '' })
    assert.ok(paths.includes('/hook'))
    assert.equal(agents.at(-1), 'kube-lifecycle/1.32')
  })
  it('fails an httpGet hook that cannot connect', async () => {
    const p = await freePort()
    const r = await runLifecycleHandler({ httpGet: { path: '/stop', port: p } }, target)
    assert.deepEqual(r, {
      ok: false,
      message: `HTTP lifecycle hook (/stop) ${where} failed - error: Get "http://127.0.0.1:${p}/stop": dial tcp 127.0.0.1:${p}: connect: connection refused`,
    })
  })
  it('retries an HTTPS hook over HTTP when the server speaks plain HTTP', async () => {
    const before = paths.length
    const r = await runLifecycleHandler({ httpGet: { scheme: 'HTTPS', path: '/tls', port } }, target)
    assert.deepEqual(r, { ok: true, message: '' })
    assert.ok(paths.slice(before).includes('/tls'))
  })
  it('sleeps, and fails when cut short', async () => {
    assert.deepEqual(await runLifecycleHandler({ sleep: { seconds: 0 } }, target), { ok: true, message: '' })
    const r = await runLifecycleHandler({ sleep: { seconds: 30 } }, target, 50)
    assert.deepEqual(r, { ok: false, message: `Sleep lifecycle hook (30) ${where} failed - error: container terminated before sleep hook finished` })
  })
  it('fails a tcpSocket hook as an invalid handler, as upstream', async () => {
    const r = await runLifecycleHandler({ tcpSocket: { port: 80 } }, target)
    assert.equal(r.ok, false)
    assert.match(r.message, /^Cannot run handler: invalid handler: /)
  })
})

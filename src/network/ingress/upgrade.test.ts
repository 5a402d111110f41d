// Upgrades (WebSocket), HTTPS backends, upstream-vhost and connection reuse, through real sockets.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import { createSelfSignedCertificate } from './certificates.js'
import { echoBackend, ingress, path, rule, service, slice, startHarness, type Backend, type Harness } from './testing.js'

const A = 'nginx.ingress.kubernetes.io/'

describe('ingress controller: upgrades and backends', () => {
  let wss: WebSocketServer
  let wsPort: number
  let tlsBackend: HttpsServer
  let echo: Backend
  let h: Harness
  const upgradeHeaders: Record<string, string | string[] | undefined>[] = []
  before(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise((r) => wss.once('listening', r))
    wsPort = (wss.address() as AddressInfo).port
    wss.on('connection', (ws, req) => {
      upgradeHeaders.push({ ...req.headers, url: req.url })
      ws.on('message', (m) => ws.send(`echo:${String(m)}`))
    })
    const pair = await createSelfSignedCertificate('backend.local', ['backend.local'])
    tlsBackend = createHttpsServer(pair, (req, res) => res.end(`tls:${req.url}:${req.headers.host}`))
    await new Promise<void>((r) => tlsBackend.listen(0, '127.0.0.1', r))
    echo = await echoBackend('echo')
    h = await startHarness([
      service('ws'), ...slice('ws', [wsPort]),
      service('secure', [{ port: 443, name: 'https' }]), ...slice('secure', [(tlsBackend.address() as AddressInfo).port], 'https'),
      service('echo'), ...slice('echo', [echo.port]),
      service('none'),
      ingress('ws', { rules: [rule('ws.example.com', path('/chat', 'ws'), path('/none', 'none'))] }, { [A + 'rewrite-target']: '/socket' }),
      ingress('tls', { rules: [rule('tls.example.com', path('/', 'secure', 'Prefix', 'https'))] },
        { [A + 'backend-protocol']: 'HTTPS', [A + 'upstream-vhost']: 'internal.local' }),
      ingress('echo', { rules: [rule('echo.example.com', path('/', 'echo'))] }),
    ])
  })
  after(async () => {
    await h?.close()
    for (const c of wss?.clients ?? []) c.terminate()
    await new Promise((r) => wss?.close(r))
    tlsBackend?.closeAllConnections()
    await new Promise((r) => tlsBackend?.close(r))
    await echo?.close()
  })

  it('passes a WebSocket upgrade through (rewritten path, forwarding headers) and messages both ways', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${h.httpPort}/chat`, { headers: { Host: 'ws.example.com' } })
    try {
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
      const reply = new Promise<string>((r) => ws.once('message', (m) => r(String(m))))
      ws.send('hi')
      assert.equal(await reply, 'echo:hi')
      const seen = upgradeHeaders.at(-1)!
      assert.equal(seen.url, '/socket')
      assert.equal(seen.host, 'ws.example.com')
      assert.equal(seen['x-forwarded-for'], '127.0.0.1')
      assert.match(String(seen['x-request-id']), /^[0-9a-f]{32}$/)
    } finally {
      ws.terminate()
    }
  })

  it('refuses an upgrade to a Service without endpoints with 503', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${h.httpPort}/none`, { headers: { Host: 'ws.example.com' } })
    const status = await new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume() })
      ws.once('open', () => reject(new Error('upgrade should have been refused')))
      ws.once('error', () => { /* reported through unexpected-response */ })
    })
    ws.terminate()
    assert.equal(status, 503)
  })

  it('backend-protocol HTTPS reaches a TLS backend (port by name), with upstream-vhost as Host', async () => {
    const r = await h.request('/x', { host: 'tls.example.com' })
    assert.equal(r.status, 200)
    assert.equal(r.body, 'tls:/x:internal.local')
  })

  it('keeps upstream connections alive across requests', async () => {
    const before = echo.seen.length
    const ports = new Set<number>()
    echo.server.on('connection', (s) => ports.add(s.remotePort ?? 0))
    for (let i = 0; i < 5; i++) assert.equal((await h.request('/', { host: 'echo.example.com' })).status, 200)
    assert.equal(echo.seen.length - before, 5)
    assert.ok(ports.size <= 1, `expected one pooled connection, saw ${ports.size}`)
  })
})

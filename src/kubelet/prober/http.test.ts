import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Probe } from 'kubernetes-types/core/v1.js'
import { probeOnce, runProbe } from './probe.js'
import { freePort, hostTarget, listen } from './testing.js'

const container = { name: 'app', ports: [{ name: 'http', containerPort: 0 }] }

describe('httpGet probe', () => {
  let server: Server
  let port = 0
  let seen: IncomingHttpHeaders = {}
  before(async () => {
    server = createServer((req, res) => {
      seen = req.headers
      const url = new URL(req.url ?? '/', 'http://x')
      if (url.pathname === '/healthz') return void res.end('ok')
      if (url.pathname === '/fail') return void res.writeHead(500).end('secret body')
      if (url.pathname === '/hang') return // never answers
      if (url.pathname === '/big') return void res.end('x'.repeat(64 * 1024))
      if (url.pathname === '/local') return void res.writeHead(302, { location: '/healthz' }).end()
      if (url.pathname === '/local-fail') return void res.writeHead(301, { location: '/fail' }).end()
      if (url.pathname === '/loop') return void res.writeHead(302, { location: '/loop' }).end()
      if (url.pathname === '/away') {
        return void res.writeHead(302, { location: `http://localhost:${port}/healthz` }).end('moved')
      }
      res.writeHead(404).end()
    })
    port = await listen(server)
    container.ports[0]!.containerPort = port
  })
  after(() => { server.closeAllConnections(); server.close() })

  const probe = (httpGet: Probe['httpGet'], timeoutMs?: number) =>
    probeOnce({ httpGet }, hostTarget(container), timeoutMs)

  it('succeeds on 2xx with the body as output and upstream headers', async () => {
    const o = await probe({ path: '/healthz', port })
    assert.deepEqual(o, { result: 'success', output: 'ok' })
    assert.equal(seen['user-agent'], 'kube-probe/1.32')
    assert.equal(seen.accept, '*/*')
  })
  it('resolves a named port and sends custom headers, Host and repeated values', async () => {
    const o = await probe({
      path: '/healthz', port: 'http',
      httpHeaders: [{ name: 'x-custom', value: 'a' }, { name: 'X-Custom', value: 'b' }, { name: 'Host', value: 'example.com' },
        { name: 'User-Agent', value: 'mine' }, { name: 'Accept', value: '' }],
    })
    assert.equal(o.result, 'success')
    assert.equal(seen['x-custom'], 'a, b')
    assert.equal(seen.host, 'example.com')
    assert.equal(seen['user-agent'], 'mine')
    assert.equal(seen.accept, undefined) // an empty Accept removes it
  })
  it('fails on 500 without the body in the message', async () => {
    assert.deepEqual(await probe({ path: '/fail', port }), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' })
  })
  it('words a refused connection as Go does', async () => {
    const p = await freePort()
    const o = await probe({ path: '/healthz', port: p })
    assert.equal(o.output, `Get "http://127.0.0.1:${p}/healthz": dial tcp 127.0.0.1:${p}: connect: connection refused`)
    assert.equal(o.result, 'failure')
  })
  it('times out awaiting headers', async () => {
    const o = await probe({ path: '/hang', port }, 150)
    assert.equal(o.result, 'failure')
    assert.equal(o.output, `Get "http://127.0.0.1:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)
  })
  it('follows redirects on the same host', async () => {
    assert.equal((await probe({ path: '/local', port })).result, 'success')
    assert.equal((await probe({ path: '/local-fail', port })).result, 'failure')
  })
  it('stops after 10 redirects', async () => {
    const o = await probe({ path: '/loop', port })
    assert.equal(o.result, 'failure')
    assert.match(o.output, /: stopped after 10 redirects$/)
  })
  it('does not follow a redirect to another host: a warning that counts as success', async () => {
    const o = await probe({ path: '/away', port })
    assert.deepEqual(o, { result: 'warning', output: 'Probe terminated redirects, Response body: moved' })
    assert.deepEqual(await runProbe({ httpGet: { path: '/away', port } }, hostTarget(container)),
      { ok: true, message: 'Probe terminated redirects, Response body: moved' })
  })
  it('reads at most 10 KiB of body', async () => {
    const o = await probe({ path: '/big', port })
    assert.equal(o.output.length, 10 * 1024)
  })
  it('errors (not fails) on a port name the container does not have', async () => {
    const o = await probe({ path: '/', port: 'metrics' })
    assert.deepEqual(o, { result: 'unknown', output: '', error: 'strconv.Atoi: parsing "metrics": invalid syntax' })
  })
  it('prints an empty path as Go does', async () => {
    const p = await freePort()
    const o = await probe({ port: p })
    assert.match(o.output, new RegExp(`^Get "http://127.0.0.1:${p}": `))
  })
})

describe('httpGet probe over HTTPS', () => {
  let dir = ''
  let server: Server | undefined
  let port = 0
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kl-probe-tls-'))
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=self-signed',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
    } catch {
      return
    }
    server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => res.end('tls ok'))
    port = await listen(server)
  })
  after(() => { server?.close(); rmSync(dir, { recursive: true, force: true }) })

  it('does not verify the certificate', async (t) => {
    if (!server) return t.skip('openssl is not available to make a certificate')
    const o = await probeOnce({ httpGet: { scheme: 'HTTPS', path: '/', port } }, hostTarget(container))
    assert.deepEqual(o, { result: 'success', output: 'tls ok' })
  })
})

// End to end through real sockets: fake informers hold the API objects, echo backends listen on
// 127.0.0.1, and requests go through the controller's HTTP and HTTPS servers.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Ingress } from 'kubernetes-types/networking/v1.js'
import { createSelfSignedCertificate } from './certificates.js'
import {
  deadPort, echoBackend, ingress, path, rule, service, slice, startHarness, tlsSecret, type Backend, type Harness,
} from './testing.js'

const A = 'nginx.ingress.kubernetes.io/'

describe('ingress controller: routing and rewriting', () => {
  let member: Backend
  let web: Backend
  let h: Harness
  before(async () => {
    member = await echoBackend('member')
    web = await echoBackend('web')
    h = await startHarness([
      service('member'), ...slice('member', [member.port]),
      service('web'), ...slice('web', [web.port]),
      ingress('member', { ingressClassName: 'nginx', rules: [rule('app.example.com', path('/member(/|$)(.*)', 'member', 'ImplementationSpecific'))] },
        { [A + 'rewrite-target']: '/$2', [A + 'use-regex']: 'true' }),
      ingress('web', { rules: [rule('web.example.com', path('/', 'web'))] }, { [A + 'app-root']: '/app' }),
    ])
  })
  after(async () => {
    await h?.close()
    await member?.close()
    await web?.close()
  })

  it('rewrite-target with regex captures: /member/api/auth/login reaches member as /api/auth/login', async () => {
    const r = await h.request('/member/api/auth/login?x=1', { host: 'app.example.com' })
    assert.equal(r.status, 200)
    assert.equal(r.json().backend, 'member')
    assert.equal(r.json().url, '/api/auth/login?x=1')
    const root = await h.request('/member', { host: 'app.example.com' })
    assert.equal(root.json().url, '/')
  })

  it('matches regex paths case-insensitively, and 404s what no path matches', async () => {
    assert.equal((await h.request('/MEMBER/x', { host: 'app.example.com' })).json().url, '/x')
    const miss = await h.request('/other', { host: 'app.example.com' })
    assert.equal(miss.status, 404)
    assert.match(miss.body, /<title>404 Not Found<\/title>/)
    assert.match(miss.body, /<center>nginx<\/center>/)
  })

  it('unknown hosts get the default backend (404)', async () => {
    assert.equal((await h.request('/', { host: 'nowhere.example.com' })).status, 404)
  })

  it('passes Host through and sets the X-Forwarded headers, X-Real-IP and X-Request-ID', async () => {
    const r = await h.request('/member/h', { host: 'app.example.com', headers: { 'X-Forwarded-For': '10.1.2.3' } })
    const hd = r.json().headers as Record<string, string>
    assert.equal(hd.host, 'app.example.com')
    assert.equal(hd['x-forwarded-for'], '10.1.2.3, 127.0.0.1')
    assert.equal(hd['x-real-ip'], '127.0.0.1')
    assert.equal(hd['x-forwarded-host'], 'app.example.com')
    assert.equal(hd['x-forwarded-proto'], 'http')
    assert.equal(hd['x-forwarded-scheme'], 'http')
    assert.equal(hd['x-forwarded-port'], String(h.httpPort))
    assert.match(hd['x-request-id']!, /^[0-9a-f]{32}$/)
    const kept = await h.request('/member/h', { host: 'app.example.com', headers: { 'X-Request-ID': 'abc' } })
    assert.equal((kept.json().headers as Record<string, string>)['x-request-id'], 'abc')
  })

  it('app-root redirects / with 302 and leaves other paths alone', async () => {
    const r = await h.request('/', { host: 'web.example.com' })
    assert.equal(r.status, 302)
    assert.equal(r.headers.location, 'http://web.example.com/app')
    assert.equal((await h.request('/app', { host: 'web.example.com' })).json().backend, 'web')
  })

  it('follows informer changes: a new path is served, a deleted Ingress is not', async () => {
    const extra = ingress('extra', { rules: [rule('extra.example.com', path('/', 'web'))] })
    h.apply(extra)
    assert.equal((await h.request('/', { host: 'extra.example.com' })).json().backend, 'web')
    h.remove(extra)
    assert.equal((await h.request('/', { host: 'extra.example.com' })).status, 404)
  })

  it('ignores Ingresses of other classes', async () => {
    h.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'other' }, spec: { controller: 'example.com/other' } } as never)
    const other = ingress('other', { ingressClassName: 'other', rules: [rule('other.example.com', path('/', 'web'))] })
    const legacy = ingress('legacy', { rules: [rule('legacy.example.com', path('/', 'web'))] }, { 'kubernetes.io/ingress.class': 'nginx' })
    h.apply(other, legacy)
    assert.equal((await h.request('/', { host: 'other.example.com' })).status, 404)
    assert.equal((await h.request('/', { host: 'legacy.example.com' })).json().backend, 'web')
    h.remove(other, legacy)
  })
})

describe('ingress controller: status and events', () => {
  it('writes status.loadBalancer.ingress on every served Ingress and one warning per generation', async () => {
    const ing = ingress('warned', { rules: [rule('w.example.com', path('/', 'svc'))] },
      { [A + 'auth-url']: 'http://auth', [A + 'limit-rps']: '5', [A + 'backend-protocol']: 'GRPC' })
    const h = await startHarness([ing])
    try {
      const patches = h.client.actions.filter((a) => a.verb === 'patch')
      assert.deepEqual(patches.map((a) => `${a.resource} ${a.name}`), ['ingresses/status warned'])
      assert.deepEqual(patches[0]!.body, { status: { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } } })
      const stored = h.informers.of<Ingress>('networking.k8s.io/v1', 'Ingress').get('default/warned')
      assert.deepEqual(stored?.status?.loadBalancer?.ingress, [{ ip: '127.0.0.1' }])
      const warnings = () => h.recorder.events.filter((e) => e.startsWith('Warning UnsupportedAnnotation'))
      assert.equal(warnings().length, 1)
      assert.match(warnings()[0]!, /nginx\.ingress\.kubernetes\.io\/auth-url/)
      assert.match(warnings()[0]!, /limit-rps/)
      assert.match(warnings()[0]!, /backend-protocol: GRPC/)
      // Rebuilds of the same generation say nothing new; a new generation warns again.
      h.controller.flush()
      await new Promise((r) => setImmediate(r))
      assert.equal(warnings().length, 1)
      const cur = h.informers.of<Ingress>('networking.k8s.io/v1', 'Ingress').get('default/warned')!
      h.apply({ ...structuredClone(cur), metadata: { ...structuredClone(cur.metadata), generation: 2 } } as never)
      assert.equal(warnings().length, 2)
      // Someone clears the status: it is written again.
      const before = h.client.actions.filter((a) => a.verb === 'patch').length
      const latest = h.informers.of<Ingress>('networking.k8s.io/v1', 'Ingress').get('default/warned')!
      h.apply({ ...structuredClone(latest), status: {} } as never)
      assert.equal(h.client.actions.filter((a) => a.verb === 'patch').length, before + 1)
    } finally {
      await h.close()
    }
  })
})

describe('ingress controller: TLS and redirects', () => {
  let web: Backend
  let h: Harness
  before(async () => {
    web = await echoBackend('web')
    const pair = await createSelfSignedCertificate('secure.example.com', ['secure.example.com'])
    h = await startHarness([
      service('web'), ...slice('web', [web.port]), tlsSecret('secure-tls', pair),
      ingress('secure', { tls: [{ hosts: ['secure.example.com'], secretName: 'secure-tls' }], rules: [rule('secure.example.com', path('/', 'web'))] }),
      ingress('notls', { rules: [rule('plain.example.com', path('/', 'web'))] }),
      ingress('forced', { rules: [rule('forced.example.com', path('/', 'web'))] }, { [A + 'force-ssl-redirect']: 'true' }),
      ingress('noredirect', { tls: [{ hosts: ['keep.example.com'] }], rules: [rule('keep.example.com', path('/', 'web'))] }, { [A + 'ssl-redirect']: 'false' }),
    ])
  })
  after(async () => {
    await h?.close()
    await web?.close()
  })

  it('serves the Secret certificate by SNI, and the default certificate to other names', async () => {
    const r = await h.request('/x', { host: 'secure.example.com', tls: true })
    assert.equal(r.status, 200)
    assert.equal(r.cert?.subject?.CN, 'secure.example.com')
    assert.equal((r.json().headers as Record<string, string>)['x-forwarded-proto'], 'https')
    const other = await h.request('/x', { host: 'plain.example.com', tls: true })
    assert.equal(other.cert?.subject?.CN, 'Kubernetes Ingress Controller Fake Certificate')
    assert.equal(other.json().backend, 'web')
  })

  it('redirects HTTP to HTTPS with 308 when the host has TLS (dropping a trailing slash, as upstream)', async () => {
    const r = await h.request('/a/b/?q=1', { host: 'secure.example.com' })
    assert.equal(r.status, 308)
    assert.equal(r.headers.location, 'https://secure.example.com/a/b/?q=1')
    const slash = await h.request('/a/', { host: 'secure.example.com:8080' })
    assert.equal(slash.headers.location, 'https://secure.example.com/a')
    assert.equal((await h.request('/', { host: 'plain.example.com' })).status, 200)
    assert.equal((await h.request('/', { host: 'keep.example.com' })).status, 200)
  })

  it('force-ssl-redirect redirects even without TLS', async () => {
    const r = await h.request('/p', { host: 'forced.example.com' })
    assert.equal(r.status, 308)
    assert.equal(r.headers.location, 'https://forced.example.com/p')
  })
})

describe('ingress controller: CORS', () => {
  let web: Backend
  let h: Harness
  before(async () => {
    web = await echoBackend('web')
    h = await startHarness([
      service('web'), ...slice('web', [web.port]),
      ingress('star', { rules: [rule('star.example.com', path('/', 'web'))] }, { [A + 'enable-cors']: 'true' }),
      ingress('list', { rules: [rule('list.example.com', path('/', 'web'))] }, {
        [A + 'enable-cors']: 'true', [A + 'cors-allow-origin']: 'https://app.example.com, https://*.trusted.io',
        [A + 'cors-allow-methods']: 'GET, POST', [A + 'cors-allow-headers']: 'X-Custom', [A + 'cors-allow-credentials']: 'false',
        [A + 'cors-expose-headers']: 'X-Total', [A + 'cors-max-age']: '600',
      }),
    ])
  })
  after(async () => {
    await h?.close()
    await web?.close()
  })

  it('answers a preflight with 204 and ingress-nginx defaults', async () => {
    const r = await h.request('/api', { host: 'star.example.com', method: 'OPTIONS', headers: { Origin: 'https://x.example.com' } })
    assert.equal(r.status, 204)
    assert.equal(r.headers['access-control-allow-origin'], '*')
    assert.equal(r.headers['access-control-allow-credentials'], 'true')
    assert.equal(r.headers['access-control-allow-methods'], 'GET, PUT, POST, DELETE, PATCH, OPTIONS')
    assert.equal(r.headers['access-control-allow-headers'], 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization')
    assert.equal(r.headers['access-control-max-age'], '1728000')
    assert.equal(web.seen.filter((s) => s.method === 'OPTIONS').length, 0)
  })

  it('echoes an allowed origin (wildcard subdomain too) and adds the headers to proxied answers', async () => {
    const r = await h.request('/api', { host: 'list.example.com', headers: { Origin: 'https://a-b.trusted.io' } })
    assert.equal(r.status, 200)
    assert.equal(r.headers['access-control-allow-origin'], 'https://a-b.trusted.io')
    assert.equal(r.headers['access-control-allow-methods'], 'GET, POST')
    assert.equal(r.headers['access-control-allow-headers'], 'X-Custom')
    assert.equal(r.headers['access-control-expose-headers'], 'X-Total')
    assert.equal(r.headers['access-control-max-age'], '600')
    assert.equal(r.headers['access-control-allow-credentials'], undefined)
    const pre = await h.request('/api', { host: 'list.example.com', method: 'OPTIONS', headers: { Origin: 'https://app.example.com' } })
    assert.equal(pre.status, 204)
    assert.equal(pre.headers['access-control-allow-origin'], 'https://app.example.com')
  })

  it('adds nothing for origins not listed (the preflight goes to the backend)', async () => {
    const r = await h.request('/api', { host: 'list.example.com', method: 'OPTIONS', headers: { Origin: 'https://evil.com' } })
    assert.equal(r.status, 200)
    assert.equal(r.headers['access-control-allow-origin'], undefined)
    assert.equal((await h.request('/api', { host: 'list.example.com', headers: { Origin: 'https://a.b.trusted.io' } })).headers['access-control-allow-origin'], undefined)
  })
})

describe('ingress controller: upstream failures, retries, limits', () => {
  const backends: Backend[] = []
  let h: Harness
  let dead: number
  before(async () => {
    const ok = await echoBackend('ok')
    const slow = await echoBackend('slow', (_req, res) => { setTimeout(() => res.end('late'), 3000).unref() })
    backends.push(ok, slow)
    dead = await deadPort()
    h = await startHarness([
      service('mixed'), ...slice('mixed', [dead, ok.port]),
      service('dead'), ...slice('dead', [dead]),
      service('empty'),
      service('slow'), ...slice('slow', [slow.port]),
      service('ok'), ...slice('ok', [ok.port]),
      ingress('failures', { rules: [rule('f.example.com',
        path('/mixed', 'mixed'), path('/dead', 'dead'), path('/empty', 'empty'), path('/missing', 'missing'), path('/ok', 'ok'))] },
      { [A + 'proxy-body-size']: '1k' }),
      ingress('slow', { rules: [rule('slow.example.com', path('/', 'slow'))] }, { [A + 'proxy-read-timeout']: '1' }),
    ])
  })
  after(async () => {
    await h?.close()
    for (const b of backends) await b.close()
  })

  it('retries a failed connection on another endpoint, for POST too', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await h.request('/mixed', { host: 'f.example.com', method: i % 2 ? 'POST' : 'GET', body: 'hello' })
      assert.equal(r.status, 200)
      assert.equal(r.json().backend, 'ok')
      if (i % 2) assert.equal(r.json().body, 'hello')
    }
  })

  it('502 when every endpoint fails, 503 without endpoints or Service', async () => {
    const r = await h.request('/dead', { host: 'f.example.com' })
    assert.equal(r.status, 502)
    assert.match(r.body, /502 Bad Gateway/)
    assert.equal((await h.request('/empty', { host: 'f.example.com' })).status, 503)
    assert.match((await h.request('/missing', { host: 'f.example.com' })).body, /503 Service Temporarily Unavailable|503 Service Unavailable/)
  })

  it('504 when the upstream does not answer within proxy-read-timeout', async () => {
    const r = await h.request('/', { host: 'slow.example.com' })
    assert.equal(r.status, 504)
    assert.match(r.body, /504 Gateway Time/)
  })

  it('413 for bodies over proxy-body-size, by Content-Length or counted when chunked', async () => {
    const big = Buffer.alloc(2048, 'x')
    assert.equal((await h.request('/ok', { host: 'f.example.com', method: 'POST', body: big })).status, 413)
    assert.equal((await h.request('/ok', { host: 'f.example.com', method: 'POST', body: Buffer.alloc(512, 'y') })).status, 200)
    assert.equal((await h.request('/ok', { host: 'f.example.com', method: 'POST', body: big, headers: { 'Transfer-Encoding': 'chunked' } })).status, 413)
  })
})

describe('ingress controller: balancing and affinity', () => {
  const backends: Backend[] = []
  let h: Harness
  before(async () => {
    for (const n of ['b0', 'b1', 'b2']) backends.push(await echoBackend(n))
    h = await startHarness([
      service('pool'), ...slice('pool', backends.map((b) => b.port)),
      ingress('rr', { rules: [rule('rr.example.com', path('/', 'pool'))] }),
      ingress('sticky', { rules: [rule('sticky.example.com', path('/', 'pool'))] }, { [A + 'affinity']: 'cookie', [A + 'session-cookie-max-age']: '3600' }),
    ])
  })
  after(async () => {
    await h?.close()
    for (const b of backends) await b.close()
  })

  it('round-robins over the endpoints', async () => {
    const seen = new Set<string>()
    for (let i = 0; i < 3; i++) seen.add((await h.request('/', { host: 'rr.example.com' })).json().backend as string)
    assert.equal(seen.size, 3)
  })

  it('cookie affinity: INGRESSCOOKIE set once, then every request goes to the same endpoint', async () => {
    const first = await h.request('/', { host: 'sticky.example.com' })
    const cookie = String(first.headers['set-cookie']?.[0] ?? '')
    assert.match(cookie, /^INGRESSCOOKIE=[0-9a-f]{32}\|[0-9a-f]{32}; Max-Age=3600; Path=\/; HttpOnly$/)
    const name = first.json().backend
    for (let i = 0; i < 5; i++) {
      const r = await h.request('/', { host: 'sticky.example.com', headers: { Cookie: cookie.split(';')[0]! } })
      assert.equal(r.json().backend, name)
      assert.equal(r.headers['set-cookie'], undefined)
    }
  })
})

describe('ingress controller: start-up', () => {
  it('queues HTTPS connections that arrive before the default certificate exists', async () => {
    const { createServer } = await import('node:net')
    const { request } = await import('node:https')
    const { fakeClient, fakeInformers, fakeRecorder } = await import('../../client/index.js')
    const { createIngressClasses } = await import('./classes.js')
    const { startIngressController } = await import('./controller.js')
    const web = await echoBackend('web')
    const informers = fakeInformers([...createIngressClasses(), service('web'), ...slice('web', [web.port]),
      ingress('web', { rules: [rule('early.example.com', path('/', 'web'))] })] as never)
    const controller = startIngressController({ informers, client: fakeClient(informers), recorder: fakeRecorder(), statusAddress: { ip: '127.0.0.1' } })
    const server = createServer((s) => controller.handleHttps(s))
    try {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const port = (server.address() as import('node:net').AddressInfo).port
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', headers: { Host: 'early.example.com' }, servername: 'early.example.com', rejectUnauthorized: false, agent: false },
          (res) => { res.resume(); resolve(res.statusCode ?? 0) })
        req.on('error', reject)
        req.end()
      })
      assert.equal(status, 200)
    } finally {
      await controller.stop()
      await new Promise((r) => server.close(r))
      await web.close()
    }
  })
})

/**
 * End-to-end: the ingress controller on a real node, reached from the host through its port,
 * with the Ingress of the seeds (regex paths with `rewrite-target: /$2`), Prefix paths, host
 * rules, TLS from a Secret, a WebSocket echo and a CORS preflight.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import WebSocket from 'ws'
import { poll, startCluster, type Cluster } from './harness.js'
import { echoDeployment, hostCurl } from './network-helpers.js'
import { waitNodeReady } from './node-helpers.js'
import { yamlOf } from './workloads-helpers.js'

const skip = process.getuid?.() !== 0 ? 'needs root' : spawnSync('openssl', ['version']).status !== 0 ? 'openssl is not installed' : undefined

/** A WebSocket echo server in python (handshake and unfragmented frames), as a pod command. */
const WS_ECHO = [
  'import socket,hashlib,base64,threading',
  'def serve(c):',
  '  d=b""',
  '  while b"\\r\\n\\r\\n" not in d: d+=c.recv(4096)',
  '  k=[l.split(b":",1)[1].strip() for l in d.split(b"\\r\\n") if l.lower().startswith(b"sec-websocket-key")][0]',
  '  a=base64.b64encode(hashlib.sha1(k+b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())',
  '  c.sendall(b"HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: "+a+b"\\r\\n\\r\\n")',
  '  while True:',
  '    h=c.recv(2)',
  '    if len(h)<2: return',
  '    n=h[1]&127',
  '    if n==126: n=int.from_bytes(c.recv(2),"big")',
  '    m=c.recv(4); p=b""',
  '    while len(p)<n: p+=c.recv(n-len(p))',
  '    p=bytes(b^m[i%4] for i,b in enumerate(p))',
  '    if h[0]&15==8: return',
  '    c.sendall(bytes([h[0], len(p)])+p if len(p)<126 else bytes([h[0],126])+len(p).to_bytes(2,"big")+p)',
  's=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(("0.0.0.0",8080)); s.listen()',
  'while True:',
  '  c,_=s.accept(); threading.Thread(target=serve,args=(c,),daemon=True).start()',
].join('\n')

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as { port: number }).port
  await new Promise((r) => srv.close(r))
  return port
}

describe('ingress controller', { skip, timeout: 600_000 }, () => {
  let c: Cluster
  let http: number
  let https: number
  before(async () => {
    http = await freePort()
    https = await freePort()
    c = await startCluster({ agent: true, extraArgs: ['--image-fallback', 'host', '--ingress-http-port', String(http), '--ingress-https-port', String(https)] })
    await waitNodeReady(c)
    for (const app of ['member', 'mysub', 'front']) {
      await c.ok(['apply', '-f', '-'], { input: echoDeployment(app, 1) })
      await c.ok(['apply', '-f', '-'], { input: yamlOf(['apiVersion: v1', 'kind: Service', `metadata: {name: ${app}}`, `spec: {selector: {app: ${app}}, ports: [{port: 80, targetPort: 8080}]}`]) })
    }
    for (const app of ['member', 'mysub', 'front']) await c.ok(['rollout', 'status', `deployment/${app}`, '--timeout=60s'])
  })
  after(async () => {
    await c?.stop()
  })

  const get = (path: string, args: string[] = []) => hostCurl(`http://127.0.0.1:${http}${path}`, args)

  it('routes the seeds\' regex paths with rewrite-target, and shows an ADDRESS', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata:', '  name: lifesub',
      '  annotations:', '    nginx.ingress.kubernetes.io/rewrite-target: /$2', '    nginx.ingress.kubernetes.io/use-regex: "true"',
      'spec:', '  ingressClassName: nginx', '  rules:', '  - http:', '      paths:',
      '      - {path: /member(/|$)(.*), pathType: ImplementationSpecific, backend: {service: {name: member, port: {number: 80}}}}',
      '      - {path: /mysub(/|$)(.*), pathType: ImplementationSpecific, backend: {service: {name: mysub, port: {number: 80}}}}',
    ]) })
    const body = await poll('the member route', () => {
      const r = get('/member/api/auth/login')
      return r.code === 0 && r.body.startsWith('member-') ? r.body : undefined
    }, 15_000, 100)
    assert.match(body, /^member-\S+ \/api\/auth\/login$/)
    assert.match(get('/mysub/list?x=1').body, /^mysub-\S+ \/list\?x=1$/)
    assert.match(get('/member').body, /^member-\S+ \/$/)
    const notFound = get('/nothing', ['-o', '/dev/null', '-w', '%{http_code}'])
    assert.equal(notFound.body, '404')
    const address = await poll('the Ingress ADDRESS', async () => {
      const out = await c.ok(['get', 'ingress', 'lifesub'])
      return /lifesub\s+nginx\s+\*\s+127\.0\.0\.1\s+80\s/.test(out) ? out : undefined
    }, 10_000, 200)
    assert.ok(address)
  })

  it('routes Prefix paths by host, with the default class', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata: {name: hosts}',
      'spec:', '  rules:',
      '  - host: shop.example.com', '    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: front, port: {number: 80}}}},',
      '                   {path: /api, pathType: Prefix, backend: {service: {name: member, port: {number: 80}}}}]}',
      '  - host: "*.example.org"', '    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: mysub, port: {number: 80}}}}]}',
    ]) })
    const shop = (path: string, host = 'shop.example.com') => get(path, ['-H', `Host: ${host}`]).body
    await poll('the host rule', () => (shop('/').startsWith('front-') ? true : undefined), 15_000, 100)
    assert.match(shop('/api/users'), /^member-\S+ \/api\/users$/)
    assert.match(shop('/apiary'), /^front-\S+ \/apiary$/)
    assert.match(shop('/x', 'a.example.org'), /^mysub-/)
    const klass = JSON.parse(await c.ok(['get', 'ingressclass', '-o', 'json'])).items
      .map((i: { metadata: { name: string; annotations?: Record<string, string> } }) => `${i.metadata.name}:${i.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] ?? ''}`)
    assert.deepEqual(klass.sort(), ['kubelite:true', 'nginx:'])
  })

  it('terminates TLS with a certificate from a Secret, chosen by SNI, and redirects plain HTTP', async () => {
    const key = c.file('tls.key', '')
    const crt = c.file('tls.crt', '')
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=secure.example.com',
      '-addext', 'subjectAltName=DNS:secure.example.com', '-keyout', key, '-out', crt], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    await c.ok(['create', 'secret', 'tls', 'secure-tls', '--cert', crt, '--key', key])
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata: {name: secure}',
      'spec:', '  tls: [{hosts: [secure.example.com], secretName: secure-tls}]', '  rules:',
      '  - host: secure.example.com', '    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: front, port: {number: 80}}}}]}',
    ]) })
    const body = await poll('HTTPS with the Secret\'s certificate', () => {
      const x = hostCurl(`https://secure.example.com:${https}/tls`, ['--resolve', `secure.example.com:${https}:127.0.0.1`, '--cacert', crt])
      return x.code === 0 ? x.body : undefined
    }, 15_000, 200)
    assert.match(body, /^front-\S+ \/tls$/)
    const redirect = get('/tls', ['-H', 'Host: secure.example.com', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}'])
    assert.equal(redirect.body, `308 https://secure.example.com:${https}/tls`)
  })

  it('carries a WebSocket through, and answers a CORS preflight when enable-cors is set', async () => {
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: echo}',
      'spec:', '  replicas: 1', '  selector: {matchLabels: {app: echo}}',
      '  template:', '    metadata: {labels: {app: echo}}',
      '    spec:', '      containers:', '      - name: echo', '        image: python:3',
      `        command: [python3, -c, ${JSON.stringify(WS_ECHO)}]`, '        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}',
      '---',
      'apiVersion: v1', 'kind: Service', 'metadata: {name: echo}', 'spec: {selector: {app: echo}, ports: [{port: 80, targetPort: 8080}]}',
      '---',
      'apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata:', '  name: ws',
      '  annotations: {nginx.ingress.kubernetes.io/enable-cors: "true", nginx.ingress.kubernetes.io/cors-allow-origin: "http://app.example.com"}',
      'spec:', '  rules:', '  - host: ws.example.com',
      '    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: echo, port: {number: 80}}}}]}',
    ]) })
    await c.ok(['rollout', 'status', 'deployment/echo', '--timeout=60s'])
    const echoed = await poll('a WebSocket echo', () => new Promise<string | undefined>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${http}/socket`, { headers: { Host: 'ws.example.com' } })
      const done = (v: string | undefined) => { ws.terminate(); resolve(v) }
      ws.once('open', () => ws.send('hello through the ingress'))
      ws.once('message', (m) => done(String(m)))
      ws.once('error', () => done(undefined))
      setTimeout(() => done(undefined), 3000)
    }), 20_000, 300)
    assert.equal(echoed, 'hello through the ingress')
    const pre = get('/api', ['-X', 'OPTIONS', '-H', 'Host: ws.example.com', '-H', 'Origin: http://app.example.com',
      '-H', 'Access-Control-Request-Method: POST', '-D', '-', '-o', '/dev/null'])
    assert.match(pre.body, /^HTTP\/1\.1 204/)
    assert.match(pre.body, /access-control-allow-origin: http:\/\/app\.example\.com/i)
    assert.match(pre.body, /access-control-allow-methods: GET, PUT, POST, DELETE, PATCH, OPTIONS/i)
  })
})

/**
 * The kubelet API behind the API server, driven by the real kubectl: a kubelet server (with a
 * stand-in node whose containers are host processes) publishes its socket on a Node, pods
 * bound to that node get `kubectl logs`, `exec`, `port-forward` and `top` through the API
 * server — WebSocket with kubectl 1.32, SPDY with kubectl 1.29.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { after, before, describe, it } from 'node:test'
import { startKubeletServer, type KubeletServer } from '../../src/kubelet/server/index.js'
import { hostPods, type HostPods } from '../../src/kubelet/server/testing.js'
import { kubectlDir, poll, startCluster, type Cluster } from './harness.js'

const NODE = 'kl-node'

describe('kubelet API through the API server', () => {
  let c: Cluster
  let dir: string
  let pods: HostPods
  let kubelet: KubeletServer
  let web: Server
  let webPort = 0
  const kubeletLog: string[] = []

  const podYaml = (name: string, containers: string[]) => JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: { nodeName: NODE, containers: containers.map((n) => ({ name: n, image: 'busybox' })) },
  })

  async function runningPod(name: string, containers: string[], scripts: Record<string, string>) {
    await c.ok(['apply', '-f', '-'], { input: podYaml(name, containers) })
    const pod = JSON.parse(await c.ok(['get', 'pod', name, '-o', 'json']))
    pods.addPod(pod)
    for (const [cn, script] of Object.entries(scripts)) await pods.start('default', name, cn, script)
    await c.ok(['patch', 'pod', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running', startTime: new Date().toISOString() } })])
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kl-e2e-kubelet-'))
    c = await startCluster({ datastore: 'memory' })
    pods = hostPods(dir)
    const socketPath = join(dir, 'kubelet.sock')
    kubelet = await startKubeletServer({ socketPath, pods, nodeName: NODE, log: (l) => kubeletLog.push(l) })
    await c.ok(['apply', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, annotations: { 'kubelite.io/kubelet-socket': socketPath } },
    }) })
    // What the pod "listens on": an HTTP server on 127.0.0.1 that the stand-in node dials.
    web = createServer((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n')))
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()))
    webPort = (web.address() as { port: number }).port
    await runningPod('web', ['app'], {})
    // A first run that crashed, then the current one: --previous shows the first.
    await pods.start('default', 'web', 'app', 'echo crashed; exit 1')
    await new Promise((r) => setTimeout(r, 200))
    await pods.start('default', 'web', 'app', 'echo one; echo two; echo three; sleep 300')
    await runningPod('two', ['a', 'b'], { a: 'sleep 300', b: 'sleep 300' })
  })

  after(async () => {
    await kubelet?.close()
    await pods?.close()
    web?.close()
    await c?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('kubectl logs: whole, --tail, --timestamps, --previous, -f until the container exits', async () => {
    await poll('the log', async () => ((await c.ok(['logs', 'web'])) === 'one\ntwo\nthree\n' ? true : undefined), 5000)
    assert.equal(await c.ok(['logs', 'web', '--tail=1']), 'three\n')
    assert.match(await c.ok(['logs', 'web', '--timestamps', '--tail=1']), /^\d{4}-\d\d-\d\dT[\d:.]+Z three\n$/)
    assert.equal(await c.ok(['logs', 'web', '--previous']), 'crashed\n')
    const noPrev = await c.kubectl(['logs', 'two', '-c', 'a', '--previous'])
    assert.notEqual(noPrev.code, 0)
    assert.match(noPrev.stderr, /previous terminated container "a" in pod "two" not found/)
    await runningPod('follow', ['f'], { f: 'echo a; sleep 1; echo b' })
    const started = Date.now()
    assert.equal(await c.ok(['logs', '-f', 'follow']), 'a\nb\n')
    assert.ok(Date.now() - started >= 500, 'followed the second line as it came')
  })

  it('kubectl attach streams the container\'s output until it ends', async () => {
    await runningPod('attached', ['a'], { a: 'sleep 1; echo from-attach; sleep 0.5' })
    const r = await c.kubectl(['attach', 'attached'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /from-attach/)
  })

  it('the API server checks the container as upstream before going to the kubelet', async () => {
    const r = await c.request('GET', '/api/v1/namespaces/default/pods/two/exec?command=true&stdout=true')
    assert.equal(r.status, 400)
    assert.equal(JSON.parse(r.body).message, 'a container name must be specified for pod two, choose one of: [a b]')
    const bad = await c.request('GET', '/api/v1/namespaces/default/pods/web/log?container=nope')
    assert.equal(JSON.parse(bad.body).message, 'container nope is not valid for pod web')
  })

  for (const version of [undefined, '1.29']) {
    const label = version ? `kubectl ${version} (SPDY)` : 'kubectl 1.32 (WebSocket)'
    it(`${label} exec: output and the exit code; -i with stdin`, async () => {
      kubeletLog.length = 0
      const r = await c.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo hi; exit 3'], { version })
      assert.deepEqual(kubeletLog, [version ? 'exec default/web/app over SPDY/3.1 v5.channel.k8s.io' : 'exec default/web/app over WebSocket v5.channel.k8s.io'])
      assert.equal(r.stdout, 'hi\n')
      assert.equal(r.code, 3, r.stderr)
      const up = await c.kubectl(['exec', '-i', 'web', '--', 'tr', 'a-z', 'A-Z'], { version, input: 'hello\n' })
      assert.equal(up.code, 0, up.stderr)
      assert.equal(up.stdout, 'HELLO\n')
    })

    it(`${label} port-forward serves traffic`, async () => {
      const local = await freePort()
      kubeletLog.length = 0
      const bin = version ? join(kubectlDir(), `kubectl.${version}`) : 'kubectl'
      const pf = spawn(bin, ['port-forward', 'pod/web', `${local}:${webPort}`], {
        env: { ...process.env, HOME: c.home, KUBECONFIG: c.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      pf.stdout.on('data', (d) => (out += d))
      pf.stderr.on('data', (d) => (out += d))
      try {
        await poll('port-forward listening', () => (/Forwarding from 127\.0\.0\.1/.test(out) ? true : undefined), 15_000)
        for (let i = 0; i < 2; i++) assert.equal(await httpGet(local), 'hello\n')
        assert.deepEqual(kubeletLog, [version ? 'portforward default/web over SPDY/3.1 portforward.k8s.io' : 'portforward default/web over SPDY/3.1+portforward.k8s.io'])
      } finally {
        pf.kill('SIGTERM')
        await new Promise((r) => pf.once('exit', r))
      }
    })
  }

  it('kubectl 1.27 (SPDY, v4 only) exec', async () => {
    const r = await c.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo old; exit 4'], { version: '1.27' })
    assert.equal(r.stdout, 'old\n')
    assert.equal(r.code, 4, r.stderr)
  })

  it('upgrade requests are authenticated and checked like any other', async () => {
    const anon = await rawUpgrade(c, '/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true', false)
    assert.equal(anon.status, 401)
    const missing = await rawUpgrade(c, '/api/v1/namespaces/default/pods/nope/exec?command=true&stdout=true', true)
    assert.equal(missing.status, 404)
    assert.equal(JSON.parse(missing.body).message, 'pods "nope" not found')
    // A node without a kubelet socket keeps the old answer.
    await c.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'no-kubelet' } }) })
    await c.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan' }, spec: { nodeName: 'no-kubelet', containers: [{ name: 'c', image: 'x' }] } }) })
    const none = await rawUpgrade(c, '/api/v1/namespaces/default/pods/orphan/exec?command=true&stdout=true', true)
    assert.equal(none.status, 503)
    assert.match(JSON.parse(none.body).message, /no kubelet serves node "no-kubelet" yet/)
  })

  it('port-forward to a port nothing listens on: the kubelet\'s error reaches kubectl', async () => {
    const local = await freePort()
    const dead = await freePort()
    const pf = spawn('kubectl', ['port-forward', 'pod/web', `${local}:${dead}`], {
      env: { ...process.env, HOME: c.home, KUBECONFIG: c.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    pf.stdout.on('data', (d) => (out += d))
    pf.stderr.on('data', (d) => (out += d))
    try {
      await poll('port-forward listening', () => (/Forwarding from 127\.0\.0\.1/.test(out) ? true : undefined), 15_000)
      await httpGet(local).catch(() => '')
      await poll('the error printed', () => (/error forwarding port \d+ to pod sandbox-web, uid [\w-]+: failed to connect to localhost:\d+/.test(out) ? true : undefined), 10_000)
      assert.match(out, new RegExp(`an error occurred forwarding ${local} -> ${dead}`))
    } finally {
      pf.kill('SIGTERM')
      await new Promise((r) => pf.once('exit', r))
    }
  })

  it('kubectl top pod and node show the kubelet\'s figures', async () => {
    const top = await poll('pod metrics', async () => {
      const r = await c.kubectl(['top', 'pod', 'web'])
      return r.code === 0 ? r.stdout : undefined
    }, 30_000, 500)
    assert.match(top, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nweb\s+\d+m\s+\d+Mi\s*\n$/)
    const node = await c.ok(['top', 'node', NODE])
    assert.match(node, new RegExp(`${NODE}\\s+\\d+m`))
  })
})

/** An HTTPS upgrade request (WebSocket exec) with or without the admin's client certificate. */
function rawUpgrade(c: Cluster, path: string, withCert: boolean): Promise<{ status: number; body: string }> {
  const cfg = parse(readFileSync(c.kubeconfig, 'utf8'))
  const b64 = (s: string) => Buffer.from(s, 'base64')
  const user = cfg.users[0].user
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, c.url), {
      ca: b64(cfg.clusters[0].cluster['certificate-authority-data']),
      ...(withCert ? { cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']) } : {}),
      headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io',
      },
    }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, body: '' })
    })
    req.on('error', reject)
    req.end()
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve(body))
    }).on('error', reject).end()
  })
}

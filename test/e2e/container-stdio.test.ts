/**
 * End-to-end: a container's stdio are pipes, as runc gives them, so a program can reopen them by
 * name (/dev/stdout, /dev/stderr — nginx's `access_log /dev/stdout` — and /dev/stdin), and what it
 * writes reaches `kubectl logs`, `attach` and `exec` complete, each stream in order.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { poll, startCluster, type Cluster } from './harness.js'
import { containerStatus, isRunningReady, waitNodeReady, waitPod } from './node-helpers.js'
import type { Obj } from './workloads-helpers.js'

const skipReason = process.getuid?.() !== 0 ? 'needs root (a node with the namespaces runtime)' : undefined
const hasNginx = spawnSync('sh', ['-c', 'command -v nginx']).status === 0
const hasCurl = spawnSync('sh', ['-c', 'command -v curl']).status === 0

const terminated = (name: string) => (p: Obj) => !!containerStatus(p, name)?.state?.terminated

describe('container stdio: pipes a command can reopen', { skip: skipReason, timeout: 300_000 }, () => {
  let c: Cluster
  before(async () => {
    // Its own LoadBalancer pool and no ingress port: other clusters may run beside this one.
    c = await startCluster({ agent: true, extraArgs: ['--image-fallback', 'host', '--load-balancer-pool', '127.0.5.0/24',
      '--ingress-http-port', '0', '--ingress-https-port', '0'] })
    await waitNodeReady(c)
  })
  after(async () => {
    await c?.stop()
  })

  const apply = (obj: object) => c.ok(['apply', '-f', '-'], { input: JSON.stringify(obj) })

  it('open("/dev/stdout") and open("/dev/stderr") work, also for a non-root user', async () => {
    const script = 'echo "out-$WHO" > /dev/stdout && echo "err-$WHO" > /dev/stderr'
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reopen' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          { name: 'root', image: 'busybox', command: ['sh', '-c', script], env: [{ name: 'WHO', value: 'root' }] },
          {
            name: 'nobody', image: 'busybox', command: ['sh', '-c', script], env: [{ name: 'WHO', value: 'nobody' }],
            securityContext: { runAsUser: 65534, runAsGroup: 65534 },
          },
        ],
      },
    })
    const p = await waitPod(c, 'reopen', (x) => terminated('root')(x) && terminated('nobody')(x))
    for (const who of ['root', 'nobody']) {
      const logs = await c.ok(['logs', 'reopen', '-c', who])
      assert.equal(containerStatus(p, who).state.terminated.exitCode, 0, `${who}: ${logs}`)
      assert.deepEqual(logs.trim().split('\n').sort(), [`err-${who}`, `out-${who}`])
    }
  })

  it('a burst of output right before exit is all in the logs, each stream in order, the exit code kept', async () => {
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'burst' },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'burst', image: 'busybox', command: ['sh', '-c', 'seq -f o%g 100000; seq -f e%g 20000 >&2; exit 3'] }],
      },
    })
    const p = await waitPod(c, 'burst', terminated('burst'), 60_000)
    assert.equal(containerStatus(p, 'burst').state.terminated.exitCode, 3)
    const lines = (await c.ok(['logs', 'burst'])).split('\n').filter(Boolean)
    const out = lines.filter((l) => l.startsWith('o'))
    const err = lines.filter((l) => l.startsWith('e'))
    assert.equal(out.length, 100000, `stdout lines (last: ${out.at(-1)})`)
    assert.equal(err.length, 20000, `stderr lines (last: ${err.at(-1)})`)
    assert.ok(out.every((l, i) => l === `o${i + 1}`), 'stdout in order')
    assert.ok(err.every((l, i) => l === `e${i + 1}`), 'stderr in order')
  })

  it('kubectl exec without -t: separate streams, reopenable by name, the exit code passed on', async () => {
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sleeper' },
      spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
    })
    await waitPod(c, 'sleeper', isRunningReady)
    const r = await c.kubectl(['exec', 'sleeper', '--', 'sh', '-c', 'echo o > /dev/stdout; echo e > /dev/stderr; exit 4'])
    assert.equal(r.code, 4, r.stderr)
    assert.equal(r.stdout, 'o\n')
    assert.match(r.stderr, /^e\n/)
    const big = await c.ok(['exec', 'sleeper', '--', 'seq', '50000'])
    assert.equal(big.split('\n').length - 1, 50000)
    assert.ok(big.endsWith('\n49999\n50000\n'))
  })

  it('kubectl exec -i and attach -i: the command can read its stdin as /dev/stdin, to the end', async () => {
    const input = 'x'.repeat(300_000)
    assert.equal((await c.ok(['exec', '-i', 'sleeper', '--', 'sh', '-c', 'cat /dev/stdin | wc -c'], { input })).trim(), '300000')
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reader' },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'main', image: 'busybox', stdin: true, stdinOnce: true, command: ['sh', '-c', 'echo "read $(cat /dev/stdin | wc -c)"'] }],
      },
    })
    await waitPod(c, 'reader', (p) => p.status?.phase === 'Running')
    const r = await c.kubectl(['attach', '-i', 'reader'], { input, timeoutMs: 30_000 })
    assert.equal(r.code, 0, r.stderr)
    const p = await waitPod(c, 'reader', terminated('main'))
    assert.equal(containerStatus(p, 'main').state.terminated.exitCode, 0)
    assert.equal(await c.ok(['logs', 'reader']), 'read 300000\n')
  })

  it('kubectl attach without -t follows the output until the container ends', async () => {
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ticker' },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'sleep 2; for i in 1 2 3 4 5; do echo tick-$i > /dev/stdout; sleep 0.3; done'] }],
      },
    })
    await waitPod(c, 'ticker', (p) => p.status?.phase === 'Running')
    const r = await c.kubectl(['attach', 'ticker'], { timeoutMs: 30_000 })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /tick-5\n/)
  })

  it('nginx with access_log /dev/stdout: requests show in kubectl logs', {
    skip: !hasNginx ? 'nginx is not installed on this host' : !hasCurl ? 'curl is not installed on this host' : undefined,
  }, async () => {
    const conf = [
      'worker_processes 1;', 'pid /tmp/nginx.pid;', 'error_log stderr;', 'events { worker_connections 64; }',
      'http {', '  access_log /dev/stdout;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path /tmp/${t};`),
      '  server { listen 8080; location / { return 200 "hello\\n"; } }', '}',
    ].join('\n')
    await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nginx-conf' }, data: { 'nginx.conf': conf } })
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx' },
      spec: {
        containers: [{
          name: 'nginx', image: 'nginx', command: ['nginx', '-e', 'stderr', '-c', '/etc/test-nginx/nginx.conf', '-g', 'daemon off;'],
          volumeMounts: [{ name: 'conf', mountPath: '/etc/test-nginx' }],
          readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
        }],
        volumes: [{ name: 'conf', configMap: { name: 'nginx-conf' } }],
      },
    })
    await waitPod(c, 'nginx', isRunningReady, 60_000).catch(async (err: Error) => {
      throw new Error(`${err.message}\nlogs: ${(await c.kubectl(['logs', 'nginx'])).stdout}`)
    })
    assert.equal(await c.ok(['exec', 'nginx', '--', 'curl', '-s', 'http://127.0.0.1:8080/seen-in-the-log']), 'hello\n')
    const logs = await poll('the access line in the logs', async () => {
      const l = await c.ok(['logs', 'nginx'])
      return /"GET \/seen-in-the-log HTTP\/1\.1" 200 /.test(l) ? l : undefined
    }, 10_000, 200)
    assert.match(logs, /"GET \/ready HTTP\/1\.1" 200 .*kube-probe\//, 'the readiness probes are logged too')
  })
})

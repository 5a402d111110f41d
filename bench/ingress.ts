/**
 * @module
 * The ingress controller's data plane against nginx as the same reverse proxy. The backend is
 * Debian's nginx serving a small static file on 127.0.0.1 (one worker); in front of it, (a)
 * kubelite's ingress controller in its own Node process, fed by a net.Server on 127.0.0.1, and
 * (b) nginx (one worker, so one core each) with proxy_pass to an upstream keepalive pool and the
 * headers ingress-nginx sets. wrk drives both the same way. Prints figures; asserts nothing.
 *
 *   npm run bench -- ingress          (add `quick` for 3-second runs)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const HOST = 'bench.example.com'
const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`)

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/** An nginx instance with its own prefix, config and temp paths under `dir`, as the current user. */
async function startNginx(dir: string, name: string, server: string): Promise<{ stop(): Promise<void> }> {
  const prefix = join(dir, name)
  mkdirSync(prefix, { recursive: true })
  // As root, workers would otherwise switch to "nobody" and could not read the temp dir.
  const user = process.getuid?.() === 0 ? 'user root root;' : ''
  const conf = `${user}
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  keepalive_requests 10000;
  ${server}
}
`
  writeFileSync(join(prefix, 'nginx.conf'), conf)
  const child = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (d) => { err += d })
  const port = Number(/listen 127\.0\.0\.1:(\d+)/.exec(server)![1])
  await waitForPort(port, child, () => err)
  return {
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGQUIT')
      await exited
    },
  }
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const { connect } = await import('node:net')
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`process exited: ${log()}`)
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); r(true) })
      s.on('error', () => r(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`port ${port} never opened: ${log()}`)
}

type WrkResult = { rps: number; p99Ms: number; errors: string }

function wrk(port: number, seconds: number): WrkResult {
  const r = spawnSync('wrk', ['-t2', '-c50', `-d${seconds}s`, '--latency', '-H', `Host: ${HOST}`, `http://127.0.0.1:${port}/index.html`], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`wrk: ${r.stderr || r.error}`)
  const out = r.stdout
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN)
  const m = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out)
  const p99Ms = m ? Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]!]! : NaN
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1]
  const sockErr = /Socket errors: ([^\n]+)/.exec(out)?.[1]
  return { rps, p99Ms, errors: [non2xx ? `${non2xx} non-2xx` : '', sockErr ? `socket errors: ${sockErr}` : ''].filter(Boolean).join('; ') }
}

/** The ingress controller in a child process (this file with `--child`), serving one Ingress. */
async function startController(backendPort: number): Promise<{ port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', String(backendPort)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const m = /listening (\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`controller exited ${code}`)))
  })
  return {
    port,
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}

async function childMain(backendPort: number) {
  const { fakeClient, fakeInformers, fakeRecorder } = await import('../src/client/index.js')
  const { createIngressClasses, startIngressController } = await import('../src/network/ingress/index.js')
  const informers = fakeInformers([
    ...createIngressClasses(),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.9', ports: [{ port: 80, protocol: 'TCP' }] } },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
      metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      ports: [{ name: '', port: backendPort, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default', uid: 'u1', generation: 1 },
      spec: { rules: [{ host: HOST, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    },
  ] as never)
  const controller = startIngressController({ informers, client: fakeClient(informers), recorder: fakeRecorder(), statusAddress: { ip: '127.0.0.1' } })
  const server = createServer((s) => controller.handleHttp(s))
  server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`))
  process.once('SIGTERM', () => { void controller.stop().then(() => { server.close(); process.exit(0) }) })
}

export async function ingressBench(quick: boolean) {
  const seconds = quick ? 3 : 10
  const rounds = quick ? 1 : 2
  console.log(`\n# Ingress: wrk -t2 -c50 -d${seconds}s --latency, best of ${rounds} alternating run(s) each; backend: nginx (1 worker) serving a 612-byte file on 127.0.0.1`)
  if (spawnSync('nginx', ['-v']).error || spawnSync('wrk', ['-v']).error) {
    line('skipped: nginx and wrk are both needed', '-')
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-ingress-bench-'))
  const stops: Array<() => Promise<void>> = []
  try {
    const www = join(dir, 'www')
    mkdirSync(www)
    writeFileSync(join(www, 'index.html'), '<!DOCTYPE html>\n<html><body><h1>Welcome</h1><p>'.padEnd(598, 'x') + '</p></body></html>\n')
    const backendPort = await freePort()
    const backend = await startNginx(dir, 'backend', `server { listen 127.0.0.1:${backendPort}; location / { root ${www}; } }`)
    stops.push(backend.stop)
    line('backend alone: requests/s', `${wrk(backendPort, seconds).rps.toFixed(0)}`)

    const controller = await startController(backendPort)
    stops.push(controller.stop)
    const proxyPort = await freePort()
    const proxy = await startNginx(dir, 'proxy', `
  upstream web { server 127.0.0.1:${backendPort}; keepalive 320; keepalive_requests 10000; }
  server {
    listen 127.0.0.1:${proxyPort};
    location / {
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Scheme $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_set_header Proxy "";
      proxy_connect_timeout 5s; proxy_read_timeout 60s; proxy_send_timeout 60s;
      proxy_next_upstream error timeout;
      proxy_pass http://web;
    }
  }`)
    stops.push(proxy.stop)
    // Warm-up (JIT, keep-alive pools), then alternate runs so that load from elsewhere on the
    // machine falls on both alike; each side's better run counts.
    wrk(controller.port, 1)
    wrk(proxyPort, 1)
    let ours: WrkResult | undefined
    let theirs: WrkResult | undefined
    for (let round = 0; round < rounds; round++) {
      const a = wrk(controller.port, seconds)
      const b = wrk(proxyPort, seconds)
      if (!ours || a.rps > ours.rps) ours = a
      if (!theirs || b.rps > theirs.rps) theirs = b
    }
    await controller.stop()
    await proxy.stop()
    if (!ours || !theirs) return

    line('kubelite ingress (Node, 1 process): requests/s', ours.rps.toFixed(0))
    line('kubelite ingress: latency p99, ms', ours.p99Ms.toFixed(2))
    if (ours.errors) line('kubelite ingress: errors', ours.errors)
    line('nginx reverse proxy (1 worker): requests/s', theirs.rps.toFixed(0))
    line('nginx reverse proxy: latency p99, ms', theirs.p99Ms.toFixed(2))
    if (theirs.errors) line('nginx reverse proxy: errors', theirs.errors)
    line('kubelite / nginx requests/s  [goal ≥ 0.6]', (ours.rps / theirs.rps).toFixed(2))
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--child' && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await childMain(Number(process.argv[3]))
}

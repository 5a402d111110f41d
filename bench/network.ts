/**
 * @module
 * Service data path and programming benchmarks against `kubelite server` with its node:
 *  - requests/s to an HTTP pod directly, through its ClusterIP (from another pod), and through
 *    the host relays of its NodePort and LoadBalancer address, with wrk, side by side in one
 *    run and as ratios to direct (goals: ClusterIP ≥ 0.95× on nftables, relays ≥ 0.5×);
 *  - programming: with N Services present, the time from creating one more to its ClusterIP
 *    answering from a pod (goal < 50 ms at 10,000; upstream's nftables kube-proxy: 141 ms).
 * The backend is Debian's nginx in a pod when installed (else a python server, said so).
 */
import { spawn, spawnSync } from 'node:child_process'
import { agentPid, fmt, median, startServer, type Server } from './lib.js'

const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0

type Obj = { metadata: { name: string; uid: string }; spec?: { clusterIP?: string; ports?: Array<{ nodePort?: number }> }; status?: { podIP?: string; phase?: string; loadBalancer?: { ingress?: Array<{ ip: string }> } } }

async function getObj(s: Server, path: string): Promise<Obj> {
  const r = await s.client.req('GET', path)
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`)
  return JSON.parse(r.body) as Obj
}

async function apply(s: Server, path: string, obj: unknown) {
  const r = await s.client.req('POST', path, obj)
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.body}`)
}

async function waitRunning(s: Server, name: string): Promise<Obj> {
  for (let i = 0; i < 600; i++) {
    const p = await getObj(s, `/api/v1/namespaces/default/pods/${name}`)
    if (p.status?.phase === 'Running' && p.status.podIP) return p
    await sleep(100)
  }
  throw new Error(`pod ${name} did not start`)
}

/** Runs argv inside a pod's network namespace (through the node's mount namespace, where /run/netns lives). */
function inPodNetns(agent: number, podUid: string, argv: string[]) {
  return ['nsenter', '-t', String(agent), '-m', '-n', '--', 'ip', 'netns', 'exec', `kl-${podUid}`, ...argv]
}

function wrk(argv: string[], url: string, seconds: number): { rps: number; p99: string } {
  const cmd = [...argv, 'wrk', '-t1', '-c32', `-d${seconds}s`, '--latency', url]
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: (seconds + 20) * 1000 })
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN)
  const p99 = /99%\s+(\S+)/.exec(r.stdout)?.[1] ?? '?'
  if (!Number.isFinite(rps)) throw new Error(`wrk ${url} failed: ${r.stdout} ${r.stderr}`)
  return { rps, p99 }
}

const NGINX_CONF = 'worker_processes 1; daemon off; pid /tmp/nginx.pid; error_log stderr;\n' +
  'events { worker_connections 1024; }\n' +
  'http { access_log off; client_body_temp_path /tmp/nb; proxy_temp_path /tmp/np; fastcgi_temp_path /tmp/nf; uwsgi_temp_path /tmp/nu; scgi_temp_path /tmp/ns;\n' +
  '  server { listen 8080; location / { return 200 "ok\\n"; } } }\n'

async function backendPod(s: Server): Promise<string> {
  const nginx = has('nginx')
  await apply(s, '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bench-nginx' }, data: { 'nginx.conf': NGINX_CONF } })
  await apply(s, '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'backend', labels: { app: 'backend' } },
    spec: {
      containers: [{
        name: 'web', image: nginx ? 'nginx' : 'python:3',
        command: nginx ? ['nginx', '-c', '/etc/bench/nginx.conf', '-p', '/tmp'] : ['python3', '-m', 'http.server', '8080'],
        ports: [{ containerPort: 8080 }],
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        volumeMounts: [{ name: 'conf', mountPath: '/etc/bench' }],
      }],
      volumes: [{ name: 'conf', configMap: { name: 'bench-nginx' } }],
    },
  })
  return nginx ? "Debian's nginx (return 200)" : 'python http.server (nginx is not installed)'
}

async function dataPath(quick: boolean, mode: 'nftables' | 'userspace') {
  const seconds = quick ? 3 : 5
  const s = await startServer({ datastore: 'sqlite', extraArgs: ['--image-fallback', 'host', '--proxy-mode', mode, '--ingress-http-port', '0', '--ingress-https-port', '0'] })
  try {
    const agent = await waitAgent(s)
    const kind = await backendPod(s)
    await apply(s, '/api/v1/namespaces/default/services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend' },
      spec: { type: 'LoadBalancer', selector: { app: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] },
    })
    await apply(s, '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'load' },
      spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
    })
    const backend = await waitRunning(s, 'backend')
    const load = await waitRunning(s, 'load')
    const svc = await getObj(s, '/api/v1/namespaces/default/services/backend')
    const clusterIP = svc.spec!.clusterIP!
    const nodePort = svc.spec!.ports![0]!.nodePort!
    const lbIP = svc.status!.loadBalancer!.ingress![0]!.ip
    const inLoad = inPodNetns(agent, load.metadata.uid, [])
    // Until the endpoint is programmed everywhere, the relays and the ClusterIP refuse.
    for (let i = 0; i < 100 && spawnSync('curl', ['-s', '-o', '/dev/null', '--max-time', '1', `http://${lbIP}/`]).status !== 0; i++) await sleep(100)
    const rounds = quick ? 1 : 3
    console.log(`\n# Service data path (${mode}): wrk -t1 -c32 ${seconds}s, ${rounds} alternating round(s), medians; backend: ${kind}`)
    const paths = [
      { label: 'direct to the pod IP (from a pod)', via: inLoad, url: `http://${backend.status!.podIP}:8080/` },
      { label: 'through the ClusterIP (from a pod)', via: inLoad, url: `http://${clusterIP}/`, goal: mode === 'nftables' ? ' [goal ≥ 0.95×]' : '' },
      { label: 'NodePort relay on 127.0.0.1 (from the host)', via: [], url: `http://127.0.0.1:${nodePort}/`, goal: ' [goal ≥ 0.5×]' },
      { label: 'LoadBalancer relay (from the host)', via: [], url: `http://${lbIP}/`, goal: ' [goal ≥ 0.5×]' },
    ]
    // Rounds alternate the paths, so a slow spell of the machine hits all of them alike.
    const results = paths.map(() => ({ rps: [] as number[], p99: [] as string[] }))
    for (let r = 0; r < rounds; r++) {
      paths.forEach((p, i) => {
        const w = wrk(p.via, p.url, seconds)
        results[i]!.rps.push(w.rps)
        results[i]!.p99.push(w.p99)
      })
    }
    const direct = median(results[0]!.rps)
    paths.forEach((p, i) => {
      const rps = median(results[i]!.rps)
      const ratio = i === 0 ? '' : `  (${fmt(rps / direct, 2)}× direct)${p.goal ?? ''}`
      line(`${p.label}, req/s, p99`, `${fmt(rps, 0)}  ${results[i]!.p99.join('/')}${ratio}`)
    })
  } finally {
    await s.stop()
  }
}

async function waitAgent(s: Server): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const nodes = JSON.parse((await s.client.req('GET', '/api/v1/nodes')).body) as { items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }> }
    const ready = nodes.items.some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    const pid = agentPid(s.dataDir)
    if (ready && pid) return pid
    await sleep(100)
  }
  throw new Error('the node did not become Ready')
}

/** With `count` Services present, creating one more → its ClusterIP answering from a pod. */
export async function programming(quick: boolean) {
  const count = quick ? 1000 : 10_000
  const s = await startServer({ datastore: 'sqlite', extraArgs: ['--image-fallback', 'host', '--ingress-http-port', '0', '--ingress-https-port', '0'] })
  try {
    const agent = await waitAgent(s)
    await backendPod(s)
    await apply(s, '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'load' },
      spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
    })
    await waitRunning(s, 'backend')
    const load = await waitRunning(s, 'load')
    console.log(`\n# Programming: ${count} Services (each with an endpoint), then one more → its ClusterIP answers from a pod`)
    const t0 = performance.now()
    let next = 0
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        await apply(s, '/api/v1/namespaces/default/services', {
          apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}` },
          spec: { selector: { app: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] },
        })
      }
    }
    await Promise.all(Array.from({ length: 32 }, worker))
    line(`created ${count} Services in, s`, fmt((performance.now() - t0) / 1000, 1))
    // Wait until the last of them answers: then the proxy has caught up.
    const last = await getObj(s, `/api/v1/namespaces/default/services/svc-${count - 1}`)
    await probeUntil(agent, load.metadata.uid, last.spec!.clusterIP!, 120_000)
    line(`all ${count} programmed after, s`, fmt((performance.now() - t0) / 1000, 1))
    const times: number[] = []
    const sliceTimes: number[] = []
    // When each new Service's EndpointSlice reaches a watcher: the control plane's share.
    const sliceSeen = new Map<string, number>()
    const watch = s.client.stream('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?watch=1&labelSelector=kubernetes.io%2Fservice-name', (l) => {
      const ev = JSON.parse(l) as { type: string; object: { metadata: { labels?: Record<string, string> } } }
      const svc = ev.object.metadata.labels?.['kubernetes.io/service-name']
      if (svc?.startsWith('extra-') && !sliceSeen.has(svc)) sliceSeen.set(svc, Date.now())
    })
    await watch.opened
    for (let k = 0; k < 5; k++) {
      const ip = `10.96.3.${10 + k}` // the static band: dynamic allocation uses the upper part of the range
      const prober = startProbe(agent, load.metadata.uid, ip)
      await prober.started
      const created = Date.now()
      await apply(s, '/api/v1/namespaces/default/services', {
        apiVersion: 'v1', kind: 'Service', metadata: { name: `extra-${k}` },
        spec: { clusterIP: ip, selector: { app: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] },
      })
      const answered = await prober.done
      times.push(answered - created)
      sliceTimes.push((sliceSeen.get(`extra-${k}`) ?? NaN) - created)
    }
    watch.close()
    line(`one more Service → its ClusterIP answers, ms (median of 5) [goal < 50]`, `${fmt(median(times), 1)}  (min ${fmt(Math.min(...times), 1)}, max ${fmt(Math.max(...times), 1)})`)
    line('  of which: create → its EndpointSlice seen by a watcher, ms', fmt(median(sliceTimes), 1))
  } finally {
    await s.stop()
  }
}

const PROBE = 'import socket,sys,time\nip=sys.argv[1]\nprint("go",flush=True)\nwhile True:\n  s=socket.socket(); s.settimeout(0.05)\n  try:\n    s.connect((ip,80)); print(int(time.time()*1000),flush=True); break\n  except OSError: time.sleep(0.0005)\n  finally: s.close()\n'

/** A prober in the pod's netns that reports (ms since the epoch) when ip:80 first accepts. */
function startProbe(agent: number, podUid: string, ip: string) {
  const argv = inPodNetns(agent, podUid, ['python3', '-c', PROBE, ip])
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  let resolveStarted!: () => void
  const started = new Promise<void>((r) => { resolveStarted = r })
  const done = new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
      if (out.startsWith('go\n')) resolveStarted()
      const m = /^go\n(\d+)\n/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`prober exited ${code}: ${out}`)))
  })
  const timer = setTimeout(() => child.kill(), 60_000)
  void done.finally(() => clearTimeout(timer)).catch(() => {})
  return { started, done }
}

async function probeUntil(agent: number, podUid: string, ip: string, timeoutMs: number) {
  const p = startProbe(agent, podUid, ip)
  await Promise.race([p.done, sleep(timeoutMs).then(() => { throw new Error(`${ip} never answered`) })])
}

export async function networkBench(quick: boolean): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('\n# Service benchmarks: skipped (they enter the node namespace with nsenter, which needs root)')
    return
  }
  if (!has('wrk')) console.log('\n# Service data path: skipped (wrk is not installed: apt-get install wrk)')
  else {
    if (has('nft')) await dataPath(quick, 'nftables')
    else console.log('\n# Service data path (nftables): skipped (nft is not installed: apt-get install nftables)')
    await dataPath(quick, 'userspace')
  }
  await programming(quick)
}

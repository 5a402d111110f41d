/**
 * @module
 * Cluster DNS throughput: kubelite's DNS server with a zone of 1,000 Services (ClusterIP and
 * headless, with EndpointSlices) under dnsperf on 127.0.0.1, once inside this process and
 * once in a child process of its own (an event loop nothing else touches, as in the agent).
 * The query mix is what pods send: Service A lookups, the NXDOMAINs of the `ndots:5` search
 * path, SRV, PTR, pod names. CoreDNS does 33,700 queries/s in the same set-up on 2 cores;
 * it is not installed here, so its line only says so.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { KubeObject } from '../src/api/index.js'
import { fakeInformers } from '../src/client/index.js'
import { createClusterZone, startDnsServer } from '../src/network/dns/index.js'
import { fmt } from './lib.js'

const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`)
const SERVICES = 1000

function zoneObjects(): KubeObject[] {
  const objs: KubeObject[] = []
  for (let i = 0; i < SERVICES; i++) {
    const ns = `ns-${i % 20}`
    const headless = i % 10 === 0
    objs.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: ns },
      spec: { clusterIP: headless ? 'None' : `10.96.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } } as KubeObject)
    objs.push({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: `svc-${i}-x`, namespace: ns, labels: { 'kubernetes.io/service-name': `svc-${i}` } }, addressType: 'IPv4',
      endpoints: [0, 1, 2].map((k) => ({ addresses: [`10.244.${(i * 3 + k) >> 8 & 255}.${(i * 3 + k) & 255}`], conditions: { ready: true } })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] } as KubeObject)
  }
  return objs
}

/** dnsperf's data file: the lookups pods make, weighted roughly as a busy cluster sees them. */
function queryFile(dir: string): string {
  const lines: string[] = []
  for (let i = 0; i < SERVICES; i++) {
    const name = `svc-${i}.ns-${i % 20}`
    lines.push(`${name}.svc.cluster.local A`, `${name}.svc.cluster.local A`, `${name}.svc.cluster.local AAAA`)
    lines.push(`${name}.svc.cluster.local.ns-${i % 20}.svc.cluster.local A`) // the search path's first miss
    if (i % 4 === 0) lines.push(`_http._tcp.${name}.svc.cluster.local SRV`)
    if (i % 4 === 1) lines.push(`${i & 255}.${i >> 8}.96.10.in-addr.arpa PTR`)
    if (i % 4 === 2) lines.push(`10-244-0-${i & 255}.ns-${i % 20}.pod.cluster.local A`)
  }
  const file = join(dir, 'queries.txt')
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}

type Perf = { qps: number; avgMs: number; maxMs: number; lost: string }

function dnsperf(port: number, file: string, seconds: number): Promise<Perf> {
  return new Promise((resolve, reject) => {
    const child = spawn('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(seconds), '-c', '4', '-Q', '200000'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('close', () => {
      const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN)
      const qps = num(/Queries per second:\s+([\d.]+)/)
      if (Number.isNaN(qps)) return reject(new Error(`dnsperf: ${out}`))
      resolve({
        qps, avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000, maxMs: num(/max ([\d.]+)\)/) * 1000,
        lost: /Queries lost:\s+(\S+ \([\d.]+%\))/.exec(out)?.[1] ?? '?',
      })
    })
  })
}

/** The server as the agent runs it: in a process of its own. Prints its port, serves until killed. */
export async function serveChild(): Promise<void> {
  const informers = fakeInformers(zoneObjects())
  const server = await startDnsServer({ zone: createClusterZone({ informers }), listen: [{ host: '127.0.0.1', port: 0 }] })
  console.log(`port ${server.addresses[0]!.port}`)
}

async function inChild(file: string, seconds: number): Promise<Perf> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--dns-child'], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d) => {
        out += d
        const m = /port (\d+)/.exec(out)
        if (m) resolve(Number(m[1]))
      })
      child.once('exit', (code) => reject(new Error(`DNS child exited ${code}`)))
    })
    return await dnsperf(port, file, seconds)
  } finally {
    child.kill()
  }
}

export async function dnsBench(quick: boolean): Promise<void> {
  const seconds = quick ? 3 : 10
  console.log(`\n# Cluster DNS: ${SERVICES} Services, dnsperf -c 4 -l ${seconds} on 127.0.0.1 (A, AAAA, search-path NXDOMAIN, SRV, PTR, pod)`)
  if (spawnSync('dnsperf', ['-h']).error) {
    line('dnsperf', 'not installed (Debian: dnsperf); nothing measured')
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-dns-bench-'))
  const informers = fakeInformers(zoneObjects())
  const zone = createClusterZone({ informers })
  const server = await startDnsServer({ zone, listen: [{ host: '127.0.0.1', port: 0 }] })
  try {
    const file = queryFile(dir)
    const here = await dnsperf(server.addresses[0]!.port, file, seconds)
    const stats = server.stats()
    line('in process: queries/s  [goal ≥ 30,000; CoreDNS 33,700]', fmt(here.qps, 0))
    line('in process: latency avg / max, ms', `${fmt(here.avgMs, 2)} / ${fmt(here.maxMs, 1)}  (lost ${here.lost})`)
    line('in process: answered from the response cache', `${fmt((100 * stats.cacheHits) / Math.max(1, stats.queries), 1)}%`)
    const cold = await startDnsServer({ zone, listen: [{ host: '127.0.0.1', port: 0 }], maxCacheEntries: 1 })
    const miss = await dnsperf(cold.addresses[0]!.port, file, seconds).finally(() => cold.close())
    line('in process, uncached (a cache of 1 entry): queries/s', fmt(miss.qps, 0))
    const child = await inChild(file, seconds)
    line('own process: queries/s  [goal ≥ 30,000]', fmt(child.qps, 0))
    line('own process: latency avg / max, ms', `${fmt(child.avgMs, 2)} / ${fmt(child.maxMs, 1)}  (lost ${child.lost})`)
    line('CoreDNS (peer)', spawnSync('coredns', ['-version']).error ? 'not installed; its published figure is 33,700 queries/s' : 'installed but not run by this bench')
  } finally {
    await server.close()
    zone.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--dns-child' && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await serveChild()

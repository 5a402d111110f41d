/**
 * @module
 * The API server's benchmarks (issue: the API server): start-up, idle memory, writes over
 * HTTPS on sqlite and memory (and etcd's own put path beside them when installed), list
 * latency, and watch fan-out latency. Prints figures; asserts nothing.
 *
 *   npm run bench            all of it
 *   npm run bench -- quick   smaller counts, for a smoke run
 *   npm run bench -- sim     one section (startup, writes, lists, watches, sim, deployment, node,
 *                            network, dns, ingress, memory, up)
 */
import { bigDeployment, simScale } from './control-plane.js'
import { nodeBench } from './node.js'
import { networkBench } from './network.js'
import { dnsBench } from './dns.js'
import { ingressBench } from './ingress.js'
import { upBench } from './up.js'
import { clusterMemory } from './cluster-memory.js'
import { etcdWrites } from './etcd-peer.js'
import { fmt, load, median, percentile, rssMb, startServer, type Server } from './lib.js'

const quick = process.argv.includes('quick')
const WRITES = quick ? 2000 : 10_000
const CONCURRENCY = 50
const LIST_OBJECTS = quick ? 2000 : 10_000
const WATCHERS = quick ? 20 : 100
const WATCH_EVENTS = quick ? 1000 : 10_000

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { key: 'value'.repeat(20) } })
const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`)

async function ensureNamespace(s: Server, ns: string) {
  await s.client.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
}

async function startup() {
  console.log('\n# Start: process start → /readyz 200 (median of 5)')
  const cold: number[] = []
  const warm: number[] = []
  let rss = NaN
  let settled = NaN
  for (let i = 0; i < 5; i++) {
    const s = await startServer({ datastore: 'sqlite' })
    cold.push(s.startedMs)
    const dataDir = s.dataDir
    s.child.kill('SIGTERM')
    await new Promise((r) => s.child.once('exit', r))
    const w = await startServer({ datastore: 'sqlite', dataDir })
    warm.push(w.startedMs)
    if (i === 4) {
      await new Promise((r) => setTimeout(r, 2000))
      rss = rssMb(w.pid)
      // V8's memory reducer returns start-up garbage after some seconds without allocation.
      await new Promise((r) => setTimeout(r, 13_000))
      settled = rssMb(w.pid)
    }
    await w.stop()
    await s.stop()
  }
  line('first start (generates CA and certificates), ms', `${fmt(median(cold))}  (min ${fmt(Math.min(...cold))}, max ${fmt(Math.max(...cold))})`)
  line('later start (existing data dir), ms  [goal < 300]', `${fmt(median(warm))}  (min ${fmt(Math.min(...warm))}, max ${fmt(Math.max(...warm))})`)
  line('RSS 2 s after start, MB', fmt(rss))
  line('RSS idle (15 s after start), MB  [goal < 60]', fmt(settled))
}

async function writes() {
  console.log(`\n# Writes: ${WRITES} ConfigMap creates, ${CONCURRENCY} concurrent clients, HTTPS`)
  const results: Record<string, Awaited<ReturnType<typeof load>>> = {}
  for (const datastore of ['sqlite', 'memory'] as const) {
    const s = await startServer({ datastore })
    try {
      await ensureNamespace(s, 'bench')
      results[datastore] = await load(WRITES, CONCURRENCY, async (i) => {
        const r = await s.client.req('POST', '/api/v1/namespaces/bench/configmaps', configMap(`cm-${i}`))
        if (r.status !== 201) throw new Error(`create: ${r.status} ${r.body}`)
      })
      line(`${datastore}: creates/s  [goal ≥ 5000 on sqlite]`, fmt(results[datastore].perSecond, 0))
      line(`${datastore}: latency p50 / p99, ms  [goal p99 < 20]`, `${fmt(results[datastore].p50, 2)} / ${fmt(results[datastore].p99, 2)}`)
      line(`${datastore}: server RSS after the writes, MB`, fmt(rssMb(s.pid)))
    } finally {
      await s.stop()
    }
  }
  const etcd = await etcdWrites(WRITES, CONCURRENCY, JSON.stringify(configMap('cm-00000')).length + 200)
  if (etcd) {
    line('etcd (peer): raw puts/s over its HTTP gateway', fmt(etcd.perSecond, 0))
    line('etcd (peer): latency p50 / p99, ms', `${fmt(etcd.p50, 2)} / ${fmt(etcd.p99, 2)}`)
    line('ratio kubelite sqlite creates/s ÷ etcd puts/s', fmt(results.sqlite!.perSecond / etcd.perSecond, 2))
  } else {
    line('etcd (peer)', 'not installed (Debian: etcd-server); no ratio printed')
  }
}

async function lists() {
  console.log(`\n# Reads: list of ${LIST_OBJECTS} ConfigMaps (20 lists after a warm-up)`)
  const s = await startServer({ datastore: 'sqlite' })
  try {
    await ensureNamespace(s, 'bench')
    await load(LIST_OBJECTS, CONCURRENCY, async (i) => {
      const r = await s.client.req('POST', '/api/v1/namespaces/bench/configmaps', configMap(`cm-${i}`))
      if (r.status !== 201) throw new Error(`create: ${r.status}`)
    })
    await s.client.req('GET', '/api/v1/namespaces/bench/configmaps')
    const times: number[] = []
    for (let i = 0; i < 20; i++) {
      const t = performance.now()
      const r = await s.client.req('GET', '/api/v1/namespaces/bench/configmaps')
      times.push(performance.now() - t)
      if (JSON.parse(r.body).items.length !== LIST_OBJECTS) throw new Error('short list')
    }
    times.sort((a, b) => a - b)
    line('list latency p50 / p99, ms  [goal p99 < 100]', `${fmt(percentile(times, 50))} / ${fmt(percentile(times, 99))}`)
    const tables: number[] = []
    for (let i = 0; i < 10; i++) {
      const t = performance.now()
      await s.client.req('GET', '/api/v1/namespaces/bench/configmaps', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })
      tables.push(performance.now() - t)
    }
    line('list as Table (kubectl get) median, ms', fmt(median(tables)))
  } finally {
    await s.stop()
  }
}

async function watches() {
  console.log(`\n# Watch: ${WATCHERS} watchers × ${WATCH_EVENTS} events, delivery latency (write sent → event received)`)
  const s = await startServer({ datastore: 'sqlite' })
  const streams: { close(): void }[] = []
  try {
    await ensureNamespace(s, 'bench')
    const sent = new Map<string, number>()
    const latencies: number[] = []
    let received = 0
    for (let w = 0; w < WATCHERS; w++) {
      const st = s.client.stream('/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=1', (l) => {
        const name = /"name":"(cm-\d+)"/.exec(l)?.[1]
        const t0 = name && sent.get(name)
        if (t0) latencies.push(performance.now() - t0)
        received++
      })
      await st.opened
      streams.push(st)
    }
    await load(WATCH_EVENTS, CONCURRENCY, async (i) => {
      const name = `cm-${i}`
      sent.set(name, performance.now())
      const r = await s.client.req('POST', '/api/v1/namespaces/bench/configmaps', configMap(name))
      if (r.status !== 201) throw new Error(`create: ${r.status}`)
    })
    const deadline = Date.now() + 60_000
    while (received < WATCHERS * WATCH_EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    latencies.sort((a, b) => a - b)
    line('events delivered / expected', `${received} / ${WATCHERS * WATCH_EVENTS}`)
    line('delivery latency p50 / p99, ms', `${fmt(percentile(latencies, 50), 2)} / ${fmt(percentile(latencies, 99), 2)}`)
  } finally {
    for (const st of streams) st.close()
    await s.stop()
  }
}

const only = process.argv.slice(2).filter((a) => a !== 'quick' && a !== '--')
const sim = () => (quick ? simScale(500, 1000) : simScale(5000, 10_000))
const deployment = () => bigDeployment(quick ? 200 : 1000, quick ? 20 : 100)
const node = () => nodeBench(quick ? 20 : 100, quick ? 50 : 500)
const network = () => networkBench(quick)
const dns = () => dnsBench(quick)
const ingress = () => ingressBench(quick)
const sections: Record<string, () => Promise<void>> = { startup, writes, lists, watches, sim, deployment, node, network, dns, ingress, memory: clusterMemory, up: upBench }
for (const [name, fn] of Object.entries(sections)) if (!only.length || only.includes(name)) await fn()

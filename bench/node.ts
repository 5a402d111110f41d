/**
 * @module
 * Node benchmarks against `kubelite server` with its embedded agent (real pods):
 *  - pod start-up latency: N pods of a trivial command, creation → Running as the pod's
 *    status says (upstream's SLO is 5 s at p99; a kubeadm cluster typically takes ~2 s);
 *  - density: the agent's RSS idle and with N idle pods, and the overhead per pod (every
 *    process of the node that is not a container's own command: agent, shims, inits);
 *  - probes: M pods with 1 s HTTP readiness probes, and the agent's CPU while they run.
 * No peer runs here: no other kubelet is on the machine.
 */
import { readFileSync } from 'node:fs'
import { agentPid, fmt, percentile, processChildren, procStatus, rssKb, startServer, waitNodeReady, type Server } from './lib.js'

const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`)
type Pod = { metadata: { name: string; creationTimestamp: string }; status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[]; containerStatuses?: { state?: { running?: { startedAt: string } } }[] } }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Proportional set size: shared pages (libc of a hundred shims) counted once, split among their users. */
const pssKb = (pid: number) => {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}
const cpuTicks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return Number(f[11]) + Number(f[12]) // utime + stime
}

/** Every process of the node's PID namespace (the agent's descendants), by pid → comm. */
function nodeProcesses(agent: number): Map<number, string> {
  const children = processChildren()
  const out = new Map<number, string>()
  const walk = (pid: number) => {
    out.set(pid, /Name:\s+(\S+)/.exec(procStatus(pid))?.[1] ?? '?')
    for (const c of children.get(pid) ?? []) walk(c)
  }
  walk(agent)
  return out
}

const podBody = (name: string, container: object) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { bench: 'node' } },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', ...container }] },
})

async function createAll(s: Server, ns: string, bodies: object[], perSecond: number) {
  const gap = 1000 / perSecond
  const t0 = performance.now()
  await Promise.all(bodies.map(async (b, i) => {
    await sleep(Math.max(0, t0 + i * gap - performance.now()))
    const r = await s.client.req('POST', `/api/v1/namespaces/${ns}/pods`, b)
    if (r.status !== 201) throw new Error(`create pod: ${r.status} ${r.body}`)
  }))
}

async function listPods(s: Server, ns: string): Promise<Pod[]> {
  return JSON.parse((await s.client.req('GET', `/api/v1/namespaces/${ns}/pods`)).body).items
}

async function waitAll(s: Server, ns: string, n: number, pred: (p: Pod) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const pods = await listPods(s, ns)
    if (pods.filter(pred).length >= n) return pods
    if (Date.now() > deadline) throw new Error(`${pods.filter(pred).length}/${n} pods after ${timeoutMs} ms`)
    await sleep(200)
  }
}

const readyAt = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime

export async function nodeBench(pods: number, probePods: number) {
  console.log(`\n== node: ${pods} pods start-up and density, ${probePods} pods with 1 s HTTP readiness probes ==`)
  const s = await startServer({ datastore: 'sqlite', extraArgs: ['--image-fallback', 'host', '--max-pods', String(Math.max(110, probePods + 10)), '--node-cidr-mask-size', '22'] })
  try {
    await waitNodeReady(s)
    const agent = agentPid(s.dataDir)
    if (!agent) throw new Error('agent process not found')
    await sleep(1000)
    const idleKb = rssKb(agent)
    line('agent RSS, idle (MB)', fmt(idleKb / 1024))

    // Start-up latency: creationTimestamp → the Running container's startedAt and → Ready, both
    // as the kubelet wrote them (whole seconds in the API), plus the time we observed Running.
    await s.client.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'startup' } })
    const observed = new Map<string, number>()
    const created = new Map<string, number>()
    const bodies = Array.from({ length: pods }, (_, i) => podBody(`p-${i}`, { command: ['sleep', '3600'] }))
    const watch = s.client.stream('/api/v1/namespaces/startup/pods?watch=1', (l) => {
      const ev = JSON.parse(l) as { object: Pod }
      const name = ev.object.metadata.name
      if (ev.object.status?.phase === 'Running' && !observed.has(name)) observed.set(name, performance.now())
    })
    await watch.opened
    const t0 = performance.now()
    await Promise.all(bodies.map(async (b, i) => {
      await sleep(Math.max(0, t0 + i * 50 - performance.now()))
      created.set(`p-${i}`, performance.now())
      const r = await s.client.req('POST', '/api/v1/namespaces/startup/pods', b)
      if (r.status !== 201) throw new Error(`create pod: ${r.status} ${r.body}`)
    }))
    const deadline = Date.now() + 120_000
    while (observed.size < pods && Date.now() < deadline) await sleep(50)
    watch.close()
    const lat = [...observed].map(([n, t]) => t - created.get(n)!).sort((a, b) => a - b)
    line(`pods Running (of ${pods}), created at 20/s`, String(observed.size))
    line('creation → Running observed, p50 / p99 (ms) [goal p99 < 250]', `${fmt(percentile(lat, 50))} / ${fmt(percentile(lat, 99))}`)

    await sleep(2000)
    const procs = nodeProcesses(agent)
    let overheadKb = 0
    let workloadKb = 0
    for (const [pid, name] of procs) {
      if (pid === agent) continue
      if (name === 'kubelite-shim') overheadKb += pssKb(pid)
      else workloadKb += pssKb(pid)
    }
    const busyKb = rssKb(agent)
    line(`agent RSS with ${pods} pods (MB)`, fmt(busyKb / 1024))
    line('per-pod overhead: agent RSS growth + shims\' PSS, per pod (KB)', fmt(((busyKb - idleKb) + overheadKb) / pods, 0))
    line('the pods\' own commands, total PSS (MB)', fmt(workloadKb / 1024))
    await s.client.req('DELETE', '/api/v1/namespaces/startup')

    // Probes: one HTTP server pod; M pods whose readiness probe GETs it every second.
    await s.client.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'probes' } })
    await createAll(s, 'probes', [podBody('target', { image: 'python:3', command: ['python3', '-m', 'http.server', '8080'] })], 1)
    const [target] = await waitAll(s, 'probes', 1, (p) => p.status?.phase === 'Running' && !!p.status.podIP, 60_000)
    await sleep(1000)
    const probeBodies = Array.from({ length: probePods }, (_, i) => podBody(`q-${i}`, {
      command: ['sleep', '3600'],
      readinessProbe: { httpGet: { host: target!.status!.podIP, port: 8080, path: '/' }, periodSeconds: 1 },
    }))
    await createAll(s, 'probes', probeBodies, 50)
    await waitAll(s, 'probes', probePods, (p) => p.metadata.name.startsWith('q-') && !!readyAt(p), 300_000)
    const c0 = cpuTicks(agent)
    const w0 = performance.now()
    await sleep(10_000)
    const cpu = ((cpuTicks(agent) - c0) / 100) / ((performance.now() - w0) / 1000)
    line(`agent CPU with ${probePods} pods probed every 1 s (% of a core)`, fmt(cpu * 100))
    line('agent RSS with those pods (MB)', fmt(rssKb(agent) / 1024))
  } finally {
    await s.stop()
  }
}

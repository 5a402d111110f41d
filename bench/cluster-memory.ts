/**
 * @module
 * The whole cluster's memory (issue: the cluster under 150 MB RSS): sums the VmRSS of every
 * process kubelite itself runs — the server, the node agent and their helpers (the namespace
 * launcher, `nft -i`, ...). Pods' processes (each kubelite-shim and everything under it) are
 * not the cluster's own and are only counted for information. `npm run bench -- memory`
 * measures the idle cluster; the `up` section measures it with the tasks demo running.
 */
import { agentPid, fmt, processChildren, procStatus, rssKb, startServer, waitNodeReady } from './lib.js'

const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export type ClusterMemory = {
  serverMb: number
  agentMb: number
  /** Every other process of the cluster's own, by pid: the launcher, nft, ... */
  helpers: Array<{ pid: number; name: string; mb: number }>
  totalMb: number
  /** Pods' own processes (not in the total), for information. */
  pods: { processes: number; mb: number }
}

const comm = (pid: number) => /Name:\s+(\S+)/.exec(procStatus(pid))?.[1] ?? '?'

/** One sample of the process tree under the server. */
export function measure(serverPid: number, agent: number | undefined): ClusterMemory {
  const kids = processChildren()
  const helpers: ClusterMemory['helpers'] = []
  const pods = { processes: 0, mb: 0 }
  const walk = (pid: number, inPod: boolean) => {
    const name = comm(pid)
    const pod = inPod || name === 'kubelite-shim'
    if (pod) {
      pods.processes++
      pods.mb += rssKb(pid) / 1024
    } else if (pid !== serverPid && pid !== agent) {
      helpers.push({ pid, name, mb: rssKb(pid) / 1024 })
    }
    for (const c of kids.get(pid) ?? []) walk(c, pod)
  }
  walk(serverPid, false)
  const serverMb = rssKb(serverPid) / 1024
  const agentMb = agent ? rssKb(agent) / 1024 : 0
  return { serverMb, agentMb, helpers, totalMb: serverMb + agentMb + helpers.reduce((a, h) => a + h.mb, 0), pods }
}

/**
 * The cluster settled: one sample a second for `settleMs`, the median of the last 10 s (a GC in
 * the middle of one sample does not decide the figure; V8 gives start-up garbage back after
 * some seconds), and the highest of them.
 */
export async function settledMemory(serverPid: number, agent: number | undefined, settleMs = 20_000): Promise<{ median: ClusterMemory; maxMb: number }> {
  const samples: ClusterMemory[] = []
  const t0 = Date.now()
  while (Date.now() - t0 < settleMs) {
    await sleep(1000)
    if (Date.now() - t0 > settleMs - 10_000) samples.push(measure(serverPid, agent))
  }
  const sorted = [...samples].sort((a, b) => a.totalMb - b.totalMb)
  return { median: sorted[Math.floor(sorted.length / 2)]!, maxMb: sorted[sorted.length - 1]!.totalMb }
}

/** Each process's share and the total, as the benches print them. */
export function printMemory(m: ClusterMemory, maxMb: number, goal = 150): void {
  line('server RSS (MB)', fmt(m.serverMb))
  line('node agent RSS (MB)', fmt(m.agentMb))
  for (const h of m.helpers) line(`helper ${h.name} RSS (MB)`, fmt(h.mb))
  line(`cluster total RSS, median while settled (MB)  [goal < ${goal}]`, fmt(m.totalMb))
  line('cluster total RSS, highest sample while settled (MB)', fmt(maxMb))
  line('pods\' own processes, not counted (count / RSS MB)', `${m.pods.processes} / ${fmt(m.pods.mb)}`)
}

/** The idle cluster: a server with its node, nothing applied. */
export async function clusterMemory(): Promise<void> {
  console.log('\n# Cluster memory, idle: server + node agent + helpers (settled 20 s)')
  const s = await startServer({ datastore: 'sqlite', extraArgs: ['--image-fallback', 'host', '--ingress-http-port', '0', '--ingress-https-port', '0'] })
  try {
    await waitNodeReady(s)
    const agent = agentPid(s.dataDir)
    if (!agent) throw new Error('agent process not found')
    const { median, maxMb } = await settledMemory(s.pid, agent)
    printMemory(median, maxMb)
  } finally {
    await s.stop()
  }
}

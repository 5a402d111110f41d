/**
 * @module
 * The whole cluster's memory (issue: an idle cluster under 150 MB RSS): starts `kubelite server`
 * with its node, optionally runs the tasks demo (examples/tasks-app), lets it settle, and sums the
 * VmRSS of every process kubelite itself runs: the server, the node agent, and their helpers (the
 * namespace launcher, `nft -i`, ...). Pods' processes — each kubelite-shim and everything under
 * it — are not the cluster's own and are only counted for information.
 *
 *   node dist/bench/cluster-memory.js [tasks-app] [--pool CIDR] [--settle SECONDS]
 */
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { agentPid, CLI, fmt, processChildren, procStatus, rssKb, startServer, type Server } from './lib.js'

const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0

export type ClusterMemoryOptions = {
  /** What runs in the cluster while it is measured (default: nothing). */
  workload?: 'none' | 'tasks-app'
  /** How long the cluster idles while it is measured (samples in the last 10 s): V8 gives start-up garbage back after some seconds. */
  settleMs?: number
  /** LoadBalancer pool (several clusters on one machine must not share addresses). */
  loadBalancerPool?: string
}

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

async function waitNodeReady(s: Server) {
  for (let i = 0; i < 600; i++) {
    const r = await s.client.req('GET', '/api/v1/nodes')
    const nodes = JSON.parse(r.body).items as { status?: { conditions?: { type: string; status: string }[] } }[]
    if (nodes.some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))) return
    await sleep(100)
  }
  throw new Error('no node became Ready')
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}${r.stdout}`)
}

/** The tasks demo as its test.sh runs it: four images, the manifests, every rollout complete. */
function startTasksApp(s: Server) {
  const app = join(REPO, 'examples', 'tasks-app')
  const build = (tag: string, ...rest: string[]) => run(process.execPath, [CLI, 'image', 'build', '-q', '--data-dir', s.dataDir, '-t', tag, ...rest])
  build('tasks-app/auth:latest', join(app, 'auth-api'))
  build('tasks-app/users:latest', join(app, 'users-api'))
  build('tasks-app/tasks:latest', join(app, 'tasks-api'))
  // As test.sh: nginx when the host has it, else the Node frontend (TASKS_APP_FRONTEND=node|nginx forces one).
  const frontend = process.env.TASKS_APP_FRONTEND || (has('nginx') ? 'nginx' : 'node')
  if (frontend === 'nginx') build('tasks-app/frontend:latest', join(app, 'frontend'))
  else build('tasks-app/frontend:latest', '-f', join(app, 'frontend-node', 'Dockerfile'), app)
  line('tasks-app frontend', frontend)
  const env = { KUBECONFIG: join(s.dataDir, 'kubeconfig.yaml') }
  run('kubectl', ['apply', '-f', join(app, 'kubernetes')], env)
  for (const d of ['auth', 'users', 'tasks', 'frontend']) run('kubectl', ['rollout', 'status', `deployment/${d}-deployment`, '--timeout=180s'], env)
}

export async function clusterMemory(opts: ClusterMemoryOptions = {}): Promise<ClusterMemory> {
  let workload = opts.workload ?? 'none'
  const settleMs = Math.max(opts.settleMs ?? 20_000, 1000)
  console.log(`\n== cluster memory: server + node agent + helpers, ${workload === 'none' ? 'idle' : `running ${workload}`} ==`)
  if (workload === 'tasks-app' && !has('kubectl')) {
    line('tasks-app', 'skipped: kubectl is not installed; measuring the idle cluster')
    workload = 'none'
  }
  const s = await startServer({
    datastore: 'sqlite',
    extraArgs: ['--image-fallback', 'host', '--ingress-http-port', '0', '--ingress-https-port', '0',
      ...(opts.loadBalancerPool ? ['--load-balancer-pool', opts.loadBalancerPool] : [])],
  })
  try {
    await waitNodeReady(s)
    const agent = agentPid(s.dataDir)
    if (!agent) throw new Error('agent process not found')
    if (workload === 'tasks-app') startTasksApp(s)
    const busy = measure(s.pid, agent)
    // The median of one sample a second over the settle period's last 10 s: a GC in the
    // middle of one sample does not decide the figure.
    const samples: ClusterMemory[] = []
    const t0 = Date.now()
    while (Date.now() - t0 < settleMs) {
      await sleep(1000)
      if (Date.now() - t0 > settleMs - 10_000) samples.push(measure(s.pid, agent))
    }
    const mid = <T>(xs: T[], key: (x: T) => number) => [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)]!
    const m = mid(samples, (x) => x.totalMb)
    const max = Math.max(...samples.map((x) => x.totalMb))
    line('server RSS (MB)', fmt(m.serverMb))
    line('node agent RSS (MB)', fmt(m.agentMb))
    for (const h of m.helpers) line(`helper ${h.name} RSS (MB)`, fmt(h.mb))
    line(`cluster total RSS, median of ${samples.length} samples (MB)  [goal < 150]`, fmt(m.totalMb))
    line('cluster total RSS, highest sample while settled (MB)', fmt(max))
    line('cluster total RSS right after start-up/rollout (MB)', fmt(busy.totalMb))
    line('pods\' own processes, not counted (count / RSS MB)', `${m.pods.processes} / ${fmt(m.pods.mb)}`)
    return m
  } finally {
    await s.stop()
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2)
  const opt = (name: string) => {
    const i = argv.indexOf(name)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const settle = opt('--settle')
  await clusterMemory({
    workload: argv.includes('tasks-app') ? 'tasks-app' : 'none',
    loadBalancerPool: opt('--pool'),
    settleMs: settle === undefined ? undefined : Number(settle) * 1000,
  })
}

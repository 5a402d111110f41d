/**
 * @module
 * Benchmark plumbing: start a kubelite server process, an HTTPS client with the admin
 * certificate, percentiles. Benchmarks print figures; they assert nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:https'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js')

export type Server = { url: string; pid: number; child: ChildProcess; dataDir: string; startedMs: number; client: Client; stop(): Promise<void> }

export async function startServer(opts: { datastore: 'sqlite' | 'memory'; dataDir?: string; extraArgs?: string[] }): Promise<Server> {
  const scratch = opts.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'kubelite-bench-'))
  const dataDir = opts.dataDir ?? join(scratch!, 'data')
  const t0 = performance.now()
  const child = spawn(process.execPath, [CLI, 'server', '--data-dir', dataDir, '--port', '0', '--datastore', opts.datastore, ...(opts.extraArgs ?? ['--disable-agent'])], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  const ready = await new Promise<{ url: string; kubeconfig: string }>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      log += d
      const m = /API server ready at (\S+) \(kubeconfig: ([^)]+)\)/.exec(log)
      if (m) resolve({ url: m[1]!, kubeconfig: m[2]! })
    })
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${log}`)))
  })
  const client = clientFor(ready.kubeconfig)
  // Ready means /readyz answers 200, as a probe would see it.
  while ((await client.req('GET', '/readyz').catch(() => ({ status: 0 }))).status !== 200) await new Promise((r) => setTimeout(r, 5))
  const startedMs = performance.now() - t0
  return {
    url: ready.url, pid: child.pid!, child, dataDir, startedMs, client,
    async stop() {
      client.close()
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      if (scratch) rmSync(scratch, { recursive: true, force: true })
    },
  }
}

export type Client = {
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: string }>
  stream(path: string, onLine: (line: string) => void): { close(): void; opened: Promise<void> }
  close(): void
}

export function clientFor(kubeconfigPath: string, maxSockets = 64): Client {
  const cfg = parse(readFileSync(kubeconfigPath, 'utf8'))
  const cluster = cfg.clusters[0].cluster
  const user = cfg.users[0].user
  const url = new URL(cluster.server)
  const agent = new Agent({
    keepAlive: true, maxSockets,
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(user['client-certificate-data'], 'base64'),
    key: Buffer.from(user['client-key-data'], 'base64'),
  })
  const base = { hostname: url.hostname, port: url.port, agent }
  return {
    req(method, path, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
        const r = request({ ...base, method, path, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
          let out = ''
          res.setEncoding('utf8')
          res.on('data', (d) => (out += d))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: out }))
        })
        r.on('error', reject)
        r.end(data)
      })
    },
    stream(path, onLine) {
      let close = () => {}
      const opened = new Promise<void>((resolve, reject) => {
        const r = request({ ...base, method: 'GET', path, agent: new Agent({ ...agent.options, keepAlive: false }) }, (res) => {
          resolve()
          let buf = ''
          res.setEncoding('utf8')
          res.on('data', (d: string) => {
            buf += d
            let i
            while ((i = buf.indexOf('\n')) >= 0) {
              onLine(buf.slice(0, i))
              buf = buf.slice(i + 1)
            }
          })
          res.on('error', () => {})
        })
        r.on('error', (e) => reject(e))
        r.end()
        close = () => r.destroy()
      })
      return { close: () => close(), opened }
    },
    close: () => agent.destroy(),
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
export const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50)
export const fmt = (n: number, digits = 1) => n.toFixed(digits)

/** Runs `total` tasks with `concurrency` workers; returns each task's latency in ms and the wall time. */
export async function load(total: number, concurrency: number, task: (i: number) => Promise<void>) {
  const lat: number[] = []
  let next = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < total; i = next++) {
      const s = performance.now()
      await task(i)
      lat.push(performance.now() - s)
    }
  }))
  const wallMs = performance.now() - t0
  lat.sort((a, b) => a - b)
  return { wallMs, perSecond: (total / wallMs) * 1000, p50: percentile(lat, 50), p99: percentile(lat, 99) }
}

/** /proc/PID/status, or '' once the process is gone. */
export function procStatus(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return ''
  }
}

/** VmRSS in kB; 0 for a process that is gone. */
export const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(procStatus(pid))?.[1] ?? 0)

/** Every process's children, by parent pid (a snapshot of /proc). */
export function processChildren(): Map<number, number[]> {
  const kids = new Map<number, number[]>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    const ppid = Number(/PPid:\s+(\d+)/.exec(procStatus(Number(d)))?.[1] ?? 0)
    ;(kids.get(ppid) ?? kids.set(ppid, []).get(ppid)!).push(Number(d))
  }
  return kids
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

/** The node agent inside the node's namespaces: the process with --in-node-namespace and our data dir. */
export function agentPid(dataDir: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')
      if (args.includes('--in-node-namespace') && args.includes(dataDir) && !args[0]?.endsWith('unshare')) return Number(d)
    } catch {
      // gone
    }
  }
  return undefined
}

/** Waits until a node of the server's reports Ready (60 s at most). */
export async function waitNodeReady(s: Server) {
  for (let i = 0; i < 600; i++) {
    const r = await s.client.req('GET', '/api/v1/nodes')
    const nodes = JSON.parse(r.body).items as { status?: { conditions?: { type: string; status: string }[] } }[]
    if (nodes.some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('no node became Ready')
}

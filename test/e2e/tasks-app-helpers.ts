/**
 * @module
 * Shared setup for the tasks-app suites (the browser test and the zero-downtime test): a
 * throwaway cluster with a node, the example's images built into its store, the manifests of
 * examples/tasks-app/kubernetes/ applied and rolled out, and small HTTP helpers to sign up and
 * log in the way test.sh does.
 */
import { spawn, spawnSync } from 'node:child_process'
import http from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CLI, poll, startCluster, type Cluster } from './harness.js'
import { waitNodeReady } from './node-helpers.js'

/** The repository root, from dist/test/e2e/. */
export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const APP = join(repo, 'examples', 'tasks-app')
export const DEPLOYMENTS = ['auth', 'users', 'tasks', 'frontend'] as const

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0

/** Why the tasks app cannot run here, or undefined. */
export function tasksAppSkip(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (the tasks app runs on a node with the namespaces runtime)'
  if (!has('kubectl')) return 'kubectl is not installed'
  return undefined
}

/** nginx when the host has it (its image runs on the host's nginx), else the Node frontend; TASKS_APP_FRONTEND forces one, as in test.sh. */
export function frontendVariant(): 'nginx' | 'node' {
  const forced = process.env.TASKS_APP_FRONTEND
  if (forced === 'nginx' || forced === 'node') return forced
  return has('nginx') ? 'nginx' : 'node'
}

export type TasksApp = {
  c: Cluster
  frontend: 'nginx' | 'node'
  /** http://<frontend LoadBalancer IP> (port 80). */
  frontendUrl: string
  /** http://<users LoadBalancer IP>:8080. */
  usersUrl: string
  /** Cluster state, events and logs, for a failure message. */
  diagnostics(): Promise<string>
  stop(): Promise<void>
}

/** Runs the kubelite CLI to completion; throws with its output on failure. */
function cli(args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (d) => (out += d))
    p.stderr.on('data', (d) => (out += d))
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs)
    p.on('close', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`kubelite ${args.join(' ')} exited ${code}:\n${out}`))
    })
  })
}

/** Builds the four images as test.sh does, into the cluster's data dir. */
export async function buildImages(c: Cluster, frontend: 'nginx' | 'node'): Promise<void> {
  const build = (tag: string, ...rest: string[]) => cli(['image', 'build', '-q', '--data-dir', c.dataDir, '-t', tag, ...rest])
  await build('tasks-app/auth:latest', join(APP, 'auth-api'))
  await build('tasks-app/users:latest', join(APP, 'users-api'))
  await build('tasks-app/tasks:latest', join(APP, 'tasks-api'))
  if (frontend === 'nginx') await build('tasks-app/frontend:latest', join(APP, 'frontend'))
  else await build('tasks-app/frontend:latest', '-f', join(APP, 'frontend-node', 'Dockerfile'), APP)
}

/** The first LoadBalancer ingress IP of a Service. */
export async function lbIp(c: Cluster, svc: string): Promise<string> {
  return poll(`a LoadBalancer IP for ${svc}`, async () => {
    const ip = (await c.ok(['get', 'svc', svc, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim()
    return ip || undefined
  }, 30_000, 200)
}

/**
 * Starts a cluster on its own LoadBalancer pool (so host addresses never collide with another
 * cluster's), builds the images, applies kubernetes/ and waits for every rollout and for the
 * frontend to proxy to tasks-api (401 without a token).
 */
export async function startTasksApp(opts: { pool: string }): Promise<TasksApp> {
  const frontend = frontendVariant()
  const c = await startCluster({
    agent: true,
    extraArgs: ['--image-fallback', 'host', '--load-balancer-pool', opts.pool, '--ingress-http-port', '0', '--ingress-https-port', '0'],
  })
  const diagnostics = async () => {
    const parts: string[] = []
    const run = async (args: string[]) => {
      const r = await c.kubectl(args, { timeoutMs: 15_000 })
      parts.push(`$ kubectl ${args.join(' ')}\n${r.stdout}${r.stderr}`)
    }
    await run(['get', 'all,endpointslices,pvc', '-o', 'wide'])
    await run(['get', 'events', '--sort-by=.lastTimestamp', '-o', 'custom-columns=LAST:.lastTimestamp,OBJECT:.involvedObject.name,REASON:.reason,MESSAGE:.message'])
    for (const d of DEPLOYMENTS) {
      // nginx logs every request: keep what is not a successful one.
      const r = await c.kubectl(['logs', `deployment/${d}-deployment`, '--tail=5000'], { timeoutMs: 15_000 })
      const lines = r.stdout.split('\n').filter((l) => l && !/" 200 \d+ /.test(l)).slice(-30)
      parts.push(`$ kubectl logs deployment/${d}-deployment (without 200s)\n${lines.join('\n')}\n${r.stderr}`)
    }
    parts.push(`server log (tail):\n${c.output().split('\n').slice(-40).join('\n')}`)
    return parts.join('\n')
  }
  try {
    await waitNodeReady(c, 60_000)
    await buildImages(c, frontend)
    await c.ok(['apply', '-f', join(APP, 'kubernetes')])
    for (const d of DEPLOYMENTS) await c.ok(['rollout', 'status', `deployment/${d}-deployment`, '--timeout=120s'])
    const frontendUrl = `http://${await lbIp(c, 'frontend-service')}`
    const usersUrl = `http://${await lbIp(c, 'users-service')}:8080`
    // The first requests may race the relays being programmed (as in test.sh).
    await poll('the frontend to proxy /api/tasks to tasks-api (401)', async () => {
      const r = await request('GET', `${frontendUrl}/api/tasks`)
      return r.status === 401 ? true : undefined
    }, 30_000, 200)
    return { c, frontend, frontendUrl, usersUrl, diagnostics, stop: () => c.stop() }
  } catch (err) {
    const why = await diagnostics().catch((e) => String(e))
    await c.stop()
    throw new Error(`${(err as Error).message}\n${why}`)
  }
}

export type Reply = { status: number; body: string; json?: any; /** The request went over a kept-alive connection. */ reused: boolean }

/** One HTTP request; the body is sent as JSON. `agent` picks keep-alive or a new connection (default: a new one). */
export function request(method: string, url: string, opts: { body?: unknown; token?: string; agent?: http.Agent | false; timeoutMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {}
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`
    const req = http.request(url, { method, headers, agent: opts.agent ?? false, timeout: opts.timeoutMs ?? 10_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('error', reject)
      res.on('end', () => {
        let json: unknown
        try {
          json = JSON.parse(body)
        } catch {
          // not JSON: the caller decides whether that is a failure
        }
        resolve({ status: res.statusCode ?? 0, body, json, reused: req.reusedSocket })
      })
    })
    req.on('timeout', () => req.destroy(new Error(`no reply within ${opts.timeoutMs ?? 10_000}ms`)))
    req.on('error', reject)
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body))
  })
}

/** Signs up at users-api (through its LoadBalancer) and logs in through the frontend; returns the token. */
export async function signUpAndLogin(app: TasksApp, email: string, password: string): Promise<string> {
  const up = await request('POST', `${app.usersUrl}/signup`, { body: { email, password } })
  if (up.status !== 201 && up.status !== 200) throw new Error(`signup: ${up.status} ${up.body}`)
  const login = await request('POST', `${app.frontendUrl}/users/login`, { body: { email, password } })
  const token = login.json?.token
  if (login.status !== 200 || typeof token !== 'string') throw new Error(`login: ${login.status} ${login.body}`)
  return token
}

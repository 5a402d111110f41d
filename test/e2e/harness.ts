/**
 * @module
 * End-to-end harness: starts `kubelite server` as a real process on a free port with its own
 * data directory, and runs the real kubectl binaries against it with an isolated HOME.
 * Everything it creates is removed by `stop()`, which tests call in `after`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** dist/src/cli/main.js, found from this compiled file (dist/test/e2e/harness.js). */
export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js')

/** The directory holding kubectl.1.27 … kubectl.1.33 beside the dispatcher on PATH. */
export function kubectlDir(): string {
  const which = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim()
  if (!which) throw new Error('kubectl is not on the PATH')
  return dirname(realpathSync(which))
}

export type KubectlResult = { code: number; stdout: string; stderr: string }

export type Cluster = {
  url: string
  port: number
  dataDir: string
  kubeconfig: string
  home: string
  process: ChildProcess
  /** Runs kubectl (the PATH dispatcher by default, or `kubectl.<version>`). */
  kubectl(args: string[], opts?: { version?: string; input?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<KubectlResult>
  /** kubectl that must succeed: returns stdout, throws with stderr otherwise. */
  ok(args: string[], opts?: { version?: string; input?: string; env?: Record<string, string> }): Promise<string>
  /** A raw HTTPS request as the admin (client certificate); the body is read as text. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }>
  /** Writes a file into the test's scratch directory and returns its path. */
  file(name: string, content: string): string
  /** Everything the server printed so far. */
  output(): string
  /** SIGKILL, for crash tests. The data directory stays until `stop()`. */
  kill(): Promise<void>
  /** Graceful stop (SIGTERM) and removal of every temporary directory. */
  stop(): Promise<void>
}

export type StartOptions = {
  datastore?: 'sqlite' | 'memory'
  dataDir?: string
  extraArgs?: string[]
  /** Run the embedded node agent (real pods); off by default so API and control-loop suites see only their own nodes. */
  agent?: boolean
  /** Run the server as this user (rootless tests); its scratch directory is handed to it. */
  uid?: number
}

export async function startCluster(opts: StartOptions = {}): Promise<Cluster> {
  const scratch = mkdtempSync(join(tmpdir(), 'kubelite-e2e-'))
  const dataDir = opts.dataDir ?? join(scratch, 'data')
  const home = join(scratch, 'home')
  const args = [CLI, 'server', '--data-dir', dataDir, '--port', '0', '--datastore', opts.datastore ?? 'sqlite', ...(opts.agent ? [] : ['--disable-agent']), ...(opts.extraArgs ?? [])]
  if (opts.uid !== undefined) {
    mkdirSync(home, { recursive: true })
    spawnSync('chown', ['-R', `${opts.uid}:${opts.uid}`, scratch])
    chmodSync(scratch, 0o755)
  }
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home },
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid, cwd: scratch } : {}),
  })
  let log = ''
  const ready = await new Promise<{ url: string; kubeconfig: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20s:\n${log}`)), 20_000)
    const onData = (d: Buffer) => {
      log += d.toString()
      const m = /API server ready at (\S+) \(kubeconfig: ([^)]+)\)/.exec(log)
      if (m) {
        clearTimeout(timer)
        resolve({ url: m[1]!, kubeconfig: m[2]! })
      }
    }
    child.stderr!.on('data', onData)
    if (process.env.KUBELITE_E2E_LOG) child.stderr!.on('data', (d: Buffer) => process.stderr.write(d))
    child.stdout!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${log}`))
    })
  }).catch((err) => {
    child.kill('SIGKILL')
    rmSync(scratch, { recursive: true, force: true })
    throw err
  })
  child.removeAllListeners('exit')
  const dir = kubectlDir()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  const kubectl: Cluster['kubectl'] = (kargs, o = {}) => new Promise((resolve) => {
    const bin = o.version ? join(dir, `kubectl.${o.version}`) : 'kubectl'
    const p = spawn(bin, kargs, {
      env: { ...process.env, HOME: home, KUBECONFIG: ready.kubeconfig, ...o.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d) => (stdout += d))
    p.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 60_000)
    p.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? -1, stdout, stderr })
    })
    p.stdin.end(o.input ?? '')
  })

  return {
    url: ready.url,
    port: Number(new URL(ready.url).port),
    dataDir,
    kubeconfig: ready.kubeconfig,
    home,
    process: child,
    kubectl,
    async ok(kargs, o) {
      const r = await kubectl(kargs, o)
      if (r.code !== 0) throw new Error(`kubectl ${kargs.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`)
      return r.stdout
    },
    request(method, path, body) {
      const cfg = parse(readFileSync(ready.kubeconfig, 'utf8'))
      const cluster = cfg.clusters[0].cluster
      const user = cfg.users[0].user
      const b64 = (s: string) => Buffer.from(s, 'base64')
      return new Promise((resolve, reject) => {
        const r = httpsRequest(new URL(path, ready.url), {
          method, ca: b64(cluster['certificate-authority-data']),
          cert: b64(user['client-certificate-data']), key: b64(user['client-key-data']),
          headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        }, (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d) => (text += d))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }))
        })
        r.on('error', reject)
        r.end(body === undefined ? undefined : JSON.stringify(body))
      })
    },
    output: () => log,
    file(name, content) {
      const p = join(scratch, name)
      writeFileSync(p, content)
      return p
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL')
      await exited
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        // With a node agent, pods get their grace periods first.
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.agent ? 60_000 : 10_000)
        await exited
        clearTimeout(timer)
      }
      rmSync(scratch, { recursive: true, force: true })
    },
  }
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function poll<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/**
 * @module
 * `kubelite server` end to end: start it on a free port with a fresh data directory, reach it
 * with the real kubectl through the kubeconfig it merged, then stop it with SIGTERM.
 */
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, realpathSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url))

function kubectl132(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl')
    if (dir && existsSync(candidate)) return join(dirname(realpathSync(candidate)), 'kubectl.1.32')
  }
  throw new Error('kubectl is not on the PATH')
}

describe('kubelite server', () => {
  const cleanups: (() => Promise<unknown>)[] = []
  after(async () => { for (const c of cleanups.reverse()) await c() })

  it('starts, writes and merges the kubeconfig, serves kubectl, and exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kl-server-cmd-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const env = { ...process.env, HOME: dir, KUBECONFIG: join(dir, 'kube', 'config') }
    const child: ChildProcess = spawn(process.execPath,
      [MAIN, 'server', '--data-dir', join(dir, 'data'), '--port', '0', '--datastore', 'memory', '--write-kubeconfig', '--disable-agent'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] })
    cleanups.push(async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    let stderr = ''
    const ready = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready after 20s: ${stderr}`)), 20_000)
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        const m = /API server ready at (https:\/\/\S+) \(kubeconfig: (.+)\)/.exec(stderr)
        if (m) { clearTimeout(timer); resolve(m[2]!) }
      })
      child.on('exit', () => { clearTimeout(timer); reject(new Error(`exited before ready: ${stderr}`)) })
    })
    assert.equal(ready, env.KUBECONFIG)
    assert.equal((await stat(env.KUBECONFIG)).mode & 0o777, 0o600)
    assert.equal((await stat(join(dir, 'data', 'kubeconfig.yaml'))).mode & 0o777, 0o600)

    const out = await new Promise<{ err: Error | null; stdout: string; stderr: string }>((resolve) => {
      execFile(kubectl132(), ['get', '--raw', '/api'], { env, timeout: 30_000 }, (err, stdout, stderr) => resolve({ err, stdout, stderr }))
    })
    assert.equal(out.err, null, out.stderr)
    assert.equal(JSON.parse(out.stdout).kind, 'APIVersions')

    child.kill('SIGTERM')
    assert.equal(await exited, 0)
  })
})

/**
 * @module
 * Test fixtures for the prober: a pod with one container, targets on 127.0.0.1, a host exec,
 * servers that close themselves, and polling for timed behaviour.
 */
import { execFile } from 'node:child_process'
import type { AddressInfo, Server } from 'node:net'
import type { Container, Pod } from 'kubernetes-types/core/v1.js'
import type { ProbeTarget } from '../types.js'

/** A pod named `web` in `default` with `container` as its only container. */
export function podWith(container: Container, uid = 'uid-1'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid }, spec: { containers: [container] } }
}

/** A target at 127.0.0.1 whose exec runs argv on the host (`timeoutMs` kills it). */
export function hostTarget(container: Container, pod = podWith(container)): ProbeTarget {
  return { pod, container, podIP: '127.0.0.1', exec: hostExec }
}

export function hostExec(argv: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = argv
    if (!file) return reject(new Error('empty command'))
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null
      if (e && typeof e.code === 'string') return reject(e) // could not start (ENOENT)
      resolve({ exitCode: e ? (typeof e.code === 'number' ? e.code : 137) : 0, output: stdout + stderr })
    })
  })
}

/** Starts `server` on 127.0.0.1 and returns its port. */
export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  const s = createServer()
  const port = await listen(s)
  await new Promise((r) => s.close(r))
  return port
}

/** Resolves when `check` holds; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms))

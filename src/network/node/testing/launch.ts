/**
 * @module
 * Test helpers: run a command in a fresh node namespace (as root, or as uid 65534 rootless)
 * and find host processes by a marker in their command line.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { nodeNamespaceCommand, type NodeNamespaceMode } from '../namespace.js'

export const NOBODY = ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups']

/** Spawns `argv` under the node launcher; rootless, root first becomes uid 65534. */
export function launch(mode: NodeNamespaceMode, argv: string[]): ChildProcess {
  const { file, args } = nodeNamespaceCommand(mode, argv)
  const asNobody = mode === 'rootless' && process.geteuid?.() === 0
  const [cmd, ...rest] = asNobody ? [...NOBODY, file, ...args] : [file, ...args]
  return spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Collects a child's output and exit. */
export function outcome(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Host PIDs whose command line contains `marker`. */
export async function pidsWith(marker: string): Promise<number[]> {
  const pids: number[] = []
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.split('\0').includes(marker)) pids.push(Number(name))
  }
  return pids
}

/** Polls `check` every 20 ms until it is true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > end) return false
    await new Promise((r) => setTimeout(r, 20))
  }
}

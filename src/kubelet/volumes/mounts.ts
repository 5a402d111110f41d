/**
 * @module
 * The few mounts volumes need: tmpfs for `emptyDir.medium: Memory`, and finding and undoing
 * every mount below a pod's directory before it is removed (so removal never reaches through
 * a mount into data that is not the pod's).
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Mounts a tmpfs on `dir`; resolves to undefined on success, else why it could not. */
export async function mountTmpfs(dir: string, sizeBytes?: number, mode = 0o777): Promise<string | undefined> {
  // Only root (here or in the agent's user namespace) can mount; don't even try otherwise.
  if (process.getuid?.() !== 0) return 'not running as root (in the node namespace)'
  const options = [`mode=${mode.toString(8)}`, ...(sizeBytes ? [`size=${sizeBytes}`] : [])].join(',')
  try {
    await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir])
    return undefined
  } catch (err) {
    return ((err as { stderr?: string }).stderr || (err as Error).message).trim()
  }
}

// /proc/self/mountinfo writes space, tab, newline and backslash as octal escapes.
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))

/** Mount points at or below `dir`, deepest first (the order to unmount them in). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const root = resolve(dir)
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '')
  const points = text.split('\n').filter(Boolean).map((line) => unescape(line.split(' ')[4] ?? ''))
  const under = [...new Set(points.filter((p) => p === root || p.startsWith(root + '/')))]
  return under.sort((a, b) => b.length - a.length)
}

/** Whether `dir` is itself a mount point. */
export const isMountPoint = async (dir: string) => (await mountsUnder(dir)).includes(resolve(dir))

/** Unmounts every mount at or below `dir`; throws when one stays (its contents must not be removed). */
export async function unmountAll(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) {
    // A mount can be stacked several times on one point: repeat until it is gone.
    for (let i = 0; i < 8 && (await mountsUnder(point)).includes(point); i++) {
      await run('umount', [point]).catch(() => run('umount', ['-l', point])).catch(() => undefined)
    }
  }
  const left = await mountsUnder(dir)
  if (left.length) throw new Error(`cannot unmount ${left.join(', ')}`)
}

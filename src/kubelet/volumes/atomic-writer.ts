/**
 * @module
 * Upstream's atomic writer: a volume's files live in a hidden timestamped directory, `..data`
 * links to it, and each visible top-level name links through `..data`. An update writes a
 * new timestamped directory and swaps `..data` with one rename(2), so a reader that goes
 * through `..data` sees the old files or the new ones, never a mix.
 */
// Upstream: pkg/volume/util/atomic_writer.go (AtomicWriter.Write, validatePath). Deliberate
// difference: a change of mode alone also rewrites (upstream compares content only), so an
// edited defaultMode reaches running pods.
import { randomBytes } from 'node:crypto'
import { chmod, lstat, mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, normalize } from 'node:path'

/** One file of a volume: its bytes and permission bits. */
export type FileProjection = { data: Uint8Array; mode: number }
/** Relative path → file. */
export type Payload = Map<string, FileProjection>

const DATA_DIR = '..data'
const NEW_DATA_DIR = '..data_tmp'
const MAX_FILE_NAME = 255
const MAX_PATH = 4096

/** Throws upstream's message when a payload path could escape or shadow the writer's names. */
export function validatePayloadPath(p: string): void {
  if (p === '') throw new Error(`invalid path: must not be empty: ""`)
  if (isAbsolute(p)) throw new Error(`invalid path: must be relative path: ${p}`)
  if (p.length > MAX_PATH) throw new Error(`invalid path: must be less than or equal to ${MAX_PATH} characters`)
  const items = p.split('/')
  for (const item of items) {
    if (item === '..') throw new Error(`invalid path: must not contain '..': ${p}`)
    if (item.length > MAX_FILE_NAME) throw new Error(`invalid path: filenames must be less than or equal to ${MAX_FILE_NAME} characters`)
  }
  if (items[0]!.startsWith('..') && items[0]!.length > 2) throw new Error(`invalid path: must not start with '..': ${p}`)
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')
/** `..2024_01_02_15_04_05.<random>`, the name upstream's Go time layout and MkdirTemp give. */
function timestampDirName(nowMs: number): string {
  const d = new Date(nowMs)
  const stamp = `${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}`
  return `..${stamp}.${randomBytes(5).readUInt32BE(0)}`
}

const exists = (p: string) => lstat(p).then(() => true, () => false)

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name
    out.push(rel)
    if (e.isDirectory()) out.push(...await filesUnder(join(dir, e.name), rel))
  }
  return out
}

/** Whether the timestamped directory already holds exactly this payload (bytes and modes). */
async function sameAs(payload: Payload, tsDir: string): Promise<boolean> {
  const present = (await filesUnder(tsDir)).filter((f) => !payload.has(f))
  // Directories of nested paths are expected; anything else present is a removed file.
  const parents = new Set([...payload.keys()].flatMap((p) => p.split('/').slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join('/'))))
  if (present.some((f) => !parents.has(f))) return false
  for (const [path, file] of payload) {
    const full = join(tsDir, path)
    const st = await stat(full).catch(() => undefined)
    if (!st?.isFile() || (st.mode & 0o7777) !== file.mode) return false
    if (!Buffer.from(file.data).equals(await readFile(full))) return false
  }
  return true
}

/**
 * Projects `payload` into `targetDir` (which must exist); returns false when nothing changed.
 * `setPerms` runs on the new timestamped directory before the swap (fsGroup ownership).
 * Not safe to call concurrently for one directory: callers serialise.
 */
export async function writeAtomically(
  targetDir: string, payload: Payload, opts: { nowMs?: number; setPerms?: (tsDir: string) => Promise<void> } = {},
): Promise<boolean> {
  const clean: Payload = new Map()
  for (const [p, f] of payload) {
    validatePayloadPath(p)
    clean.set(normalize(p).replace(/\/$/, ''), { data: f.data, mode: f.mode & 0o7777 })
  }
  const dataPath = join(targetDir, DATA_DIR)
  const oldTs = await readlink(dataPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return ''
    throw err
  })
  const oldVisible = new Set(oldTs ? (await readdir(join(targetDir, oldTs)).catch(() => [])) : [])
  if (oldTs && await sameAs(clean, join(targetDir, oldTs))) return false

  const tsName = timestampDirName(opts.nowMs ?? Date.now())
  const tsDir = join(targetDir, tsName)
  await mkdir(tsDir)
  try {
    // 0755 whatever the umask: group and other must be able to walk to their files.
    await chmod(tsDir, 0o755)
    for (const [p, f] of clean) {
      const full = join(tsDir, p)
      await mkdir(dirname(full), { recursive: true })
      await writeFile(full, f.data, { mode: f.mode })
      await chmod(full, f.mode) // writeFile's mode is masked by the umask
    }
    await opts.setPerms?.(tsDir)
    const visible = new Set([...clean.keys()].map((p) => p.split('/')[0]!))
    for (const name of visible) {
      if (!await exists(join(targetDir, name))) await symlink(join(DATA_DIR, name), join(targetDir, name))
    }
    const newData = join(targetDir, NEW_DATA_DIR)
    await rm(newData, { force: true })
    await symlink(tsName, newData)
    await rename(newData, dataPath) // the atomic moment
    for (const name of oldVisible) if (!visible.has(name)) await unlink(join(targetDir, name)).catch(() => {})
  } catch (err) {
    await rm(tsDir, { recursive: true, force: true })
    throw err
  }
  // The version just replaced stays until the next update: a reader that resolved `..data`
  // a moment before the swap still finds its files (upstream removes it at once, a narrow race).
  for (const d of await readdir(targetDir)) {
    if (/^\.\.\d{4}_/.test(d) && d !== tsName && d !== oldTs) await rm(join(targetDir, d), { recursive: true, force: true })
  }
  return true
}

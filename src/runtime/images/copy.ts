/**
 * @module
 * COPY and ADD: files from the build context or another stage's view written straight into
 * the stage's layer directory (the overlay upper dir), as overlayfs would store them. Parent
 * directories are resolved through the stage's view, so `/bin/x` lands in `usr/bin/x` when
 * `/bin` is a symlink below, and a new upper directory takes the mode of the one it covers.
 */
import { spawn } from 'node:child_process'
import { copyFile, chmod, lchown, lstat, mkdir, open, readlink, rm, symlink, utimes } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { join, posix } from 'node:path'
import { hasGlob, matchComponent, type IgnoreMatcher } from './patterns.js'
import { isWhiteout, type MergedView } from './merged-view.js'

export type Owner = { uid: number; gid: number }

export type CopyRequest = {
  /** Where the sources are read: the context (no host base) or another stage or image. */
  from: MergedView
  /** Source paths as written (globs allowed), relative to the source root. */
  sources: string[]
  /** Absolute destination in the image; a trailing `/` means a directory. */
  dest: string
  /** The stage's layer directory and its view (upper first). */
  upper: string
  view: MergedView
  /** Ownership of the copies: given ids, or the source's own ('preserve', for --from). */
  owner: Owner | 'preserve'
  chmod?: number
  /** Context paths left out by .dockerignore. */
  ignore?: IgnoreMatcher
  /** ADD: unpack local tar archives instead of copying them. */
  extractArchives?: boolean
  /** Says why something could not be honoured (rootless --chown). */
  warn?: (message: string) => void
}

const isRoot = () => process.getuid?.() === 0

/** Performs one COPY/ADD into the layer; returns how many files and directories were written. */
export async function copyIntoLayer(req: CopyRequest): Promise<number> {
  const paths: string[] = []
  for (const src of req.sources) {
    const found = await expand(req, src)
    if (found.length === 0) throw new Error(hasGlob(src) ? `no source files were specified (${src})` : `"${posix.join('/', src)}": not found`)
    paths.push(...found)
  }
  const destIsDir = req.dest.endsWith('/') || paths.length > 1 || req.sources.some(hasGlob)
  if (paths.length > 1 && !req.dest.endsWith('/')) {
    throw new Error('When using COPY with more than one source file, the destination must be a directory and end with a /')
  }
  let written = 0
  let warned = false
  const own = async (real: string, st: Stats) => {
    const o = req.owner === 'preserve' ? { uid: st.uid, gid: st.gid } : req.owner
    if (isRoot()) await lchown(real, o.uid, o.gid)
    else if (req.owner !== 'preserve' && (o.uid !== 0 || o.gid !== 0) && !warned) {
      // Rootless, the user namespace maps one id (root inside): other owners cannot be stored.
      warned = true
      req.warn?.(`--chown=${o.uid}:${o.gid} not applied: a rootless build can only store files owned by root`)
    }
  }

  async function put(src: string, st: Stats, destPath: string): Promise<void> {
    const entry = await req.from.lookup(src)
    if (!entry) return
    const real = join(req.upper, destPath)
    const existing = await lstat(real).catch(() => undefined)
    if (existing && (!existing.isDirectory() || !st.isDirectory() || isWhiteout(existing))) await rm(real, { recursive: true, force: true })
    const mode = req.chmod ?? (st.mode & 0o7777)
    if (st.isDirectory()) {
      if (!existing?.isDirectory()) await mkdir(real)
      await own(real, st)
      await chmod(real, mode)
    } else if (st.isSymbolicLink()) {
      await symlink(await readlink(entry.real), real)
      await own(real, st)
      return void written++
    } else if (st.isFile()) {
      await copyFile(entry.real, real)
      await own(real, st)
      await chmod(real, mode)
    } else {
      return // sockets, fifos and devices are not copied
    }
    await utimes(real, st.atime, st.mtime)
    written++
  }

  async function tree(src: string, destPath: string, rel: string): Promise<void> {
    const entry = await req.from.lookup(src)
    if (!entry) return
    // An ignored directory is left out whole (exceptions inside it are not looked for).
    if (rel && req.ignore?.(rel)) return
    await put(src, entry.stat, destPath)
    if (!entry.stat.isDirectory()) return
    for (const name of await req.from.readdir(src)) {
      await tree(posix.join(src, name), posix.join(destPath, name), rel ? `${rel}/${name}` : name)
    }
  }

  for (const src of paths) {
    const entry = await req.from.lookup(src, { follow: true })
    if (!entry) throw new Error(`"${src}": not found`)
    if (entry.stat.isDirectory()) {
      // A directory's contents are copied, not the directory itself.
      const dir = await ensureDir(req, req.dest)
      for (const name of await req.from.readdir(src)) {
        await tree(posix.join(src, name), posix.join(dir, name), req.ignore ? posix.join(src, name).slice(1) : '')
      }
    } else if (req.extractArchives && (await isArchive(entry.real))) {
      const dir = await ensureDir(req, req.dest)
      await extract(entry.real, join(req.upper, dir))
      written++
    } else {
      const existing = await req.view.lookup(req.dest, { follow: true })
      const target = destIsDir || existing?.stat.isDirectory()
        ? posix.join(await ensureDir(req, req.dest), posix.basename(src))
        : posix.join(await ensureDir(req, posix.dirname(req.dest)), posix.basename(req.dest))
      await put(src, entry.stat, target)
    }
  }
  return written
}

/** Source paths matching `src` in the source view (absolute), globs expanded per component. */
async function expand(req: CopyRequest, src: string): Promise<string[]> {
  const parts = posix.normalize(`/${src}`).split('/').filter(Boolean)
  let found = ['/']
  for (const part of parts) {
    const next: string[] = []
    for (const dir of found) {
      if (!hasGlob(part)) {
        next.push(posix.join(dir, part))
        continue
      }
      for (const name of await req.from.readdir(dir).catch(() => [] as string[])) {
        const path = posix.join(dir, name)
        if (matchComponent(part, name) && !req.ignore?.(path.slice(1))) next.push(path)
      }
    }
    found = next
  }
  const out: string[] = []
  for (const p of found) {
    if (p !== '/' && req.ignore?.(p.slice(1))) continue
    if (await req.from.lookup(p, { follow: true })) out.push(p)
  }
  return out
}

/**
 * Makes `path` a directory in the view by creating what is missing in the upper dir; returns
 * its canonical path. Directories that exist below are recreated with their mode and owner,
 * since overlayfs shows the upper directory's attributes.
 */
export async function ensureDir(req: Pick<CopyRequest, 'upper' | 'view'>, path: string): Promise<string> {
  const canonical = await req.view.canonical(path, { follow: true })
  let prefix = '/'
  for (const name of canonical.split('/').filter(Boolean)) {
    prefix = posix.join(prefix, name)
    const real = join(req.upper, prefix)
    const mine = await lstat(real).catch(() => undefined)
    if (mine?.isDirectory()) continue
    if (mine) await rm(real, { force: true }) // a whiteout or file the new directory replaces
    const below = mine ? undefined : await req.view.lookup(prefix)
    await mkdir(real)
    if (below?.stat.isDirectory()) {
      await chmod(real, below.stat.mode & 0o7777)
      if (isRoot()) await lchown(real, below.stat.uid, below.stat.gid)
    } else {
      await chmod(real, 0o755)
      if (isRoot()) await lchown(real, 0, 0)
    }
  }
  return canonical
}

/** True for the tar formats ADD unpacks: plain, gzip, bzip2 and xz. */
async function isArchive(path: string): Promise<boolean> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(262)
    const { bytesRead } = await fh.read(buf, 0, 262, 0)
    const b = buf.subarray(0, bytesRead)
    if (b[0] === 0x1f && b[1] === 0x8b) return true
    if (b.subarray(0, 3).toString('latin1') === 'BZh') return true
    if (b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true
    return b.subarray(257, 262).toString('latin1') === 'ustar'
  } finally {
    await fh.close()
  }
}

function extract(archive: string, into: string): Promise<void> {
  const args = ['-x', '-f', archive, '-C', into]
  if (!isRoot()) args.push('--no-same-owner', '--no-same-permissions')
  return new Promise((resolve, reject) => {
    const p = spawn('tar', args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    p.stderr.on('data', (d: Buffer) => { err += d.toString() })
    p.on('error', reject)
    p.on('close', (code) => code === 0 ? resolve() : reject(new Error(`extracting ${archive}: ${err.trim() || `tar exited ${code}`}`)))
  })
}

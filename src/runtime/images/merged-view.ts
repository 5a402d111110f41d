/**
 * @module
 * Reading an image's files as the container will see them, without mounting anything: layer
 * directories stacked top first (optionally over the host base `/`), with overlayfs
 * semantics — a character device 0/0 in a layer hides that path in every lower layer, a
 * non-directory hides everything below it, and directories merge. Symlinks resolve inside the
 * view, as they would after chroot.
 */
import { lstat, readdir, readlink } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { join, posix } from 'node:path'

/** One path in the view: its stats and the real file that backs it (in the highest layer). */
export type ViewEntry = { path: string; real: string; stat: Stats }

export type MergedView = {
  /** The layer directories, top first; `/` at the end when the host base is included. */
  readonly layers: readonly string[]
  /** The entry at `path` (absolute in the view), or undefined when absent or deleted. */
  lookup(path: string, opts?: { follow?: boolean }): Promise<ViewEntry | undefined>
  /** Names in a directory: the union over layers, minus deleted ones. */
  readdir(path: string): Promise<string[]>
  /** `path` with every symlink in its directories resolved (and the last one too with follow). */
  canonical(path: string, opts?: { follow?: boolean }): Promise<string>
}

/** True for an overlayfs whiteout: a character device with device number 0/0. */
export const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await lstat(p)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return undefined
    throw err
  }
}

/** A view of `layers` (top first), over the host's root when `hostBase` is set. */
export function mergedView(layers: readonly string[], { hostBase = true } = {}): MergedView {
  const all = hostBase ? [...layers, '/'] : [...layers]

  // The layers that contribute to directory `dir` (already canonical), top first.
  async function contributors(dir: string): Promise<string[]> {
    let current = all
    let prefix = '/'
    for (const name of dir.split('/').filter(Boolean)) {
      prefix = posix.join(prefix, name)
      const next: string[] = []
      for (const layer of current) {
        const st = await lstatOrUndefined(join(layer, prefix))
        if (!st) continue
        if (isWhiteout(st) || !st.isDirectory()) break // deletes or hides everything below
        next.push(layer)
      }
      current = next
    }
    return current
  }

  async function entryIn(dir: string, name: string): Promise<ViewEntry | undefined> {
    const path = posix.join(dir, name)
    for (const layer of await contributors(dir)) {
      const real = join(layer, path)
      const st = await lstatOrUndefined(real)
      if (!st) continue
      if (isWhiteout(st)) return undefined
      return { path, real, stat: st }
    }
    return undefined
  }

  async function canonical(path: string, { follow = false } = {}): Promise<string> {
    let todo = posix.normalize(`/${path}`).split('/').filter(Boolean)
    let dir = '/'
    let hops = 0
    while (todo.length) {
      const name = todo.shift()!
      if (name === '..') { dir = posix.dirname(dir); continue }
      const entry = await entryIn(dir, name)
      if (entry?.stat.isSymbolicLink() && (todo.length > 0 || follow)) {
        if (++hops > 40) throw new Error(`too many levels of symbolic links: ${path}`)
        const target = await readlink(entry.real)
        todo = [...target.split('/').filter(Boolean), ...todo]
        if (target.startsWith('/')) dir = '/'
        continue
      }
      dir = posix.join(dir, name)
    }
    return dir
  }

  return {
    layers: all,
    canonical,
    async lookup(path, opts = {}) {
      const p = await canonical(path, opts)
      if (p === '/') {
        const st = await lstatOrUndefined(all[0] ?? '/')
        return st ? { path: '/', real: all[0] ?? '/', stat: st } : undefined
      }
      return entryIn(posix.dirname(p), posix.basename(p))
    },
    async readdir(path) {
      const p = await canonical(path, { follow: true })
      const seen = new Set<string>()
      const hidden = new Set<string>()
      for (const layer of await contributors(p)) {
        let names: string[]
        try {
          names = await readdir(join(layer, p))
        } catch {
          continue
        }
        for (const name of names) {
          if (seen.has(name) || hidden.has(name)) continue
          const st = await lstatOrUndefined(join(layer, p, name))
          if (st && isWhiteout(st)) hidden.add(name)
          else seen.add(name)
        }
      }
      return [...seen].sort()
    },
  }
}

/**
 * @module
 * The local image store under `<data-dir>/images`: `layers/<hex>/` holds each layer's files
 * (named by its content digest), `index.json` the images (config, layers, names). Layers are
 * renamed into place and the index is replaced by rename, so a crash leaves either the old
 * or the new state; a lock directory serialises writers from several processes.
 */
import { createHash, randomBytes } from 'node:crypto'
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { treeDigest } from './digest.js'
import { normalizeImageRef } from './reference.js'
import type { ImageRecord, ImageStore } from './types.js'

type StoredImage = Omit<ImageRecord, 'layers'> & { layers: string[] /* layer digests, top first */ }
type Index = { images: StoredImage[] }

const hex = (digest: string) => digest.replace(/^sha256:/, '')

/** Opens (creating on first write) the store in `dir`. */
export function openImageStore(dir: string): ImageStore {
  const indexPath = join(dir, 'index.json')
  const layersDir = join(dir, 'layers')
  const tmpDir = join(dir, 'tmp')

  const toRecord = (img: StoredImage): ImageRecord => ({ ...img, layers: img.layers.map((d) => join(layersDir, hex(d))) })

  async function load(): Promise<Index> {
    try {
      return JSON.parse(await readFile(indexPath, 'utf8')) as Index
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { images: [] }
      throw err
    }
  }

  async function save(index: Index): Promise<void> {
    const tmp = `${indexPath}.${process.pid}.${randomBytes(4).toString('hex')}`
    await writeFile(tmp, `${JSON.stringify(index, null, 1)}\n`)
    await rename(tmp, indexPath)
  }

  // Read-modify-write of the index under a lock, so two builds finishing together both land.
  async function update<T>(change: (index: Index) => Promise<T> | T): Promise<T> {
    await mkdir(dir, { recursive: true })
    const lock = join(dir, 'index.lock')
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(lock)
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
        // A lock older than 30 s belongs to a writer that died mid-update.
        const st = await stat(lock).catch(() => undefined)
        if (st && Date.now() - st.mtimeMs > 30_000) await rmdir(lock).catch(() => {})
        await sleep(Math.min(5 * 2 ** attempt, 200))
      }
    }
    try {
      const index = await load()
      const result = await change(index)
      await save(index)
      return result
    } finally {
      await rmdir(lock).catch(() => {})
    }
  }

  function find(index: Index, ref: string): StoredImage | undefined {
    const id = /^(sha256:)?[0-9a-f]{64}$/.test(ref) ? `sha256:${hex(ref)}` : undefined
    if (id) return index.images.find((i) => i.id === id)
    let name: string | undefined
    try {
      name = normalizeImageRef(ref)
    } catch {
      // not a valid name: maybe an id prefix
    }
    const named = name && index.images.find((i) => i.names.includes(name))
    if (named) return named
    if (/^(sha256:)?[0-9a-f]{1,63}$/.test(ref)) {
      const matches = index.images.filter((i) => hex(i.id).startsWith(hex(ref)))
      if (matches.length === 1) return matches[0]
    }
    return undefined
  }

  // Layers no image refers to any more (after a remove or a replaced tag).
  async function pruneLayers(index: Index): Promise<void> {
    const used = new Set(index.images.flatMap((i) => i.layers.map(hex)))
    let names: string[] = []
    try {
      names = await readdir(layersDir)
    } catch {
      return
    }
    for (const name of names) if (!used.has(name)) await removeTree(join(layersDir, name))
  }

  return {
    dir,
    async resolve(ref) {
      const img = find(await load(), ref)
      return img && toRecord(img)
    },
    async list() {
      return (await load()).images.map(toRecord)
    },
    async tag(id, name) {
      const normalized = normalizeImageRef(name)
      await update((index) => {
        const img = find(index, id)
        if (!img) throw new Error(`No such image: ${id}`)
        for (const other of index.images) other.names = other.names.filter((n) => n !== normalized)
        img.names.push(normalized)
      })
    },
    async remove(ref) {
      return update(async (index) => {
        const img = find(index, ref)
        if (!img) return false
        let name: string | undefined
        try {
          name = normalizeImageRef(ref)
        } catch {
          // an id
        }
        if (name && img.names.includes(name)) img.names = img.names.filter((n) => n !== name)
        else img.names = []
        if (img.names.length === 0) {
          index.images = index.images.filter((i) => i !== img)
          await pruneLayers(index)
        }
        return true
      })
    },
    async scratchDir(prefix) {
      await mkdir(tmpDir, { recursive: true })
      return mkdtemp(join(tmpDir, `${prefix}-`))
    },
    async commitLayer(layerDir) {
      const { digest } = await treeDigest(layerDir)
      const target = join(layersDir, hex(digest))
      await mkdir(layersDir, { recursive: true })
      try {
        await rename(layerDir, target)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err
        await removeTree(layerDir) // the same content is already stored
      }
      return target
    },
    async commit(req) {
      const digests = req.layers.map((l) => `sha256:${basename(l)}`)
      let size = 0
      for (const l of req.layers) size += (await treeDigest(l)).size
      // The id covers config and layers, not the time: the same build gives the same id.
      const id = `sha256:${createHash('sha256').update(JSON.stringify({ config: req.config, layers: digests })).digest('hex')}`
      const names = (req.names ?? []).map(normalizeImageRef)
      return update((index) => {
        for (const other of index.images) other.names = other.names.filter((n) => !names.includes(n))
        let img = index.images.find((i) => i.id === id)
        if (!img) {
          img = { id, names: [], layers: digests, config: req.config, created: (req.now?.() ?? new Date()).toISOString(), size }
          index.images.push(img)
        }
        img.names = [...new Set([...img.names, ...names])]
        return toRecord(img)
      })
    },
  }
}

/** rm -rf that also copes with overlay work dirs left mode 000 by a rootless mount. */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true })
  } catch {
    const fix = async (p: string): Promise<void> => {
      await chmod(p, 0o700).catch(() => {})
      for (const name of await readdir(p).catch(() => [] as string[])) {
        const st = await lstat(join(p, name)).catch(() => undefined)
        if (st?.isDirectory()) await fix(join(p, name))
      }
    }
    await fix(path)
    await rm(path, { recursive: true, force: true })
  }
}

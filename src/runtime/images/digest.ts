/**
 * @module
 * Content digests of layer directories: a sha256 over every entry's path, type, mode, owner
 * and content (files), target (symlinks) or device number (whiteouts), in sorted order.
 * Timestamps are left out, so rebuilding the same files gives the same layer.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat, readdir, readlink } from 'node:fs/promises'
import { join } from 'node:path'

/** The digest (`sha256:<hex>`) and the byte size of the regular files under `dir`. */
export async function treeDigest(dir: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256')
  let size = 0
  async function walk(rel: string): Promise<void> {
    const names = (await readdir(join(dir, rel))).sort()
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name
      const st = await lstat(join(dir, path))
      hash.update(`${path}\0${st.mode.toString(8)}\0${st.uid}:${st.gid}\0`)
      if (st.isDirectory()) {
        await walk(path)
      } else if (st.isFile()) {
        size += st.size
        hash.update(`${st.size}\0`)
        for await (const chunk of createReadStream(join(dir, path))) hash.update(chunk as Buffer)
      } else if (st.isSymbolicLink()) {
        hash.update(await readlink(join(dir, path)))
      } else {
        hash.update(`${st.rdev}`)
      }
      hash.update('\n')
    }
  }
  await walk('')
  return { digest: `sha256:${hash.digest('hex')}`, size }
}

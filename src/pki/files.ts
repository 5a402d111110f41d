/**
 * @module
 * File helpers for secrets: atomic writes with a fixed mode, and reads that treat a missing
 * file as "not there yet" rather than an error.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, basename } from 'node:path'

/** Writes `data` to `path` through a temp file and a rename, so readers never see half a file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    // `mode` on open is filtered by the umask; chmod makes it exact before the file appears.
    await writeFile(tmp, data, { mode, flag: 'wx' })
    await chmod(tmp, mode)
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

/** The file's text, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

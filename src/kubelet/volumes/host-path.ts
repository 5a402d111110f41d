/**
 * @module
 * hostPath volumes' `type` checks: what must already be at the path, or be created there,
 * before a container may mount it.
 */
// Upstream: pkg/volume/hostpath/host_path.go (checkType, typeMatchedOrError, makeDir, makeFile),
// pkg/volume/util/hostutil/hostutil_linux.go (GetFileType).
import { mkdir, open, stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'

/** Upstream's HostPathType names for what is found on disk. */
function fileType(st: Stats): string {
  if (st.isDirectory()) return 'Directory'
  if (st.isFile()) return 'File'
  if (st.isSocket()) return 'Socket'
  if (st.isCharacterDevice()) return 'CharDevice'
  if (st.isBlockDevice()) return 'BlockDevice'
  throw new Error('only recognise file, directory, socket, block device and character device')
}

const statOf = (p: string) => stat(p).catch(() => undefined)

async function matchedOrError(path: string, expected: string, description: string): Promise<void> {
  const st = await statOf(path)
  if (!st) throw new Error(`hostPath ${path} doesn't exist`)
  let actual: string
  try {
    actual = fileType(st)
  } catch (err) {
    throw new Error(`hostPath type check failed, ${path} is not a ${description}, unable to determine its type: ${(err as Error).message}`)
  }
  if (actual !== expected) throw new Error(`hostPath type check failed: ${path} is not a ${description}, it's a ${actual}`)
}

/** Checks (and for the *OrCreate types, creates) `path` as `type` asks; throws upstream's message. */
export async function checkHostPathType(path: string, type: string | undefined): Promise<void> {
  switch (type ?? '') {
    case '': return
    case 'DirectoryOrCreate':
      if (!await statOf(path)) {
        await mkdir(path, { recursive: true, mode: 0o755 })
        return
      }
      return matchedOrError(path, 'Directory', 'directory')
    case 'Directory': return matchedOrError(path, 'Directory', 'directory')
    case 'FileOrCreate':
      if (!await statOf(path)) {
        // Like upstream's O_CREATE without MkdirAll: a missing parent directory is an error.
        await (await open(path, 'a', 0o644)).close()
        return
      }
      return matchedOrError(path, 'File', 'file')
    case 'File': return matchedOrError(path, 'File', 'file')
    case 'Socket': return matchedOrError(path, 'Socket', 'socket file')
    case 'CharDevice': return matchedOrError(path, 'CharDevice', 'character device')
    case 'BlockDevice': return matchedOrError(path, 'BlockDevice', 'block device')
    default: throw new Error(`${type} is an invalid volume type`)
  }
}

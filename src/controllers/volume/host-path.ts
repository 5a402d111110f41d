/**
 * @module
 * What the in-tree hostPath plugin does to released volumes, done in process: scrub the
 * directory for Recycle, remove it for Delete. Both refuse paths outside the few places where
 * wiping files is safe, because a PersistentVolume can name any directory on the host.
 */
// Upstream: pkg/volume/hostpath/host_path.go (hostPathDeleter.Delete: only /tmp/.+; Recycle runs
// a scrubber pod with `find /scrub -mindepth 1 -delete`). Deliberate difference: Recycle is
// limited to /tmp/ and the data directory too, and runs here instead of in a pod.
import { readdir, rm } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve } from 'node:path'

/** Whether `dir` is strictly inside `root` (not the root itself, no `..` escape). */
export function isInside(dir: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(dir))
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

const TMP_PATTERN = /^\/tmp\/.+/

/** Removes a hostPath volume's directory, as upstream's deleter: only below /tmp/. */
export async function deleteHostPath(path: string): Promise<void> {
  if (!TMP_PATTERN.test(path)) throw new Error(`host_path deleter only supports /tmp/.+ but received provided ${path}`)
  await rm(path, { recursive: true, force: true })
}

/** Empties a directory but keeps it, so the volume can be handed out again. */
export async function scrubDirectory(path: string, dataDir: string | undefined): Promise<void> {
  if (!(isInside(path, '/tmp') || (dataDir && isInside(path, dataDir)))) {
    throw new Error(`kubelite recycles only volumes below /tmp/ or the data directory, not ${path}`)
  }
  for (const entry of await readdir(path)) await rm(join(path, entry), { recursive: true, force: true })
}

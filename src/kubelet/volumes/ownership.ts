/**
 * @module
 * fsGroup: a volume's files become owned by the pod's fsGroup and readable (writable, unless
 * the volume is read-only by nature) by that group; directories get setgid so files the
 * containers create later inherit the group.
 */
// Upstream: pkg/volume/volume_linux.go (SetVolumeOwnership, changeFilePermission: rw 0660,
// ro 0440, directories also setgid and 0110). fsGroupChangePolicy is not consulted: every
// file is visited each time, which is what "Always" (the default) means.
import { chmod, lchown, lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'

/** Gives `dir` and everything under it to group `gid`; resolves to why it could not, if it could not. */
export async function setVolumeOwnership(dir: string, gid: number, readOnly: boolean): Promise<string | undefined> {
  try {
    await walk(dir, gid, readOnly ? 0o440 : 0o660)
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

async function walk(path: string, gid: number, mask: number): Promise<void> {
  const st = await lstat(path)
  if (st.isSymbolicLink()) return // the atomic writer's links: their targets are visited anyway
  await lchown(path, st.uid, gid)
  const extra = st.isDirectory() ? 0o2000 | 0o110 : 0
  await chmod(path, (st.mode & 0o7777) | mask | extra)
  if (st.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name), gid, mask)
}

/**
 * @module
 * Housekeeping: the directories of pods that no longer exist — deleted while the kubelet ran
 * or while it was down — are removed, as upstream's cleanupOrphanedPodDirs and container log
 * GC do. A pod that still exists in the API keeps its files (`kubectl logs` of a Completed pod).
 */
// Upstream: pkg/kubelet/kubelet_volumes.go (cleanupOrphanedPodDirs: volumes unmounted first,
// never removed through a mount), kubelet_pods.go HandlePodCleanups (every 2 s).
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { VolumeManager } from './types.js'

export type HousekeepingOptions = {
  rootDir: string
  logDir: string
  volumes: VolumeManager
  /** Whether a pod uid is still this kubelet's business (in the API, or its worker still busy). */
  inUse(uid: string): boolean
  log?: (message: string) => void
}

const entries = (dir: string) => readdir(dir).catch(() => [] as string[])

/** One pass: returns the uids whose directories were removed. */
export async function cleanupOrphanedPods(o: HousekeepingOptions): Promise<string[]> {
  const removed: string[] = []
  for (const uid of await entries(join(o.rootDir, 'pods'))) {
    if (o.inUse(uid)) continue
    try {
      // Unmounts the pod's tmpfs volumes and refuses while any mount stays.
      await o.volumes.tearDownPod(uid)
      await rm(join(o.rootDir, 'pods', uid), { recursive: true, force: true })
      removed.push(uid)
    } catch (err) {
      o.log?.(`orphaned pod ${uid} found, but its directory could not be removed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  // Log directories are <namespace>_<name>_<uid>.
  for (const name of await entries(o.logDir)) {
    const uid = name.slice(name.lastIndexOf('_') + 1)
    if (uid && !o.inUse(uid)) await rm(join(o.logDir, name), { recursive: true, force: true }).catch(() => {})
  }
  return removed
}

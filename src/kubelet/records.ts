/**
 * @module
 * The kubelet's memory of a pod's container runs after a restart: the API status names the
 * runs the previous kubelet made, so restart counts go on from there and `--previous` logs
 * stay reachable. Those runs are gone, as after a node reboot.
 */
// Upstream: a restarted kubelet finds its containers in the runtime; ours died with it, so
// their last state is what upstream reports for a container that vanished (exit 255, Unknown).
import type { ContainerStatus, PodStatus } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../api/index.js'
import type { ContainerRecord, ContainerRun } from './status.js'

export type SeedOptions = { nowMs: number; logPathOf(container: string, attempt: number): string }

/** Records keyed as the worker keys them (`name`, `init/name`) for every container status that had a run. */
export function recordsFromApiStatus(status: Cached<PodStatus> | undefined, opts: SeedOptions): Map<string, ContainerRecord> {
  const out = new Map<string, ContainerRecord>()
  const seed = (prefix: string, list: readonly Cached<ContainerStatus>[] | undefined) => {
    for (const s of list ?? []) {
      if (!s.containerID) continue
      const t = s.state?.terminated
      const attempt = s.restartCount ?? 0
      const run: ContainerRun = {
        id: s.containerID.replace(/^[a-z]+:\/\//, ''), attempt, image: s.image ?? '', imageID: s.imageID ?? '',
        startedAtMs: Date.parse(s.state?.running?.startedAt ?? t?.startedAt ?? '') || opts.nowMs,
        logPath: opts.logPathOf(s.name, attempt),
        exit: t
          ? { exitCode: t.exitCode, reason: t.reason ?? 'Error', finishedAtMs: Date.parse(t.finishedAt ?? '') || opts.nowMs, ...(t.message ? { message: t.message } : {}) }
          : { exitCode: 255, reason: 'Unknown', finishedAtMs: opts.nowMs },
      }
      out.set(prefix + s.name, { name: s.name, restartCount: attempt, everStarted: true, previous: run })
    }
  }
  seed('init/', status?.initContainerStatuses)
  seed('', status?.containerStatuses)
  return out
}

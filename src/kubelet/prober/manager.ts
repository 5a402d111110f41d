/**
 * @module
 * The probe manager: one worker per probe of each running container; answers ready() and
 * started() for the pod status, and calls back when a container must be restarted.
 */
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { ProbeKind, ProbeTarget } from '../types.js'
import { startWorker, type ContainerEntry, type ProbeValue, type WorkerContext } from './worker.js'

export type ProbeManagerOptions = {
  /** Records an event on the pod (reasons Unhealthy and ProbeWarning). */
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath: string): void
  /** A liveness or startup probe reached its failure threshold: the container must be restarted. */
  onFailure(kind: 'liveness' | 'startup', podUid: string, containerName: string, containerId: string, message: string): void
  /** ready() or started() changed for a container of the pod because of a probe result. */
  onChange(podUid: string): void
  now?: () => number
  /** Milliseconds in one of the probes' seconds (periods, delays, timeouts); tests shrink it. Default 1000. */
  secondMs?: number
  /** Random numbers in [0, 1) for the first-probe jitter. Default Math.random. */
  random?: () => number
}

export interface ProbeManager {
  /** Starts probing a container that is running now, or resets the probes for a new container. */
  add(target: ProbeTarget, containerId: string, startedAt: Date): void
  /** Stops probing a container (it exited or is being removed). */
  remove(podUid: string, containerName: string): void
  removePod(podUid: string): void
  /** Readiness: false until the first success; true when there is no readiness probe and the container has started. */
  ready(podUid: string, containerName: string): boolean
  /** True when there is no startup probe or it succeeded; false for a container not added. */
  started(podUid: string, containerName: string): boolean
  stop(): void
}

const KINDS: ProbeKind[] = ['startup', 'liveness', 'readiness']
const probeOf = (target: ProbeTarget, kind: ProbeKind) =>
  kind === 'startup' ? target.container.startupProbe
    : kind === 'liveness' ? target.container.livenessProbe
    : target.container.readinessProbe

// Upstream: pkg/kubelet/prober/prober_manager.go (AddPod, RemovePod, UpdatePodStatus) with
// the results managers folded into the workers. The kubelet drives it: add() when a container
// starts running (again with the new id after a restart), remove() when it stops.
/** Creates a probe manager; call stop() to end every worker. */
export function createProbeManager(opts: ProbeManagerOptions): ProbeManager {
  const now = opts.now ?? Date.now
  const containers = new Map<string, ContainerEntry>()
  const key = (podUid: string, name: string) => `${podUid}/${name}`

  const started = (entry: ContainerEntry) => {
    const w = entry.workers.get('startup')
    return w === undefined || w.value === 'success'
  }

  const ctx: WorkerContext = {
    secondMs: opts.secondMs ?? 1000,
    now,
    random: opts.random ?? Math.random,
    managerStartMs: now(),
    started,
    changed(entry, kind, value: ProbeValue) {
      const { podUid, containerId } = entry
      const name = entry.target.container.name
      if (kind !== 'readiness' && value === 'failure') {
        opts.onFailure(kind, podUid, name, containerId, `Container ${name} failed ${kind} probe, will be restarted`)
      }
      // Upstream triggers the readiness probe as soon as the container counts as started.
      if (kind === 'startup' && value === 'success') entry.workers.get('readiness')?.trigger()
      if (kind !== 'liveness') opts.onChange(podUid)
    },
    event(entry, reason, message, fieldPath) {
      opts.event(entry.target.pod, 'Warning', reason, message, fieldPath)
    },
  }

  function removeEntry(k: string) {
    const entry = containers.get(k)
    if (!entry) return
    for (const w of entry.workers.values()) w.stop()
    containers.delete(k)
  }

  return {
    add(target, containerId, startedAt) {
      const podUid = target.pod.metadata?.uid ?? ''
      const k = key(podUid, target.container.name)
      const entry = containers.get(k)
      if (entry) {
        entry.target = target // a newer pod object (deletionTimestamp) counts from now on
        if (entry.containerId === containerId) return
        entry.containerId = containerId
        entry.startedAt = startedAt
        for (const w of entry.workers.values()) w.reset()
        return
      }
      const fresh: ContainerEntry = { podUid, target, containerId, startedAt, workers: new Map() }
      containers.set(k, fresh)
      for (const kind of KINDS) {
        const probe = probeOf(target, kind)
        if (probe) fresh.workers.set(kind, startWorker(ctx, fresh, kind, probe))
      }
    },
    remove(podUid, containerName) {
      removeEntry(key(podUid, containerName))
    },
    removePod(podUid) {
      for (const k of [...containers.keys()]) if (k.startsWith(`${podUid}/`)) removeEntry(k)
    },
    ready(podUid, containerName) {
      const entry = containers.get(key(podUid, containerName))
      if (!entry || !started(entry)) return false
      const w = entry.workers.get('readiness')
      return w === undefined || w.value === 'success'
    },
    started(podUid, containerName) {
      const entry = containers.get(key(podUid, containerName))
      return entry !== undefined && started(entry)
    },
    stop() {
      for (const k of [...containers.keys()]) removeEntry(k)
    },
  }
}

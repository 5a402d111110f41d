/**
 * @module
 * The annotations that steer a simulated pod, in the manner of kwok's `*.stage.kwok.x-k8s.io`
 * and `kwok.x-k8s.io/usage-*` annotations, and how they are read. A malformed value is
 * ignored (the default applies) rather than failing the pod: a typo must not wedge the sim.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js'
import { parseGoDuration, type Cached } from '../../api/index.js'

/** Marks the sim's Nodes (label value "true"). */
export const SIM_NODE_LABEL = 'kubelite.io/sim'

export const ANNOTATIONS = {
  /** On a Node: "true" stops its simulated kubelet (no heartbeats, no pod updates) until removed. */
  nodeStopped: 'sim.kubelite.io/stopped',
  /** Go duration from the pod's arrival on the node until its containers run. */
  startDelay: 'sim.kubelite.io/start-delay',
  /** "false" keeps the containers running but not ready. */
  ready: 'sim.kubelite.io/ready',
  /** Go duration a container runs before it exits (0 when it also fails at once). */
  runDuration: 'sim.kubelite.io/run-duration',
  /** "true" (exit code 1) or an exit code: containers exit with it, reason Error. */
  fail: 'sim.kubelite.io/fail',
  /** Go duration between the deletion request and the pod's removal. */
  terminationDelay: 'sim.kubelite.io/termination-delay',
  /** The pod's cpu usage (a quantity), shared evenly by its containers. */
  cpuUsage: 'sim.kubelite.io/cpu-usage',
  /** The pod's memory usage (a quantity), shared evenly by its containers. */
  memoryUsage: 'sim.kubelite.io/memory-usage',
  /** kwok's per-container usage annotations, honoured so kwok manifests work unchanged. */
  kwokCpuUsage: 'kwok.x-k8s.io/usage-cpu',
  kwokMemoryUsage: 'kwok.x-k8s.io/usage-memory',
} as const

type Meta = { metadata?: Cached<ObjectMeta> }

const annotation = (obj: Meta, name: string): string | undefined => obj.metadata?.annotations?.[name]

/** A non-negative Go duration annotation in milliseconds, or undefined when absent or malformed. */
export function durationAnnotation(obj: Meta, name: string): number | undefined {
  const ms = parseGoDuration(annotation(obj, name)?.trim())
  return ms === undefined || ms < 0 ? undefined : ms
}

/** The exit code the pod's containers end with: 0 unless `sim.kubelite.io/fail` asks otherwise. */
export function exitCodeOf(obj: Meta): number {
  const v = annotation(obj, ANNOTATIONS.fail)?.trim().toLowerCase()
  if (v === undefined || v === '' || v === 'false' || v === '0') return 0
  if (v === 'true') return 1
  const code = /^\d{1,3}$/.test(v) ? Number(v) : NaN
  return code >= 1 && code <= 255 ? code : 1
}

/** False only when `sim.kubelite.io/ready` is "false". */
export const readyOf = (obj: Meta) => annotation(obj, ANNOTATIONS.ready)?.trim().toLowerCase() !== 'false'

export { annotation }

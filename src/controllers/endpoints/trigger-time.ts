/**
 * @module
 * The `endpoints.kubernetes.io/last-change-trigger-time` annotation: when the earliest change
 * that this write reflects happened (a pod turning ready or not, the Service appearing), so
 * latency from cause to programmed endpoint can be measured.
 */
// Upstream: staging/src/k8s.io/endpointslice/util/trigger_time_tracker.go (TriggerTimeTracker).
// Same approximation: several changes of one object between two syncs count as one.
import type { Pod, Service } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'

export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time'

type State = { serviceMs: number; podMs: Map<string, number> }

const parse = (s?: string) => (s ? Date.parse(s) : NaN)

/** Remembers, per Service key, the trigger times seen at the last sync. */
export function triggerTimeTracker() {
  const states = new Map<string, State>()
  return {
    /**
     * Updates the Service's state and returns the time to publish (ms), or undefined when
     * nothing changed since the last sync (the annotation is then cleared).
     */
    compute(key: string, svc: Cached<Service>, pods: readonly Cached<Pod>[]): number | undefined {
      const prev = states.get(key)
      let min: number | undefined
      const podMs = new Map<string, number>()
      for (const pod of pods) {
        const t = parse(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime)
        if (!Number.isFinite(t)) continue
        podMs.set(pod.metadata?.name ?? '', t)
        if (!(t <= (prev?.podMs.get(pod.metadata?.name ?? '') ?? -Infinity))) min = min === undefined ? t : Math.min(min, t)
      }
      const serviceMs = parse(svc.metadata?.creationTimestamp)
      if (Number.isFinite(serviceMs) && !(serviceMs <= (prev?.serviceMs ?? -Infinity))) {
        min = min === undefined ? serviceMs : Math.min(min, serviceMs)
      }
      states.set(key, { serviceMs, podMs })
      // A Service seen for the first time: its endpoints date from its creation.
      if (!prev) return Number.isFinite(serviceMs) ? serviceMs : undefined
      return min
    },
    delete: (key: string) => void states.delete(key),
  }
}

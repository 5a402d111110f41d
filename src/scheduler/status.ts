/**
 * @module
 * The status patch the scheduler writes on a pod: one condition upserted by type (its
 * transition time kept unless its status flips) and, when asked, status.nominatedNodeName.
 * Returns nothing when the pod already says exactly that, so repeated failures do not
 * rewrite it.
 */
// Upstream: pkg/scheduler/schedule_one.go (updatePod), pkg/api/v1/pod (UpdatePodCondition).
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../api/index.js'

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')

export function podStatusPatch(pod: Cached<Pod>, cond: Omit<PodCondition, 'lastTransitionTime'>,
  nominatedNodeName: string | undefined, nowMs: number): { status: Record<string, unknown> } | undefined {
  const conditions = (pod.status?.conditions ?? []) as PodCondition[]
  const old = conditions.find((c) => c.type === cond.type)
  const condChanged = !old || old.status !== cond.status || old.reason !== cond.reason || old.message !== cond.message
  const current = pod.status?.nominatedNodeName ?? ''
  const nnnChanged = nominatedNodeName !== undefined && nominatedNodeName !== current
  if (!condChanged && !nnnChanged) return undefined
  const next: PodCondition = {
    ...cond,
    lastProbeTime: null as never,
    lastTransitionTime: old && old.status === cond.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(nowMs),
  }
  const status: Record<string, unknown> = {
    conditions: old ? conditions.map((c) => (c.type === cond.type ? next : c)) : [...conditions, next],
  }
  if (nnnChanged) status.nominatedNodeName = nominatedNodeName || null
  return { status }
}

/**
 * @module
 * A pod's QoS class (Guaranteed, Burstable, BestEffort), set once at create time.
 */
// Upstream: pkg/apis/core/helper/qos/qos.go (ComputePodQOS).
import type { Pod } from 'kubernetes-types/core/v1.js'
import { quantityValue } from './util.js'

const QOS_RESOURCES = new Set(['cpu', 'memory'])

export function podQOSClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, number>()
  const limits = new Map<string, number>()
  let guaranteed = true
  // Ephemeral containers cannot declare resources, so they never count.
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const [name, q] of Object.entries(c.resources?.requests ?? {})) {
      const v = quantityValue(q as string) ?? 0
      if (QOS_RESOURCES.has(name) && v > 0) requests.set(name, (requests.get(name) ?? 0) + v)
    }
    const found = new Set<string>()
    for (const [name, q] of Object.entries(c.resources?.limits ?? {})) {
      const v = quantityValue(q as string) ?? 0
      if (QOS_RESOURCES.has(name) && v > 0) {
        found.add(name)
        limits.set(name, (limits.get(name) ?? 0) + v)
      }
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort'
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) { guaranteed = false; break }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable'
}

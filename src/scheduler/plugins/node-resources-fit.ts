/**
 * @module
 * NodeResourcesFit: the node must have room for the pod's requests and one more pod; its
 * score (LeastAllocated) prefers nodes with more of cpu and memory left.
 */
// Upstream: pkg/scheduler/framework/plugins/noderesources/fit.go (fitsRequest),
// least_allocated.go and resource_allocation.go (nonzero requests for scoring).
import type { NodeInfo } from '../framework/node-info.js'
import type { Resource } from '../framework/resources.js'
import {
  MAX_NODE_SCORE, success, type FilterPlugin, type Rejection, type ScorePlugin, type Status,
} from '../framework/types.js'

export type InsufficientResource = { resourceName: string; reason: string; unresolvable: boolean }

const tooManyPods: Rejection = { code: 'Unschedulable', reasons: ['Too many pods'] }

/** Every resource the node lacks for `req`. */
export function fitsRequest(req: Resource, node: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = []
  const { allocatable: a, requested: r } = node
  if (node.pods.length + 1 > a.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', unresolvable: false })
  }
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && !req.scalar?.size) return out
  const check = (name: string, want: number, alloc: number, used: number) => {
    if (want > 0 && want > alloc - used) out.push({ resourceName: name, reason: `Insufficient ${name}`, unresolvable: want > alloc })
  }
  check('cpu', req.milliCPU, a.milliCPU, r.milliCPU)
  check('memory', req.memory, a.memory, r.memory)
  check('ephemeral-storage', req.ephemeralStorage, a.ephemeralStorage, r.ephemeralStorage)
  if (req.scalar) for (const [name, want] of req.scalar) check(name, want, a.scalar?.get(name) ?? 0, r.scalar?.get(name) ?? 0)
  return out
}

// LeastAllocated over cpu and memory, weight 1 each: the share left free after placing the pod.
function leastRequested(requested: number, capacity: number) {
  if (capacity === 0 || requested > capacity) return 0
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity)
}

export const nodeResourcesFit = {
  name: 'NodeResourcesFit',
  filter(state, _pod, node): Status {
    const missing = fitsRequest(state.podInfo.requests, node)
    if (missing.length === 0) return success
    if (missing.length === 1 && missing[0]!.reason === 'Too many pods') return tooManyPods
    // Preemption cannot help when the node is too small even when empty.
    const code = missing.some((m) => m.unresolvable) ? 'UnschedulableAndUnresolvable' : 'Unschedulable'
    return { code, reasons: missing.map((m) => m.reason) }
  },
  score(state, _pod, node) {
    const { allocatable: a } = node
    let sum = 0
    let weights = 0
    if (a.milliCPU > 0) {
      sum += leastRequested(node.nonZeroMilliCPU + state.podInfo.nonZeroMilliCPU, a.milliCPU)
      weights++
    }
    if (a.memory > 0) {
      sum += leastRequested(node.nonZeroMemory + state.podInfo.nonZeroMemory, a.memory)
      weights++
    }
    return weights ? Math.trunc(sum / weights) : 0
  },
  events: [{ resource: 'Pod', actions: ['Delete', 'Update'] }, { resource: 'Node', actions: ['Add', 'Update'] }],
} satisfies FilterPlugin & ScorePlugin

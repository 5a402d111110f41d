/**
 * @module
 * NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in
 * similar proportions after placing the pod.
 */
// Upstream: pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go
// (balancedResourceScorer; best-effort pods are skipped so they do not all pile onto one node).
import { MAX_NODE_SCORE, skip, success, type PreScorePlugin, type ScorePlugin } from '../framework/types.js'

export const balancedAllocation = {
  name: 'NodeResourcesBalancedAllocation',
  preScore: (state) => (state.podInfo.requests.milliCPU === 0 && state.podInfo.requests.memory === 0 ? skip : success),
  score(state, _pod, node) {
    const { allocatable: a, requested: r } = node
    const req = state.podInfo.requests
    const fractions: number[] = []
    if (a.milliCPU > 0) fractions.push(Math.min(1, (r.milliCPU + req.milliCPU) / a.milliCPU))
    if (a.memory > 0) fractions.push(Math.min(1, (r.memory + req.memory) / a.memory))
    const std = fractions.length === 2 ? Math.abs((fractions[0]! - fractions[1]!) / 2) : 0
    return Math.trunc((1 - std) * MAX_NODE_SCORE)
  },
} satisfies PreScorePlugin & ScorePlugin

/**
 * @module
 * Choosing among preemption candidates: fewest PDB violations, then the lowest
 * highest-priority victim, the smallest priority sum, the fewest victims, and finally the
 * node whose most important victims started last.
 */
// Upstream: pkg/scheduler/framework/preemption/preemption.go (pickOneNodeForPreemption,
// GetEarliestPodStartTime); util.GetPodStartTime.
import { startTime, type PodInfo } from '../framework/pod-info.js'

export type Candidate = {
  nodeName: string
  /** Most important first. */
  victims: PodInfo[]
  numPDBViolations: number
}

const MAX_INT32 = 2147483647

// Among the victims of the highest priority, the earliest start time.
function earliestStartOfTopPriority(victims: readonly PodInfo[]): number {
  const top = victims[0]?.priority
  let earliest = Number.MAX_SAFE_INTEGER
  for (const v of victims) if (v.priority === top && startTime(v) < earliest) earliest = startTime(v)
  return earliest
}

// Each criterion scores a candidate; higher is better, and only the best survive to the next.
const criteria: ((c: Candidate) => number)[] = [
  (c) => -c.numPDBViolations,
  (c) => -(c.victims[0]?.priority ?? -MAX_INT32 - 1),
  // Offset by MaxInt32+1 so negative priorities still add up to a larger cost for more pods.
  (c) => -c.victims.reduce((sum, v) => sum + v.priority + MAX_INT32 + 1, 0),
  (c) => -c.victims.length,
  (c) => earliestStartOfTopPriority(c.victims),
]

/** The candidate preemption should act on, or undefined when there is none. */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate | undefined {
  let remaining = [...candidates]
  for (const score of criteria) {
    if (remaining.length <= 1) break
    let best = -Infinity
    let kept: Candidate[] = []
    for (const c of remaining) {
      const s = score(c)
      if (s > best) {
        best = s
        kept = [c]
      } else if (s === best) kept.push(c)
    }
    remaining = kept
  }
  return remaining[0]
}

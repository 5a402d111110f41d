/**
 * @module
 * The score normalization most plugins share: scale so the best node gets the maximum
 * score, optionally reversed (fewer is better).
 */
// Upstream: pkg/scheduler/framework/plugins/helper/normalize_score.go (DefaultNormalizeScore).
import { MAX_NODE_SCORE } from './types.js'

export function defaultNormalizeScore(scores: number[], reverse: boolean, maxPriority = MAX_NODE_SCORE) {
  let max = 0
  for (const s of scores) if (s > max) max = s
  if (max === 0) {
    if (reverse) scores.fill(maxPriority)
    return
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((maxPriority * scores[i]!) / max)
    scores[i] = reverse ? maxPriority - s : s
  }
}

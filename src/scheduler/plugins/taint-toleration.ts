/**
 * @module
 * TaintToleration: NoSchedule/NoExecute taints a pod does not tolerate rule the node out;
 * untolerated PreferNoSchedule taints lower its score.
 */
// Upstream: pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go.
import type { Toleration } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { defaultNormalizeScore } from '../framework/normalize.js'
import { success, unresolvable, type FilterPlugin, type PreScorePlugin, type ScorePlugin } from '../framework/types.js'
import { findUntoleratedTaint, noScheduleOrExecute, tolerationsTolerateTaint } from './helpers.js'

const NAME = 'TaintToleration'
type PreScoreState = { tolerations: readonly Cached<Toleration>[] }

export const taintToleration = {
  name: NAME,
  filter(_state, pod, node) {
    const taint = findUntoleratedTaint(node.taints, pod.spec?.tolerations, noScheduleOrExecute)
    return taint ? unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`) : success
  },
  preScore(state, pod) {
    // Only tolerations that can match a PreferNoSchedule taint matter for scoring.
    const tolerations = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule')
    state.data.set(NAME, { tolerations } satisfies PreScoreState)
    return success
  },
  score(state, _pod, node) {
    const { tolerations } = state.data.get(NAME) as PreScoreState
    let n = 0
    for (const taint of node.taints) {
      if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint)) n++
    }
    return n
  },
  normalizeScore: (_state, _pod, scores) => defaultNormalizeScore(scores, true),
  events: [{ resource: 'Node', actions: ['Add', 'Update'] }, { resource: 'Pod', actions: ['Update'] }],
} satisfies FilterPlugin & PreScorePlugin & ScorePlugin

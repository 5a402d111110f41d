/**
 * @module
 * The PodTopologySpread plugin: DoNotSchedule constraints filter, ScheduleAnyway ones
 * (or the system defaults) score.
 */
// Upstream: pkg/scheduler/framework/plugins/podtopologyspread/plugin.go (EventsToRegister).
import type { FilterPlugin, Handle, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/types.js'
import { NAME } from './common.js'
import { addPod, filter, preFilter, removePod } from './filtering.js'
import { normalizeScore, preScore, score, type DefaultSelector } from './scoring.js'
import { topologyCounts } from './topology-counts.js'

export function podTopologySpread(handle: Handle, defaultSelector: DefaultSelector = () => undefined) {
  const memo = topologyCounts(handle)
  return {
    name: NAME,
    preFilter: (state, pod, nodes) => preFilter(memo, state, pod, nodes),
    addPod, removePod,
    filter,
    preScore: (state, pod, nodes) => preScore(handle, defaultSelector, memo, state, pod, nodes),
    score,
    normalizeScore: (state, _pod, scores, nodes) => normalizeScore(state, scores, nodes),
    events: [{ resource: 'Pod', actions: ['Add', 'Update', 'Delete'] }, { resource: 'Node', actions: ['Add', 'Update', 'Delete'] }],
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin
}

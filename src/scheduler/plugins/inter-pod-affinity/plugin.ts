/**
 * @module
 * The InterPodAffinity plugin: required terms filter, preferred terms score.
 */
// Upstream: pkg/scheduler/framework/plugins/interpodaffinity/plugin.go (EventsToRegister).
import type { FilterPlugin, Handle, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/types.js'
import { addPod, filter, NAME, preFilter, removePod } from './filtering.js'
import { normalizeScore, preScore, score } from './scoring.js'

export function interPodAffinity(handle: Handle) {
  return {
    name: NAME,
    preFilter: (state, pod, nodes) => preFilter(handle, state, pod, nodes),
    addPod: (state, _pod, added, node) => addPod(handle, state, added, node),
    removePod: (state, _pod, removed, node) => removePod(handle, state, removed, node),
    filter: (state, _pod, node) => filter(state, node),
    preScore: (state, pod) => preScore(handle, state, pod),
    score: (state, _pod, node) => score(state, node),
    normalizeScore: (_state, _pod, scores) => normalizeScore(scores),
    events: [{ resource: 'Pod', actions: ['Add', 'Update', 'Delete'] }, { resource: 'Node', actions: ['Add', 'Update'] }],
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin
}

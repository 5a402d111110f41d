/**
 * @module
 * NodeAffinity: the pod's nodeSelector and required node affinity must match the node's
 * labels; preferred terms add their weights to the score.
 */
// Upstream: pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go.
import type { NodeSelectorTerm } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { defaultNormalizeScore } from '../framework/normalize.js'
import type { NodeInfo } from '../framework/node-info.js'
import {
  skip, success, unresolvable, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin,
  type Status,
} from '../framework/types.js'
import { compileNodeSelectorTerms, requiredNodeAffinity } from './helpers.js'

const NAME = 'NodeAffinity'
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"
const mismatch: Status = unresolvable(ERR_REASON_POD)
const conflict: Status = unresolvable('pod affinity terms conflict')

type FilterState = { matches: (n: NodeInfo) => boolean }
type ScoreState = { terms: { weight: number; matches: (n: NodeInfo) => boolean }[] }

// A term pinned with matchFields metadata.name In [...] limits the nodes worth filtering
// (DaemonSet pods): the union over terms, or every node if any term is not pinned.
function pinnedNodeNames(terms: readonly Cached<NodeSelectorTerm>[]): Set<string> | undefined {
  let names: Set<string> | undefined
  for (const t of terms) {
    let termNames: Set<string> | undefined
    for (const f of t.matchFields ?? []) {
      if (f.key !== 'metadata.name' || f.operator !== 'In') continue
      const s = new Set(f.values ?? [])
      termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s
    }
    if (!termNames) return undefined
    names = new Set([...(names ?? []), ...termNames])
  }
  return names
}

export const nodeAffinity = {
  name: NAME,
  preFilter(state, pod) {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    if (!required && !Object.keys(pod.spec?.nodeSelector ?? {}).length) return skip
    state.data.set(NAME, { matches: requiredNodeAffinity(pod) } satisfies FilterState)
    const names = required ? pinnedNodeNames(required.nodeSelectorTerms ?? []) : undefined
    if (names && names.size === 0) return conflict
    return names ? { code: 'Success', nodeNames: names } : success
  },
  filter(state, _pod, node) {
    const s = state.data.get(NAME) as FilterState | undefined
    return !s || s.matches(node) ? success : mismatch
  },
  preScore(state, pod) {
    const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
    if (!preferred.length) return skip
    const terms = preferred.map((p) => ({ weight: p.weight, matches: compileNodeSelectorTerms([p.preference]) }))
    state.data.set(`${NAME}/score`, { terms } satisfies ScoreState)
    return success
  },
  score(state, _pod, node) {
    const { terms } = state.data.get(`${NAME}/score`) as ScoreState
    let sum = 0
    for (const t of terms) if (t.weight && t.matches(node)) sum += t.weight
    return sum
  },
  normalizeScore: (_state, _pod, scores) => defaultNormalizeScore(scores, false),
  events: [{ resource: 'Node', actions: ['Add', 'Update'] }],
} satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin

/**
 * @module
 * The framework: one profile's plugins sorted by extension point, and the functions that
 * run an extension point across them in order, as the scheduling cycle calls them.
 */
// Upstream: pkg/scheduler/framework/runtime/framework.go (RunPreFilterPlugins,
// RunFilterPlugins, RunFilterPluginsWithNominatedPods, RunPreScorePlugins, RunScorePlugins,
// RunReservePlugins*, RunPreBindPlugins).
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { addPodToNode, cloneNodeInfo, type NodeInfo } from './node-info.js'
import type { PodInfo } from './pod-info.js'
import {
  cloneCycleState, isRejected, success, type AnyPlugin, type ClusterEvent, type CycleState, type FilterPlugin,
  type PreBindPlugin, type PreFilterPlugin, type PreScorePlugin, type ReservePlugin, type ScorePlugin, type Status,
} from './types.js'

/** A status with the plugin that returned it (absent on success). */
export type PluginStatus = Status & { plugin?: string }

export type Framework = ReturnType<typeof newFramework>

type P = Cached<Pod>

/** `weights` are the Score weights by plugin name (upstream's default profile values). */
export function newFramework(plugins: readonly AnyPlugin[], weights: Readonly<Record<string, number>> = {}) {
  const preFilters = plugins.filter((p): p is PreFilterPlugin => typeof p.preFilter === 'function')
  const filters = plugins.filter((p): p is FilterPlugin => typeof p.filter === 'function')
  const preScores = plugins.filter((p): p is PreScorePlugin => typeof p.preScore === 'function')
  const scores = plugins.filter((p): p is ScorePlugin => typeof p.score === 'function')
    .map((plugin) => ({ plugin, weight: weights[plugin.name] ?? 1 }))
  const reserves = plugins.filter((p): p is ReservePlugin => typeof p.reserve === 'function')
  const preBinds = plugins.filter((p): p is PreBindPlugin => typeof p.preBind === 'function')
  const pluginEvents = new Map<string, ClusterEvent[]>(plugins.map((p) => [p.name, p.events ?? []]))

  const fwk = {
    pluginEvents,
    hasFilterPlugins: filters.length > 0,

    /** Runs PreFilter; `nodeNames` narrows the nodes to filter when a plugin can. */
    runPreFilterPlugins(state: CycleState, pod: P, nodes: readonly NodeInfo[]): { status: PluginStatus; nodeNames?: Set<string>; narrowedBy: string[] } {
      let nodeNames: Set<string> | undefined
      const narrowedBy: string[] = []
      for (const p of preFilters) {
        const s = p.preFilter(state, pod, nodes)
        if (s.code === 'Skip') {
          state.skipFilter.add(p.name)
          continue
        }
        if (s.code !== 'Success') return { status: { ...s, plugin: p.name }, narrowedBy }
        if ('nodeNames' in s) {
          nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => s.nodeNames.has(n))) : new Set(s.nodeNames)
          narrowedBy.push(p.name)
        }
      }
      return { status: success, nodeNames, narrowedBy }
    },

    /** The first filter that rejects the node decides; later ones are not run. */
    runFilterPlugins(state: CycleState, pod: P, node: NodeInfo): PluginStatus {
      for (let i = 0; i < filters.length; i++) {
        const p = filters[i]!
        if (state.skipFilter.size && state.skipFilter.has(p.name)) continue
        const s = p.filter(state, pod, node)
        if (s.code !== 'Success') return { ...s, plugin: p.name }
      }
      return success
    },

    /** Tells the PreFilter extensions a pod was added to or removed from `node`. */
    runAddPod(state: CycleState, pod: P, added: PodInfo, node: NodeInfo) {
      for (const p of preFilters) if (p.addPod && !state.skipFilter.has(p.name)) p.addPod(state, pod, added, node)
    },
    runRemovePod(state: CycleState, pod: P, removed: PodInfo, node: NodeInfo) {
      for (const p of preFilters) if (p.removePod && !state.skipFilter.has(p.name)) p.removePod(state, pod, removed, node)
    },

    /**
     * Filters as if the pods nominated to this node with at least our priority were there;
     * if that passes, again without them, since affinity might need them absent.
     */
    runFilterPluginsWithNominatedPods(state: CycleState, pod: P, node: NodeInfo, nominated: readonly PodInfo[]): PluginStatus {
      const uid = pod.metadata?.uid
      const priority = state.podInfo.priority
      const others = nominated.filter((n) => n.uid !== uid && n.priority >= priority)
      if (!others.length) return fwk.runFilterPlugins(state, pod, node)
      const s2 = cloneCycleState(state)
      const n2 = cloneNodeInfo(node)
      for (const o of others) {
        addPodToNode(n2, o)
        fwk.runAddPod(s2, pod, o, n2)
      }
      const first = fwk.runFilterPlugins(s2, pod, n2)
      if (first.code !== 'Success') return first
      return fwk.runFilterPlugins(state, pod, node)
    },

    runPreScorePlugins(state: CycleState, pod: P, nodes: readonly NodeInfo[]): PluginStatus {
      for (const p of preScores) {
        const s = p.preScore(state, pod, nodes)
        if (s.code === 'Skip') state.skipScore.add(p.name)
        else if (s.code !== 'Success') return { ...s, plugin: p.name }
      }
      return success
    },

    /** Weighted sum of every score plugin's normalized score, per node. */
    runScorePlugins(state: CycleState, pod: P, nodes: readonly NodeInfo[]): number[] {
      const totals = new Array<number>(nodes.length).fill(0)
      const scratch = new Array<number>(nodes.length)
      for (const { plugin, weight } of scores) {
        if (state.skipScore.has(plugin.name)) continue
        for (let i = 0; i < nodes.length; i++) scratch[i] = plugin.score(state, pod, nodes[i]!)
        plugin.normalizeScore?.(state, pod, scratch, nodes)
        for (let i = 0; i < nodes.length; i++) totals[i]! += scratch[i]! * weight
      }
      return totals
    },

    runReservePlugins(state: CycleState, pod: P, nodeName: string): PluginStatus {
      for (let i = 0; i < reserves.length; i++) {
        const s = reserves[i]!.reserve(state, pod, nodeName)
        if (s.code !== 'Success' && s.code !== 'Skip') {
          // Unreserve runs for every plugin, in reverse order, as upstream does.
          fwk.runUnreservePlugins(state, pod, nodeName)
          return { ...s, plugin: reserves[i]!.name }
        }
      }
      return success
    },
    runUnreservePlugins(state: CycleState, pod: P, nodeName: string) {
      for (let i = reserves.length - 1; i >= 0; i--) reserves[i]!.unreserve(state, pod, nodeName)
    },
    async runPreBindPlugins(state: CycleState, pod: P, nodeName: string, signal: AbortSignal): Promise<PluginStatus> {
      for (const p of preBinds) {
        const s = await p.preBind(state, pod, nodeName, signal)
        if (s.code !== 'Success' && s.code !== 'Skip') return { ...s, plugin: p.name }
      }
      return success
    },
  }
  return fwk
}

export { isRejected }

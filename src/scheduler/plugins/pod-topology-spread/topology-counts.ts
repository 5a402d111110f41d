/**
 * @module
 * Running counts of pods matching a selector per topology value, kept up to date from the
 * cache's pod placements. Scoring a ReplicaSet's pods against the zone spread would
 * otherwise walk every node for every pod; with 5,000 nodes that walk is most of a cycle.
 */
// Not in upstream, which walks all nodes in parallel in PreScore; the counts are the same.
import type { LabelSelector } from '../../../api/index.js'
import type { Handle } from '../../framework/types.js'
import { countPodsMatchSelector } from './common.js'

type Entry = { ns: string; selector: LabelSelector; key: string; counts: Map<string, number>; generation: number }

export type TopologyCounts = ReturnType<typeof topologyCounts>

export function topologyCounts(handle: Handle, maxEntries = 32) {
  const entries = new Map<string, Entry>() // in least-recently-used order
  let subscribed = false

  function onPodChange(...[info, node, delta]: Parameters<Parameters<Handle['onPodChange']>[0]>) {
    const meta = info.pod.metadata
    if (meta?.deletionTimestamp) return // terminating pods never count
    for (const e of entries.values()) {
      if (meta?.namespace !== e.ns || !e.selector.matches(meta?.labels)) continue
      const v = node.labels[e.key]
      if (v !== undefined) e.counts.set(v, (e.counts.get(v) ?? 0) + delta)
    }
  }

  return {
    /** Pods in `ns` matching `selector`, per value of node label `key`, over every node. */
    get(ns: string, selector: LabelSelector, key: string): ReadonlyMap<string, number> {
      if (!subscribed) {
        handle.onPodChange(onPodChange)
        subscribed = true
      }
      const id = `${ns}\0${key}\0${selector.toString()}`
      const generation = handle.labelsGeneration()
      const hit = entries.get(id)
      entries.delete(id)
      if (hit && hit.generation === generation) {
        entries.set(id, hit)
        return hit.counts
      }
      const counts = new Map<string, number>()
      for (const node of handle.nodes()) {
        const v = node.labels[key]
        if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + countPodsMatchSelector(node.pods, selector, ns))
      }
      entries.set(id, { ns, selector, key, counts, generation })
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
      return counts
    },
  }
}

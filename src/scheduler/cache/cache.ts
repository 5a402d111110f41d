/**
 * @module
 * The scheduler cache: a NodeInfo per node, fed by the node and pod informers and by pods
 * the scheduler has only assumed (bound in its own mind, the binding still in flight), so
 * the next pod is scheduled against the cluster as it will be rather than as the watch
 * last showed it. Scheduling cycles are synchronous, so the cache doubles as the snapshot.
 */
// Upstream: pkg/scheduler/backend/cache/cache.go (AssumePod, ForgetPod, FinishBinding,
// AddPod confirming an assumed pod), node_tree.go (zone-interleaved node order), snapshot.go.
// Assumed pods never expire, as upstream's default durationToExpireAssumedPod of 0.
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { addPodToNode, newNodeInfo, removePodFromNode, setNode, type NodeInfo } from '../framework/node-info.js'
import { newPodInfo, type PodInfo } from '../framework/pod-info.js'

type PodState = { info: PodInfo; nodeName: string; assumed: boolean }
export type PodListener = (info: PodInfo, node: NodeInfo, delta: 1 | -1) => void

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) if (a[k] !== b[k]) return false
  return true
}

const zoneOf = (labels: Readonly<Record<string, string>> | undefined) => {
  const l = labels ?? {}
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? ''
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? ''
  return `${region}:\x00:${zone}`
}

/** Terminal pods hold no resources on their node. */
const isTerminal = (pod: Cached<Pod>) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'

export type SchedulerCache = ReturnType<typeof schedulerCache>

export function schedulerCache() {
  const infos = new Map<string, NodeInfo>()
  const pods = new Map<string, PodState>()
  let order: NodeInfo[] = []
  let orderDirty = true
  const withAffinity = new Set<NodeInfo>()
  const withAntiAffinity = new Set<NodeInfo>()
  let affinityList: NodeInfo[] | undefined
  let antiAffinityList: NodeInfo[] | undefined
  const podListeners = new Set<PodListener>()
  let labelsGeneration = 0

  const infoFor = (name: string) => {
    let ni = infos.get(name)
    if (!ni) infos.set(name, (ni = newNodeInfo(name)))
    return ni
  }
  const track = (ni: NodeInfo) => {
    const a = ni.podsWithAffinity.length > 0
    if (a !== withAffinity.has(ni)) {
      if (a) withAffinity.add(ni)
      else withAffinity.delete(ni)
      affinityList = undefined
    }
    const r = ni.podsWithRequiredAntiAffinity.length > 0
    if (r !== withAntiAffinity.has(ni)) {
      if (r) withAntiAffinity.add(ni)
      else withAntiAffinity.delete(ni)
      antiAffinityList = undefined
    }
  }
  const place = (info: PodInfo, nodeName: string) => {
    const ni = infoFor(nodeName)
    addPodToNode(ni, info)
    track(ni)
    for (const l of podListeners) l(info, ni, 1)
  }
  const unplace = (info: PodInfo, nodeName: string) => {
    const ni = infos.get(nodeName)
    if (!ni) return
    if (removePodFromNode(ni, info.uid)) for (const l of podListeners) l(info, ni, -1)
    track(ni)
    // A node deleted while it still had pods lingers as a ghost until the last one goes.
    if (!ni.node && ni.pods.length === 0) infos.delete(nodeName)
  }

  function removeByUid(uid: string) {
    const st = pods.get(uid)
    if (!st) return
    unplace(st.info, st.nodeName)
    pods.delete(uid)
  }

  const cache = {
    /** Nodes in scheduling order: zones interleaved, as upstream's node tree lists them. */
    nodes(): readonly NodeInfo[] {
      if (orderDirty) {
        const byZone = new Map<string, NodeInfo[]>()
        for (const ni of infos.values()) {
          if (!ni.node) continue
          const z = zoneOf(ni.labels)
          let l = byZone.get(z)
          if (!l) byZone.set(z, (l = []))
          l.push(ni)
        }
        const zones = [...byZone.values()]
        order = []
        for (let i = 0; order.length < zones.reduce((n, z) => n + z.length, 0); i++) {
          for (const z of zones) if (i < z.length) order.push(z[i]!)
        }
        orderDirty = false
      }
      return order
    },
    node: (name: string) => {
      const ni = infos.get(name)
      return ni?.node ? ni : undefined
    },
    nodesWithAffinityPods: () => (affinityList ??= [...withAffinity].filter((ni) => ni.node)),
    nodesWithRequiredAntiAffinityPods: () => (antiAffinityList ??= [...withAntiAffinity].filter((ni) => ni.node)),

    addNode(node: Cached<Node>) {
      const name = node.metadata?.name ?? ''
      const ni = infoFor(name)
      const zoneChanged = !ni.node || zoneOf(ni.labels) !== zoneOf(node.metadata?.labels)
      if (!ni.node || !sameLabels(ni.labels, node.metadata?.labels ?? {})) labelsGeneration++
      setNode(ni, node)
      if (zoneChanged) orderDirty = true
      affinityList = antiAffinityList = undefined
    },
    updateNode(node: Cached<Node>) {
      cache.addNode(node)
    },
    removeNode(node: Cached<Node>) {
      const name = node.metadata?.name ?? ''
      const ni = infos.get(name)
      if (!ni) return
      ni.node = undefined
      labelsGeneration++
      if (ni.pods.length === 0) infos.delete(name)
      orderDirty = true
      affinityList = antiAffinityList = undefined
    },

    /** An assigned pod the informer reports (add or update). Confirms an assumed pod. */
    addPod(pod: Cached<Pod>) {
      const uid = pod.metadata?.uid ?? ''
      const nodeName = pod.spec?.nodeName
      if (!nodeName) return
      if (isTerminal(pod)) return removeByUid(uid)
      const st = pods.get(uid)
      if (st) {
        // Re-account only when something we count changed (labels, requests): kubelet status
        // updates arrive for every pod and must stay cheap.
        if (st.nodeName === nodeName && !st.assumed && st.info.pod.metadata?.labels === pod.metadata?.labels &&
          st.info.pod.spec === pod.spec) {
          st.info.pod = pod
          return
        }
        unplace(st.info, st.nodeName)
      }
      const info = newPodInfo(pod)
      pods.set(uid, { info, nodeName, assumed: false })
      place(info, nodeName)
    },
    removePod(pod: Cached<Pod>) {
      removeByUid(pod.metadata?.uid ?? '')
    },
    /** Counts the pod on `nodeName` before the API has heard of the binding. */
    assumePod(info: PodInfo, nodeName: string) {
      if (pods.has(info.uid)) throw new Error(`pod ${info.key} is already in the cache`)
      pods.set(info.uid, { info, nodeName, assumed: true })
      place(info, nodeName)
    },
    /** The binding failed: give the node its room back. */
    forgetPod(uid: string) {
      const st = pods.get(uid)
      if (st?.assumed) removeByUid(uid)
    },
    isAssumed: (uid: string) => pods.get(uid)?.assumed === true,
    /** Tells `l` about every pod placed on or removed from a node (assumed ones included). */
    onPodChange(l: PodListener) {
      podListeners.add(l)
      return () => void podListeners.delete(l)
    },
    /** Changes whenever a node is added, removed or relabelled: topology-derived caches key on it. */
    labelsGeneration: () => labelsGeneration,
    /** How many pods are cached and how many of them are only assumed. */
    stats() {
      let assumed = 0
      for (const st of pods.values()) if (st.assumed) assumed++
      return { nodes: cache.nodes().length, pods: pods.size, assumed }
    },
  }
  return cache
}

/**
 * @module
 * The resource metrics API (metrics.k8s.io/v1beta1) that `kubectl top` and the HPA read,
 * served by the API server itself instead of an aggregated metrics-server. Figures come from
 * a swappable usage source (the sim's rule by default) applied to the stored Pods and Nodes,
 * so they need no scraping and agree with the sim wherever it runs.
 *
 * Which objects have metrics is the source's choice; the sim's rule covers Running pods on
 * Ready sim nodes (label kubelite.io/sim=true) and those nodes. Anything else is absent, as in
 * metrics-server when it could not scrape a kubelet: lists leave it out and a GET is NotFound.
 */
// Upstream: sigs.k8s.io/metrics-server pkg/api (node.go, pod.go: listers, selectors, sorting,
// NotFound errors; install.go: resources "nodes" and "pods", verbs get and list),
// pkg/storage/types.go (resourceUsage: cpu in nanocores DecimalSI, memory in bytes BinarySI).
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import {
  everyField, formatQuantity, methodNotSupported, notFound, parseFieldSelector, parseLabelSelector, selectEverything,
  type Cached,
} from '../../api/index.js'
import { simUsage, type ResourceUsage, type UsageSource } from '../../runtime/sim/index.js'

export const METRICS_GROUP = 'metrics.k8s.io'
export const METRICS_VERSION = 'v1beta1'
const GV = `${METRICS_GROUP}/${METRICS_VERSION}`

/** How the metrics API reads stored objects. A missing object is undefined (or a NotFound error). */
export type MetricsLookup = {
  listPods(namespace?: string): Promise<readonly Cached<Pod>[]>
  getPod(namespace: string, name: string): Promise<Cached<Pod> | undefined>
  listNodes(): Promise<readonly Cached<Node>[]>
  getNode(name: string): Promise<Cached<Node> | undefined>
}

export type MetricsApiOptions = {
  usage?: UsageSource
  /** metrics-server's --metric-resolution as deployed by its manifests (15s): the window and timestamp step. */
  resolutionSeconds?: number
  /** Runs before each request (a scraping source fetching its first figures). */
  prepare?: () => Promise<void>
}

const RESOURCES = [
  { name: 'nodes', kind: 'NodeMetrics', namespaced: false },
  { name: 'pods', kind: 'PodMetrics', namespaced: true },
]

/** RFC 3339 with whole seconds. */
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')

/** Usage as metrics-server writes it: cpu "123456789n" or "25m", memory "65536Ki" or "64Mi". */
export function usageList(u: ResourceUsage): { cpu: string; memory: string } {
  return { cpu: formatQuantity(u.cpuNanoCores, 'DecimalSI'), memory: formatQuantity(u.memoryBytes * 1_000_000_000n, 'BinarySI') }
}

/** The metrics.k8s.io API over `lookup`; `handle` answers its paths and returns undefined for others. */
export function metricsApi(lookup: MetricsLookup, opts: MetricsApiOptions = {}) {
  const usage = opts.usage ?? simUsage
  const resolutionMs = (opts.resolutionSeconds ?? 15) * 1000

  const groupDiscovery = {
    metadata: { name: METRICS_GROUP, creationTimestamp: null },
    versions: [{
      version: METRICS_VERSION, freshness: 'Current',
      resources: RESOURCES.map((r) => ({
        resource: r.name, responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: '', verbs: ['get', 'list'],
      })),
    }],
  }
  const groupVersion = { groupVersion: GV, version: METRICS_VERSION }
  /** The entry for /apis (APIGroupList.groups) and the body of /apis/metrics.k8s.io. */
  const apiGroup = { kind: 'APIGroup', apiVersion: 'v1', name: METRICS_GROUP, versions: [groupVersion], preferredVersion: groupVersion }
  const resourceList = {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: GV,
    resources: RESOURCES.map((r) => ({ name: r.name, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list'] })),
  }

  const meta = (obj: Cached<Pod> | Cached<Node>, nowMs: number, namespaced: boolean) => ({
    name: obj.metadata?.name,
    ...(namespaced ? { namespace: obj.metadata?.namespace } : {}),
    creationTimestamp: rfc3339(nowMs),
    ...(obj.metadata?.labels ? { labels: { ...obj.metadata.labels } } : {}),
  })
  const sample = (nowMs: number) => ({
    // The last scrape: metrics-server samples once per resolution, so timestamps move in steps.
    timestamp: rfc3339(Math.floor(nowMs / resolutionMs) * resolutionMs), window: `${resolutionMs / 1000}s`,
  })

  async function nodeItems(nodes: readonly Cached<Node>[], nowMs: number) {
    const pods = await lookup.listPods()
    const byNode = new Map<string, Cached<Pod>[]>()
    for (const p of pods) {
      const n = p.spec?.nodeName
      if (n) (byNode.get(n) ?? byNode.set(n, []).get(n)!).push(p)
    }
    const out = []
    for (const node of [...nodes].sort((a, b) => cmp(a.metadata?.name, b.metadata?.name))) {
      const u = usage.node(node, byNode.get(node.metadata?.name ?? '') ?? [])
      if (u) out.push({ metadata: meta(node, nowMs, false), ...sample(nowMs), usage: usageList(u) })
    }
    return out
  }

  async function podItems(pods: readonly Cached<Pod>[], nowMs: number, nodes?: Map<string, Cached<Node>>) {
    const out = []
    const sorted = [...pods].sort((a, b) => cmp(a.metadata?.namespace, b.metadata?.namespace) || cmp(a.metadata?.name, b.metadata?.name))
    for (const pod of sorted) {
      const nodeName = pod.spec?.nodeName
      const node = !nodeName ? undefined : nodes ? nodes.get(nodeName) : await lookup.getNode(nodeName).catch(() => undefined)
      const containers = usage.pod(pod, node)
      if (!containers) continue
      out.push({
        metadata: meta(pod, nowMs, true), ...sample(nowMs),
        containers: containers.map((c) => ({ name: c.name, usage: usageList(c) })),
      })
    }
    return out
  }

  async function handle(path: string, query: URLSearchParams, nowMs: number): Promise<unknown | undefined> {
    const parts = path.split('/').filter(Boolean)
    if (parts[0] !== 'apis' || parts[1] !== METRICS_GROUP) return undefined
    if (parts.length === 2) return apiGroup
    if (parts[2] !== METRICS_VERSION) return undefined
    if (parts.length === 3) return resourceList
    await opts.prepare?.()
    const rest = parts.slice(3).map(decodeURIComponent)
    const namespace = rest[0] === 'namespaces' && rest.length >= 3 ? rest[1] : undefined
    const [resource, name, extra] = namespace !== undefined ? rest.slice(2) : rest
    if (extra !== undefined || (resource !== 'nodes' && resource !== 'pods') || (resource === 'nodes' && namespace !== undefined)) return undefined
    if (query.get('watch') === 'true' || query.get('watch') === '1') {
      throw methodNotSupported({ group: METRICS_GROUP, resource }, 'watch')
    }
    const labelText = query.get('labelSelector')
    const fieldText = query.get('fieldSelector')
    const labels = labelText ? parseLabelSelector(labelText) : selectEverything
    const fields = fieldText ? parseFieldSelector(fieldText) : everyField
    if (resource === 'nodes') {
      if (name !== undefined) {
        const node = await lookup.getNode(name)
        if (!node) throw notFound({ group: '', resource: 'node' }, name)
        const [item] = await nodeItems([node], nowMs)
        if (!item) throw notFound({ group: METRICS_GROUP, resource: 'nodemetrics' }, name)
        return { kind: 'NodeMetrics', apiVersion: GV, ...item }
      }
      const nodes = (await lookup.listNodes()).filter((n) => labels.matches(n.metadata?.labels) && fields.matches(metaFields(n, false)))
      return { kind: 'NodeMetricsList', apiVersion: GV, metadata: {}, items: await nodeItems(nodes, nowMs) }
    }
    if (name !== undefined && namespace !== undefined) {
      const pod = await lookup.getPod(namespace, name)
      if (!pod) throw notFound({ group: '', resource: 'pods' }, name)
      const [item] = await podItems([pod], nowMs)
      if (!item) throw notFound({ group: METRICS_GROUP, resource: 'podmetrics' }, `${namespace}/${name}`)
      return { kind: 'PodMetrics', apiVersion: GV, ...item }
    }
    if (name !== undefined) return undefined
    const pods = (await lookup.listPods(namespace)).filter((p) => labels.matches(p.metadata?.labels) && fields.matches(metaFields(p, true)))
    const nodes = new Map((await lookup.listNodes()).map((n) => [n.metadata?.name ?? '', n]))
    return { kind: 'PodMetricsList', apiVersion: GV, metadata: {}, items: await podItems(pods, nowMs, nodes) }
  }

  return { group: METRICS_GROUP, version: METRICS_VERSION, groupDiscovery, apiGroup, resourceList, handle }
}
export type MetricsApi = ReturnType<typeof metricsApi>

const cmp = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0)

// Upstream's AddObjectMetaFieldsSet: the fields metrics-server's field selectors can use.
const metaFields = (obj: Cached<Pod> | Cached<Node>, namespaced: boolean): Record<string, string> => ({
  'metadata.name': obj.metadata?.name ?? '',
  ...(namespaced ? { 'metadata.namespace': obj.metadata?.namespace ?? '' } : {}),
})

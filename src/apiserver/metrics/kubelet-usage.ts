/**
 * @module
 * Usage from real kubelets, as metrics-server gets it: every node that publishes a kubelet
 * socket is scraped for /stats/summary every 10 s (and once at once when nothing was
 * scraped yet), and its pods' and its own figures are served from the last scrape.
 */
// Upstream: sigs.k8s.io/metrics-server pkg/scraper (scraper.go: per-node scrape with a
// timeout, every --metric-resolution; client/resource decode of Summary: usageNanoCores,
// workingSetBytes), pkg/storage (latest points per pod and node).
import type { Node } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { simUsage, type ContainerUsage, type ResourceUsage, type UsageSource } from '../../runtime/sim/index.js'
import { kubeletJson } from '../kubelet-proxy.js'

type SummaryCpu = { usageNanoCores?: number }
type SummaryMemory = { workingSetBytes?: number }
type Summary = {
  node?: { cpu?: SummaryCpu; memory?: SummaryMemory }
  pods?: Array<{ podRef?: { name?: string; namespace?: string }; containers?: Array<{ name: string; cpu?: SummaryCpu; memory?: SummaryMemory }> }>
}

export type KubeletUsageOptions = {
  listNodes(): Promise<readonly Cached<Node>[]>
  /** The Node annotation that holds the kubelet's socket path. */
  annotation: string
  intervalMs?: number
  /** Scrapes a kubelet; the unix-socket client by default. */
  fetchSummary?: (socketPath: string) => Promise<Summary>
}

type NodePoint = { node: ResourceUsage; pods: Map<string, ContainerUsage[]> }

const usageOf = (cpu?: SummaryCpu, mem?: SummaryMemory): ResourceUsage => ({
  cpuNanoCores: BigInt(Math.max(0, Math.round(cpu?.usageNanoCores ?? 0))), memoryBytes: BigInt(Math.max(0, Math.round(mem?.workingSetBytes ?? 0))),
})

/** A usage source fed by scraping kubelets; `ensure` scrapes now if nothing was yet. */
export function kubeletUsage(opts: KubeletUsageOptions) {
  const fetchSummary = opts.fetchSummary ?? ((socketPath: string) => kubeletJson<Summary>(socketPath, '/stats/summary'))
  const points = new Map<string, NodePoint>()
  let running: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  async function scrapeAll() {
    const nodes = (await opts.listNodes()).filter((n) => n.metadata?.annotations?.[opts.annotation])
    const seen = new Set<string>()
    await Promise.all(nodes.map(async (n) => {
      const name = n.metadata?.name ?? ''
      seen.add(name)
      try {
        const s = await fetchSummary(n.metadata!.annotations![opts.annotation]!)
        const pods = new Map<string, ContainerUsage[]>()
        for (const p of s.pods ?? []) {
          pods.set(`${p.podRef?.namespace}/${p.podRef?.name}`, (p.containers ?? []).map((c) => ({ name: c.name, ...usageOf(c.cpu, c.memory) })))
        }
        points.set(name, { node: usageOf(s.node?.cpu, s.node?.memory), pods })
      } catch {
        // An unreachable kubelet has no metrics, as in metrics-server.
        points.delete(name)
      }
    }))
    for (const k of points.keys()) if (!seen.has(k)) points.delete(k)
  }

  const scrape = () => (running ??= scrapeAll().finally(() => (running = undefined)))

  function schedule() {
    if (stopped) return
    timer = setTimeout(() => void scrape().finally(schedule), opts.intervalMs ?? 10_000)
    timer.unref()
  }
  schedule()

  const source: UsageSource = {
    pod(pod) {
      const point = pod.spec?.nodeName ? points.get(pod.spec.nodeName) : undefined
      return point?.pods.get(`${pod.metadata?.namespace}/${pod.metadata?.name}`)
    },
    node(node) {
      return points.get(node.metadata?.name ?? '')?.node
    },
  }

  return {
    source,
    /** Nodes this source has figures for. */
    scrapedNodes: () => new Set(points.keys()),
    /** Scrapes now when nothing was scraped yet (the first `kubectl top` after start). */
    async ensure() {
      if (points.size === 0) await scrape()
    },
    scrape,
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
    },
  }
}

/** Scraped figures where a kubelet reports, the sim's rule elsewhere. */
export function combinedUsage(scraped: UsageSource, fallback: UsageSource = simUsage): UsageSource {
  return {
    pod: (pod, node) => scraped.pod(pod, node) ?? fallback.pod(pod, node),
    node: (node, pods) => scraped.node(node, pods) ?? fallback.node(node, pods),
  }
}

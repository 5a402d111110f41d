/**
 * @module
 * The kubelet's Summary API (`GET /stats/summary`) as metrics-server reads it: node and
 * container CPU as a rate (usageNanoCores, from two samples of cumulative CPU time) and
 * memory working set.
 */
// Upstream: staging/src/k8s.io/kubelet/pkg/apis/stats/v1alpha1/types.go (Summary, NodeStats,
// PodStats, ContainerStats, CPUStats, MemoryStats); metrics-server pkg/scraper/client decode.
import { readFile } from 'node:fs/promises'
import type { KubeletPods } from '../types.js'

/** Cumulative figures of the whole node. */
export type NodeUsage = { cpuUsageNanos: bigint; memoryWorkingSetBytes: bigint }

type CpuStats = { time: string; usageNanoCores: number; usageCoreNanoSeconds: number }
type MemoryStats = { time: string; workingSetBytes: number; usageBytes: number }
export type Summary = {
  node: { nodeName: string; startTime?: string; cpu: CpuStats; memory: MemoryStats }
  pods: Array<{
    podRef: { name: string; namespace: string; uid: string }
    startTime?: string
    cpu: CpuStats
    memory: MemoryStats
    containers: Array<{ name: string; startTime?: string; cpu: CpuStats; memory: MemoryStats }>
  }>
}

/** The node's usage from /proc: CPU time of every CPU (jiffies at USER_HZ 100) and MemTotal − MemAvailable. */
export async function procNodeUsage(): Promise<NodeUsage> {
  const stat = await readFile('/proc/stat', 'utf8')
  const cpu = stat.split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
  const busy = cpu.slice(0, 8).reduce((a, v, i) => (i === 3 || i === 4 ? a : a + (v || 0)), 0)
  const mem = await readFile('/proc/meminfo', 'utf8')
  const kb = (k: string) => BigInt(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(mem)?.[1] ?? '0') * 1024n
  return { cpuUsageNanos: BigInt(busy) * 10_000_000n, memoryWorkingSetBytes: kb('MemTotal') - kb('MemAvailable') }
}

type Sample = { at: bigint; cpu: bigint }

/**
 * Builds summaries; CPU rates compare with the previous sample of the same container (or the
 * node), taking a second one a little later when there is none yet.
 */
export function summaryProvider(pods: KubeletPods, nodeName: string, nodeUsage: () => Promise<NodeUsage>, minIntervalMs = 200) {
  const last = new Map<string, Sample>()

  async function sampleAll() {
    const now = process.hrtime.bigint()
    const node = await nodeUsage()
    const containers = new Map<string, { cpu: bigint; mem: bigint }>()
    for (const p of pods.pods()) {
      for (const c of p.containers) {
        if (!c.id) continue
        const s = await pods.runtime.stats(c.id).catch(() => undefined)
        if (s) containers.set(c.id, { cpu: s.cpuUsageNanos, mem: s.memoryWorkingSetBytes })
      }
    }
    return { now, node, containers }
  }

  const rate = (key: string, now: bigint, cpu: bigint) => {
    const prev = last.get(key)
    last.set(key, { at: now, cpu })
    if (!prev || now <= prev.at || cpu < prev.cpu) return 0
    return Number(((cpu - prev.cpu) * 1_000_000_000n) / (now - prev.at))
  }

  return async function summary(): Promise<Summary> {
    const stale = !last.has('node') || process.hrtime.bigint() - last.get('node')!.at < BigInt(minIntervalMs) * 1_000_000n
    if (stale) {
      // First sample, or too close to the last: the rate needs some time between two.
      const first = await sampleAll()
      rate('node', first.now, first.node.cpuUsageNanos)
      for (const [id, s] of first.containers) rate(id, first.now, s.cpu)
      await new Promise((r) => setTimeout(r, minIntervalMs))
    }
    const { now, node, containers } = await sampleAll()
    const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
    const cpuOf = (key: string, cpu: bigint): CpuStats => ({ time, usageNanoCores: rate(key, now, cpu), usageCoreNanoSeconds: Number(cpu) })
    const memOf = (ws: bigint): MemoryStats => ({ time, workingSetBytes: Number(ws), usageBytes: Number(ws) })
    const out: Summary = { node: { nodeName, cpu: cpuOf('node', node.cpuUsageNanos), memory: memOf(node.memoryWorkingSetBytes) }, pods: [] }
    for (const p of pods.pods()) {
      const cs: Summary['pods'][number]['containers'] = []
      for (const c of p.containers) {
        const s = c.id ? containers.get(c.id) : undefined
        if (!s || !c.id) continue
        cs.push({ name: c.name, cpu: cpuOf(c.id, s.cpu), memory: memOf(s.mem) })
      }
      const sum = (f: (c: Summary['pods'][number]['containers'][number]) => number) => cs.reduce((a, c) => a + f(c), 0)
      out.pods.push({
        podRef: { name: p.pod.metadata?.name ?? '', namespace: p.pod.metadata?.namespace ?? '', uid: p.pod.metadata?.uid ?? '' },
        ...(p.pod.status?.startTime ? { startTime: p.pod.status.startTime } : {}),
        cpu: { time, usageNanoCores: sum((c) => c.cpu.usageNanoCores), usageCoreNanoSeconds: sum((c) => c.cpu.usageCoreNanoSeconds) },
        memory: { time, workingSetBytes: sum((c) => c.memory.workingSetBytes), usageBytes: sum((c) => c.memory.usageBytes) },
        containers: cs,
      })
    }
    // Forget containers that are gone.
    for (const key of last.keys()) if (key !== 'node' && !containers.has(key)) last.delete(key)
    return out
  }
}

/**
 * @module
 * What a simulated pod and node "use", computed only from stored objects so that the API
 * server's metrics.k8s.io data and the sim agree even when the sim runs in another process.
 *
 * The rule, per running container of a Running pod on a Ready sim node:
 * - `sim.kubelite.io/cpu-usage` / `sim.kubelite.io/memory-usage` on the pod give the pod's
 *   usage, shared evenly by its running containers (the remainder goes to the first);
 * - else kwok's `kwok.x-k8s.io/usage-cpu` / `kwok.x-k8s.io/usage-memory` give each
 *   container's usage, as kwok's usage-from-annotation does;
 * - else a quarter of the container's cpu request and half of its memory request (limits
 *   when there is no request), rounded up to whole 4 KiB pages like a real working set;
 * - a container that requests nothing uses 1m cpu and 1Mi memory (kwok's defaults).
 * A node uses the sum of its pods' usage plus a base of 50m cpu and 256Mi memory for the
 * system daemons a real node runs. Nodes that are not Ready report nothing: a stopped sim
 * node's kubelet cannot be scraped, so metrics-server would have no figures for it either.
 */
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js'
import { parseQuantity, type Cached } from '../../api/index.js'
import { ANNOTATIONS, SIM_NODE_LABEL, annotation } from './annotations.js'

/** cpu in nanocores, memory in bytes. */
export type ResourceUsage = { cpuNanoCores: bigint; memoryBytes: bigint }
export type ContainerUsage = ResourceUsage & { name: string }

/** Where usage figures come from; swap it when real kubelets report their own. */
export type UsageSource = {
  /** Usage of each running container of `pod`, or undefined when the source has none for it. */
  pod(pod: Cached<Pod>, node: Cached<Node> | undefined): ContainerUsage[] | undefined
  /** Usage of `node` given the pods bound to it, or undefined when the source has none. */
  node(node: Cached<Node>, pods: readonly Cached<Pod>[]): ResourceUsage | undefined
}

const PAGE = 4096n
const MI = 1024n * 1024n
const BASE: ResourceUsage = { cpuNanoCores: 50_000_000n, memoryBytes: 256n * MI }
const MIN: ResourceUsage = { cpuNanoCores: 1_000_000n, memoryBytes: MI }

/** True for a node registered by the sim. */
export const isSimNode = (node: Cached<Node> | undefined) => node?.metadata?.labels?.[SIM_NODE_LABEL] === 'true'

const isReady = (node: Cached<Node>) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false

/** Parses a quantity annotation; undefined when absent, malformed or negative. */
function quantityNanos(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined
  try {
    const n = parseQuantity(value.trim()).nanos
    return n < 0n ? undefined : n
  } catch {
    return undefined
  }
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b

function defaultUsage(c: Cached<Container>): ResourceUsage {
  const pick = (r: 'cpu' | 'memory') => quantityNanos(c.resources?.requests?.[r] ?? c.resources?.limits?.[r])
  const cpu = pick('cpu')
  const memory = pick('memory')
  return {
    cpuNanoCores: cpu ? cpu / 4n : MIN.cpuNanoCores,
    // Quantity nanos are 1e-9 units: bytes = nanos / 1e9.
    memoryBytes: memory ? ceilDiv(memory / 2_000_000_000n, PAGE) * PAGE : MIN.memoryBytes,
  }
}

/** Splits `total` over `n` shares; the first takes the remainder so the shares add up exactly. */
const share = (total: bigint, n: number, i: number) => total / BigInt(n) + (i === 0 ? total % BigInt(n) : 0n)

/** The running containers of a Running pod and what each uses, by the rule above. */
export function podUsage(pod: Cached<Pod>): ContainerUsage[] {
  if (pod.status?.phase !== 'Running') return []
  const running = new Set((pod.status.containerStatuses ?? []).filter((s) => s.state?.running).map((s) => s.name))
  const containers = (pod.spec?.containers ?? []).filter((c) => running.has(c.name))
  const podCpu = quantityNanos(annotation(pod, ANNOTATIONS.cpuUsage))
  const podMemory = quantityNanos(annotation(pod, ANNOTATIONS.memoryUsage))
  const kwokCpu = quantityNanos(annotation(pod, ANNOTATIONS.kwokCpuUsage))
  const kwokMemory = quantityNanos(annotation(pod, ANNOTATIONS.kwokMemoryUsage))
  return containers.map((c, i) => {
    const d = defaultUsage(c)
    return {
      name: c.name,
      cpuNanoCores: podCpu !== undefined ? share(podCpu, containers.length, i) : kwokCpu ?? d.cpuNanoCores,
      memoryBytes: podMemory !== undefined ? share(podMemory / 1_000_000_000n, containers.length, i)
        : kwokMemory !== undefined ? kwokMemory / 1_000_000_000n : d.memoryBytes,
    }
  })
}

/** A node's usage: the base plus every running pod bound to it. */
export function nodeUsage(pods: readonly Cached<Pod>[]): ResourceUsage {
  let cpu = BASE.cpuNanoCores
  let memory = BASE.memoryBytes
  for (const pod of pods) {
    for (const c of podUsage(pod)) {
      cpu += c.cpuNanoCores
      memory += c.memoryBytes
    }
  }
  return { cpuNanoCores: cpu, memoryBytes: memory }
}

/** The sim's usage source: figures for Ready sim nodes and the pods running on them only. */
export const simUsage: UsageSource = {
  pod(pod, node) {
    if (!node || !isSimNode(node) || !isReady(node)) return undefined
    const usage = podUsage(pod)
    return usage.length ? usage : undefined
  },
  node(node, pods) {
    if (!isSimNode(node) || !isReady(node)) return undefined
    return nodeUsage(pods.filter((p) => p.spec?.nodeName === node.metadata?.name))
  },
}

/**
 * @module
 * From metric samples and the target's pods to a proposed replica count. Pure: the samples
 * are fetched by the caller. The care is in the pods that have no sample or are not ready:
 * they must not push the autoscaler the wrong way, so they count as 0% on a scale-up and as
 * the target (100% of request) on a scale-down, and a change of direction means "stay".
 */
// Upstream: pkg/controller/podautoscaler/replica_calculator.go (GetResourceReplicas,
// calcPlainMetricReplicas, getUsageRatioReplicaCount, GetObjectPerPodMetricReplicas,
// groupPods, calculateRequests) and metrics/utilization.go.
import type { Container, Pod } from 'kubernetes-types/core/v1.js'
import { quantityMilliValue, type Cached } from '../../api/index.js'
import { isPodReady, podCondition } from '../util/index.js'
import type { PodMetric, PodMetricsInfo } from './metrics-client.js'

type P = Cached<Pod>

/** The controller-manager flags the calculation depends on, and the clock. */
export type CalculatorOptions = {
  /** --horizontal-pod-autoscaler-tolerance: a usage ratio within 1 ± this changes nothing. */
  tolerance: number
  /** --horizontal-pod-autoscaler-cpu-initialization-period: CPU samples of younger pods are suspect. */
  cpuInitializationPeriodMs: number
  /** --horizontal-pod-autoscaler-initial-readiness-delay. */
  delayOfInitialReadinessStatusMs: number
  nowMs: number
}

type PodGroups = { readyPodCount: number; unready: Set<string>; missing: Set<string>; ignored: Set<string> }

const time = (t: string | undefined) => (t ? Date.parse(t) : NaN)

/** Sorts pods into ready (counted), unready, missing a sample, and ignored (deleted or failed). */
export function groupPods(pods: readonly P[], metrics: PodMetricsInfo, resource: string, o: CalculatorOptions): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() }
  for (const pod of pods) {
    const name = pod.metadata?.name ?? ''
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name)
      continue
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name)
      continue
    }
    const metric = metrics.get(name)
    if (!metric) {
      g.missing.add(name)
      continue
    }
    // CPU spikes while a pod starts: its samples count only once it is ready and a whole
    // metric window has passed since it became so.
    if (resource === 'cpu' && isCpuSampleSuspect(pod, metric, o)) {
      g.unready.add(name)
      continue
    }
    g.readyPodCount++
  }
  return g
}

function isCpuSampleSuspect(pod: P, metric: PodMetric, o: CalculatorOptions): boolean {
  const ready = podCondition(pod, 'Ready')
  const started = time(pod.status?.startTime)
  if (!ready || Number.isNaN(started)) return true
  const transition = time(ready.lastTransitionTime)
  if (started + o.cpuInitializationPeriodMs > o.nowMs) {
    return ready.status === 'False' || metric.timestampMs < transition + metric.windowMs
  }
  // Past initialisation: ignore only a pod that is unready and has never been ready.
  return ready.status === 'False' && started + o.delayOfInitialReadinessStatusMs > transition
}

/** Each pod's summed request for `resource` in milli-units (one container's when named). */
export function podRequests(pods: readonly P[], resource: string, container?: string): Map<string, number> {
  const requests = new Map<string, number>()
  for (const pod of pods) {
    // Sidecars (restartable init containers) run alongside and so use resources too.
    const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')
    let sum = 0
    for (const c of [...(pod.spec?.containers ?? []), ...sidecars] as Cached<Container>[]) {
      if (container && c.name !== container) continue
      const req = c.resources?.requests?.[resource]
      const milli = req === undefined ? 0 : quantityMilliValue(String(req))
      if (milli === 0) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name}`)
      sum += milli
    }
    requests.set(pod.metadata?.name ?? '', sum)
  }
  return requests
}

/** Usage over request, as a whole percentage, and that percentage over the target. */
export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number) {
  let metricsTotal = 0
  let requestsTotal = 0
  let entries = 0
  for (const [name, m] of metrics) {
    const request = requests.get(name)
    if (request === undefined) continue // a sample for a pod we do not know: extraneous
    metricsTotal += m.value
    requestsTotal += request
    entries++
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods')
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal)
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) }
}

function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number) {
  let total = 0
  for (const m of metrics.values()) total += m.value
  const usage = Math.trunc(total / metrics.size)
  return { ratio: usage / targetUsage, usage }
}

const withoutPods = (metrics: PodMetricsInfo, names: Set<string>) => {
  const m = new Map(metrics)
  for (const n of names) m.delete(n)
  return m
}
const zero = { value: 0, timestampMs: 0, windowMs: 0 }

/**
 * Fills in pods without a usable sample and re-checks the ratio (upstream's second pass):
 * stays at `current` when the change is within tolerance or the direction flips.
 */
function rebalance(current: number, ratio: number, metrics: PodMetricsInfo, g: PodGroups, o: CalculatorOptions,
  missing: { value: (pod: string) => number; zeroAtTarget: boolean }, newRatio: (m: PodMetricsInfo) => number): number {
  const m = new Map(metrics)
  if (ratio < 1) for (const pod of g.missing) m.set(pod, { ...zero, value: missing.value(pod) })
  else if (ratio > 1 || missing.zeroAtTarget) for (const pod of g.missing) m.set(pod, zero)
  if (g.unready.size > 0 && ratio > 1) for (const pod of g.unready) m.set(pod, zero)
  const r = newRatio(m)
  if (Math.abs(1 - r) <= o.tolerance || (ratio < 1 && r > 1) || (ratio > 1 && r < 1)) return current
  const replicas = Math.ceil(r * m.size)
  if ((r < 1 && replicas > current) || (r > 1 && replicas < current)) return current
  return replicas
}

/** Replicas for a Utilization target of a resource (or one container's resource). */
export function resourceReplicas(current: number, targetUtilization: number, resource: string, pods: readonly P[],
  samples: PodMetricsInfo, o: CalculatorOptions, container?: string) {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count')
  const g = groupPods(pods, samples, resource, o)
  const metrics = withoutPods(withoutPods(samples, g.ignored), g.unready)
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)')
  const requests = podRequests(pods, resource, container)
  const { ratio, utilization, rawAverage } = resourceUtilizationRatio(metrics, requests, targetUtilization)
  const result = (replicas: number) => ({ replicas, utilization, rawUtilization: rawAverage })
  if (!(g.unready.size > 0 && ratio > 1) && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= o.tolerance) return result(current)
    return result(Math.ceil(ratio * g.readyPodCount))
  }
  // A missing pod on a scale-down uses its full request, or the target when that is above 100%.
  const fallback = Math.max(100, targetUtilization)
  const value = (pod: string) => Math.trunc(((requests.get(pod) ?? 0) * fallback) / 100)
  return result(rebalance(current, ratio, metrics, g, o, { value, zeroAtTarget: false },
    (m) => resourceUtilizationRatio(m, requests, targetUtilization).ratio))
}

/** Replicas for an AverageValue target of a per-pod metric (raw resource usage, or a Pods metric). */
export function plainMetricReplicas(current: number, targetUsage: number, resource: string, pods: readonly P[],
  samples: PodMetricsInfo, o: CalculatorOptions) {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count')
  const g = groupPods(pods, samples, resource, o)
  const metrics = withoutPods(withoutPods(samples, g.ignored), g.unready)
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)')
  const { ratio, usage } = metricUsageRatio(metrics, targetUsage)
  if (!(g.unready.size > 0 && ratio > 1) && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= o.tolerance) return { replicas: current, usage }
    return { replicas: Math.ceil(ratio * g.readyPodCount), usage }
  }
  return { replicas: rebalance(current, ratio, metrics, g, o, { value: () => targetUsage, zeroAtTarget: true }, (m) => metricUsageRatio(m, targetUsage).ratio), usage }
}

/** Ready and running pods, for metrics that describe the whole target (Object, External Value). */
export const readyPodCount = (pods: readonly P[]) =>
  pods.filter((p) => p.status?.phase === 'Running' && isPodReady(p)).length

/** Replicas from a whole-target usage ratio; from zero replicas the ratio alone decides. */
export function usageRatioReplicas(current: number, ratio: number, pods: readonly P[], o: CalculatorOptions): number {
  if (current === 0) return Math.ceil(ratio)
  if (Math.abs(1 - ratio) <= o.tolerance) return current
  if (pods.length === 0) throw new Error('unable to calculate ready pods: no pods returned by selector while calculating replica count')
  return Math.ceil(ratio * readyPodCount(pods))
}

/** Replicas for an AverageValue target of a whole-target metric, divided over `statusReplicas`. */
export function perPodReplicas(statusReplicas: number, total: number, targetAverage: number, o: CalculatorOptions) {
  let replicas = statusReplicas
  const ratio = total / (targetAverage * statusReplicas)
  if (Math.abs(1 - ratio) > o.tolerance) replicas = Math.ceil(total / targetAverage)
  return { replicas, average: statusReplicas > 0 ? Math.ceil(total / statusReplicas) : total }
}

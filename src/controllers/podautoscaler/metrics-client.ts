/**
 * @module
 * The autoscaler's view of the metrics APIs: per-pod resource usage from
 * `metrics.k8s.io/v1beta1` (metrics-server's PodMetrics), per-pod and per-object values from
 * `custom.metrics.k8s.io/v1beta2`, and values from `external.metrics.k8s.io/v1beta1`, all as
 * milli-units. Errors carry upstream's wording, since they end up in events and conditions.
 */
// Upstream: pkg/controller/podautoscaler/metrics/client.go (resourceMetricsClient,
// customMetricsClient, externalMetricsClient, getPodMetrics, getContainerMetrics).
import { parseGoDuration, quantityMilliValue } from '../../api/index.js'
import type { Client } from '../../client/index.js'

/** One pod's sample: milli-units, when it was taken and over which window. */
export type PodMetric = { value: number; timestampMs: number; windowMs: number }
/** Samples by pod name. */
export type PodMetricsInfo = Map<string, PodMetric>

type PodMetrics = {
  metadata?: { name?: string; namespace?: string }
  timestamp?: string
  window?: string
  containers?: { name?: string; usage?: Record<string, string> }[]
}
type MetricValue = { describedObject?: { name?: string }; timestamp?: string; windowSeconds?: number; value?: string }
type ExternalMetricValue = { timestamp?: string; value?: string }

// Upstream's metricServerDefaultMetricWindow, for custom metrics that do not say.
const DEFAULT_WINDOW_MS = 60_000

const ms = (t: string | undefined) => (t ? Date.parse(t) : 0)
const query = (params: Record<string, string | undefined>) => {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v)
  const s = q.toString()
  return s ? `?${s}` : ''
}
const because = (prefix: string, err: unknown) => new Error(`${prefix}: ${err instanceof Error ? err.message : String(err)}`)

/**
 * Usage of `resource` by each pod matching `selector` (the whole pod, or one container when
 * `container` is set). A pod missing usage for any container is left out, as upstream does.
 */
export async function getResourceMetric(client: Client, resource: string, namespace: string, selector: string,
  container?: string, signal?: AbortSignal): Promise<{ metrics: PodMetricsInfo; timestampMs: number }> {
  let items: PodMetrics[]
  try {
    const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods${query({ labelSelector: selector })}`
    items = (await client.getPath<{ items?: PodMetrics[] }>(path, { signal })).items ?? []
  } catch (err) {
    throw because('unable to fetch metrics from resource metrics API', err)
  }
  if (items.length === 0) throw new Error('no metrics returned from resource metrics API')
  const metrics: PodMetricsInfo = new Map()
  for (const m of items) {
    const name = m.metadata?.name ?? ''
    const sample = (value: number) => ({ value, timestampMs: ms(m.timestamp), windowMs: parseGoDuration(m.window) ?? 0 })
    if (container) {
      const c = m.containers?.find((x) => x.name === container)
      if (!c) throw new Error(`failed to get container metrics: container ${container} not present in metrics for pod ${m.metadata?.namespace ?? namespace}/${name}`)
      const usage = c.usage?.[resource]
      if (usage !== undefined) metrics.set(name, sample(quantityMilliValue(usage)))
      continue
    }
    const containers = m.containers ?? []
    if (containers.length === 0 || containers.some((c) => c.usage?.[resource] === undefined)) continue
    metrics.set(name, sample(containers.reduce((sum, c) => sum + quantityMilliValue(c.usage![resource]!), 0)))
  }
  return { metrics, timestampMs: ms(items[0]!.timestamp) }
}

/** A per-pod custom metric for the pods matching `selector`. */
export async function getRawMetric(client: Client, metricName: string, namespace: string, selector: string,
  metricSelector: string, signal?: AbortSignal): Promise<{ metrics: PodMetricsInfo; timestampMs: number }> {
  const path = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${encodeURIComponent(namespace)}/pods/*/${encodeURIComponent(metricName)}` +
    query({ labelSelector: selector, metricLabelSelector: metricSelector })
  const items = await customMetricValues(client, path, signal)
  const metrics: PodMetricsInfo = new Map()
  for (const m of items) {
    metrics.set(m.describedObject?.name ?? '', {
      value: quantityMilliValue(m.value ?? '0'), timestampMs: ms(m.timestamp),
      windowMs: m.windowSeconds !== undefined ? m.windowSeconds * 1000 : DEFAULT_WINDOW_MS,
    })
  }
  return { metrics, timestampMs: ms(items[0]!.timestamp) }
}

/** A custom metric describing one object, at `objectPath` (e.g. `ingresses.networking.k8s.io/main`). */
export async function getObjectMetric(client: Client, metricName: string, namespace: string, objectPath: string,
  metricSelector: string, signal?: AbortSignal): Promise<{ value: number; timestampMs: number }> {
  const path = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${encodeURIComponent(namespace)}/${objectPath}/${encodeURIComponent(metricName)}` +
    query({ metricLabelSelector: metricSelector })
  const [first] = await customMetricValues(client, path, signal)
  return { value: quantityMilliValue(first!.value ?? '0'), timestampMs: ms(first!.timestamp) }
}

/** The values of an external metric (one per matching series). */
export async function getExternalMetric(client: Client, metricName: string, namespace: string, metricSelector: string,
  signal?: AbortSignal): Promise<{ values: number[]; timestampMs: number }> {
  let items: ExternalMetricValue[]
  try {
    const path = `/apis/external.metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/${encodeURIComponent(metricName)}` +
      query({ labelSelector: metricSelector })
    items = (await client.getPath<{ items?: ExternalMetricValue[] }>(path, { signal })).items ?? []
  } catch (err) {
    throw because('unable to fetch metrics from external metrics API', err)
  }
  if (items.length === 0) throw new Error('no metrics returned from external metrics API')
  return { values: items.map((m) => quantityMilliValue(m.value ?? '0')), timestampMs: ms(items[0]!.timestamp) }
}

async function customMetricValues(client: Client, path: string, signal?: AbortSignal): Promise<MetricValue[]> {
  let items: MetricValue[]
  try {
    items = (await client.getPath<{ items?: MetricValue[] }>(path, { signal })).items ?? []
  } catch (err) {
    throw because('unable to fetch metrics from custom metrics API', err)
  }
  if (items.length === 0) throw new Error('no metrics returned from custom metrics API')
  return items
}

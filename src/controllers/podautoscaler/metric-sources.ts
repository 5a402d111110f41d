/**
 * @module
 * One `spec.metrics` entry → a replica proposal and its `status.currentMetrics` entry. Each
 * source type (Resource, ContainerResource, Pods, Object, External) fetches its samples and
 * hands them to the replica calculator. A failure says which reason and words upstream uses,
 * because they become the FailedGet…Metric event and the ScalingActive condition.
 */
// Upstream: pkg/controller/podautoscaler/horizontal.go (computeReplicasForMetric,
// computeStatusForResourceMetricGeneric, computeStatusForPodsMetric,
// computeStatusForObjectMetric, computeStatusForExternalMetric).
import type { MetricSpec, MetricStatus, MetricTarget, MetricValueStatus } from 'kubernetes-types/autoscaling/v2.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import { copy, labelSelectorFromMeta, quantityFromMilli, quantityMilliValue, type Cached } from '../../api/index.js'
import type { Client } from '../../client/index.js'
import { getExternalMetric, getObjectMetric, getRawMetric, getResourceMetric } from './metrics-client.js'
import {
  perPodReplicas, plainMetricReplicas, resourceReplicas, usageRatioReplicas, type CalculatorOptions,
} from './replica-calculator.js'
import { scaleResourceName } from './scale.js'
import { goLabelSelector } from './go-format.js'

/** A metric that could not be computed. */
export class MetricError extends Error {
  /**
   * @param reason the event and condition reason (FailedGetResourceMetric, ...)
   * @param detail what the event and the ScalingActive condition say
   * @param message what the FailedComputeMetricsReplicas event says, after "first error is: "
   */
  constructor(readonly reason: string, readonly detail: string, message: string = detail) {
    super(message)
  }
}

/** What computing one metric needs. */
export type MetricContext = {
  client: Client
  namespace: string
  /** The target scale's `status.selector`. */
  selector: string
  pods: readonly Cached<Pod>[]
  specReplicas: number
  statusReplicas: number
  calc: CalculatorOptions
  signal?: AbortSignal
}

/** A metric's proposal: replicas, the words for events ("cpu resource utilization ..."), its status. */
export type Proposal = { replicas: number; metricName: string; timestampMs: number; status: MetricStatus }

const milli = (q: unknown) => quantityMilliValue(String(q))
const quantity = (m: number) => quantityFromMilli(m).text
const message = (err: unknown) => (err instanceof Error ? err.message : String(err))
const selectorString = (sel: Cached<LabelSelector> | undefined) => labelSelectorFromMeta(sel as LabelSelector | undefined).toString()

/** Computes one metric's proposal, or throws a MetricError. */
export async function computeReplicasForMetric(spec: Cached<MetricSpec>, m: MetricContext): Promise<Proposal> {
  const source = SOURCES[spec.type]
  if (!source) throw new MetricError('InvalidMetricSourceType', `unknown metric source type "${spec.type}"`)
  try {
    return await source.compute(spec, m)
  } catch (err) {
    if (err instanceof MetricError) throw err
    // Anything the calculator throws past the fetch (no pods, say) is this metric's failure too.
    throw new MetricError(source.reason, message(err))
  }
}

async function resourceMetric(spec: Cached<MetricSpec>, m: MetricContext): Promise<Proposal> {
  const container = spec.type === 'ContainerResource' ? spec.containerResource?.container : undefined
  const src = container !== undefined ? spec.containerResource : spec.resource
  const name = src?.name ?? ''
  const target: Cached<MetricTarget> | undefined = src?.target
  const reason = container !== undefined ? 'FailedGetContainerResourceMetric' : 'FailedGetResourceMetric'
  const fail = (err: string): never => {
    const outer = container !== undefined ? `failed to get ${container} container metric value: ${err}` : `failed to get ${name} resource metric value: ${err}`
    throw new MetricError(reason, err, outer)
  }
  const status = (current: MetricValueStatus): MetricStatus => container !== undefined
    ? { type: 'ContainerResource', containerResource: { name, container, current } }
    : { type: 'Resource', resource: { name, current } }
  const hasValue = target?.averageValue !== undefined && target.averageValue !== null
  if (!hasValue && typeof target?.averageUtilization !== 'number') {
    fail('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set')
  }
  let samples
  try {
    samples = await getResourceMetric(m.client, name, m.namespace, m.selector, container, m.signal)
  } catch (err) {
    return fail(`failed to get ${name} ${hasValue ? 'usage' : 'utilization'}: unable to get metrics for resource ${name}: ${message(err)}`)
  }
  try {
    if (hasValue) {
      const r = plainMetricReplicas(m.specReplicas, milli(target!.averageValue), name, m.pods, samples.metrics, m.calc)
      return { replicas: r.replicas, metricName: `${name} resource`, timestampMs: samples.timestampMs, status: status({ averageValue: quantity(r.usage) }) }
    }
    const r = resourceReplicas(m.specReplicas, target!.averageUtilization!, name, m.pods, samples.metrics, m.calc, container)
    return {
      replicas: r.replicas, timestampMs: samples.timestampMs,
      metricName: `${name} ${container !== undefined ? 'container ' : ''}resource utilization (percentage of request)`,
      status: status({ averageUtilization: r.utilization, averageValue: quantity(r.rawUtilization) }),
    }
  } catch (err) {
    return fail(`failed to get ${name} ${hasValue ? 'usage' : 'utilization'}: ${message(err)}`)
  }
}

async function podsMetric(spec: Cached<MetricSpec>, m: MetricContext): Promise<Proposal> {
  const metric = spec.pods?.metric
  const name = metric?.name ?? ''
  const fail = (err: string): never => {
    throw new MetricError('FailedGetPodsMetric', err, `failed to get pods metric value: ${err}`)
  }
  let samples
  try {
    samples = await getRawMetric(m.client, name, m.namespace, m.selector, selectorString(metric?.selector), m.signal)
  } catch (err) {
    return fail(`unable to get metric ${name}: ${message(err)}`)
  }
  try {
    const r = plainMetricReplicas(m.specReplicas, milli(spec.pods?.target?.averageValue ?? 0), '', m.pods, samples.metrics, m.calc)
    return {
      replicas: r.replicas, metricName: `pods metric ${name}`, timestampMs: samples.timestampMs,
      status: { type: 'Pods', pods: { metric: copy(metric!), current: { averageValue: quantity(r.usage) } } },
    }
  } catch (err) {
    return fail(message(err))
  }
}

async function objectMetric(spec: Cached<MetricSpec>, m: MetricContext): Promise<Proposal> {
  const src = spec.object
  const metric = src?.metric
  const obj = src?.describedObject
  const name = metric?.name ?? ''
  const target = src?.target
  const fail = (err: string, outer = err): never => {
    throw new MetricError('FailedGetObjectMetric', err, `failed to get object metric value: ${outer}`)
  }
  const byValue = target?.type === 'Value' && target.value !== undefined && target.value !== null
  const byAverage = target?.type === 'AverageValue' && target.averageValue !== undefined && target.averageValue !== null
  if (!byValue && !byAverage) fail('invalid object metric source: neither a value target nor an average value target was set')
  let sample
  try {
    const path = `${scaleResourceName({ apiVersion: obj?.apiVersion, kind: obj?.kind ?? '', name: '' })}/${encodeURIComponent(obj?.name ?? '')}`
    sample = await getObjectMetric(m.client, name, m.namespace, path, selectorString(metric?.selector), m.signal)
  } catch (err) {
    const e = `unable to get metric ${name}: ${message(err)} on ${obj?.kind} ${m.namespace}/${obj?.name}`
    return byValue ? fail(e) : fail(e, `failed to get ${name} object metric: ${e}`)
  }
  const identifier = copy(metric!)
  if (byValue) {
    const replicas = usageRatioReplicas(m.specReplicas, sample.value / milli(target!.value), m.pods, m.calc)
    return {
      replicas, metricName: `${obj?.kind} metric ${name}`, timestampMs: sample.timestampMs,
      status: { type: 'Object', object: { describedObject: copy(obj!), metric: identifier, current: { value: quantity(sample.value) } } },
    }
  }
  const r = perPodReplicas(m.statusReplicas, sample.value, milli(target!.averageValue), m.calc)
  return {
    replicas: r.replicas, metricName: `external metric ${name}(${goLabelSelector(metric?.selector)})`, timestampMs: sample.timestampMs,
    status: { type: 'Object', object: { describedObject: copy(obj!), metric: identifier, current: { averageValue: quantity(r.average) } } },
  }
}

async function externalMetric(spec: Cached<MetricSpec>, m: MetricContext): Promise<Proposal> {
  const metric = spec.external?.metric
  const name = metric?.name ?? ''
  const target = spec.external?.target
  const metricName = `external metric ${name}(${goLabelSelector(metric?.selector)})`
  const byAverage = target?.averageValue !== undefined && target.averageValue !== null
  const byValue = target?.value !== undefined && target.value !== null
  const fail = (err: string): never => {
    throw new MetricError('FailedGetExternalMetric', err, byAverage ? `failed to get ${name} external metric: ${err}` : `failed to get external metric ${name}: ${err}`)
  }
  if (!byAverage && !byValue) fail('invalid external metric source: neither a value target nor an average value target was set')
  let sample
  try {
    sample = await getExternalMetric(m.client, name, m.namespace, selectorString(metric?.selector), m.signal)
  } catch (err) {
    return fail(`unable to get external metric ${m.namespace}/${name}/${goLabelSelector(metric?.selector)}: ${message(err)}`)
  }
  const total = sample.values.reduce((a, b) => a + b, 0)
  const status = (current: MetricValueStatus): MetricStatus => ({ type: 'External', external: { metric: copy(metric!), current } })
  if (byAverage) {
    const r = perPodReplicas(m.statusReplicas, total, milli(target!.averageValue), m.calc)
    return { replicas: r.replicas, metricName, timestampMs: sample.timestampMs, status: status({ averageValue: quantity(r.average) }) }
  }
  const replicas = usageRatioReplicas(m.specReplicas, total / milli(target!.value), m.pods, m.calc)
  return { replicas, metricName, timestampMs: sample.timestampMs, status: status({ value: quantity(total) }) }
}

type Source = { compute(spec: Cached<MetricSpec>, m: MetricContext): Promise<Proposal>; reason: string }
const SOURCES: Record<string, Source | undefined> = {
  Resource: { compute: resourceMetric, reason: 'FailedGetResourceMetric' },
  ContainerResource: { compute: resourceMetric, reason: 'FailedGetContainerResourceMetric' },
  Pods: { compute: podsMetric, reason: 'FailedGetPodsMetric' },
  Object: { compute: objectMetric, reason: 'FailedGetObjectMetric' },
  External: { compute: externalMetric, reason: 'FailedGetExternalMetric' },
}

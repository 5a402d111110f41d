/**
 * @module
 * autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler. v1 knows only a CPU utilization
 * target; everything else v2 holds (other metrics, current metrics, behavior, conditions)
 * travels in `autoscaling.alpha.kubernetes.io/*` annotations, so a v1 client that reads and
 * writes an object back loses nothing.
 */
// Upstream: pkg/apis/autoscaling/v1/conversion.go (Convert_autoscaling_HorizontalPodAutoscaler_To_v1_*,
// Convert_v1_HorizontalPodAutoscaler_To_autoscaling_*, the MetricSpec/MetricStatus functions),
// pkg/apis/autoscaling/annotations.go and helpers.go (DropRoundTripHorizontalPodAutoscalerAnnotations).
// The behavior annotation holds Go's internal type marshalled without json tags (upstream has a
// TODO about it), so its keys are Go field names; they are read back case-insensitively, as Go does.
import type * as v1 from 'kubernetes-types/autoscaling/v1.js'
import type * as v2 from 'kubernetes-types/autoscaling/v2.js'

export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics'
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics'
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions'
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior'
/** What autoscaling/v1 has always meant when no target is given. */
export const DEFAULT_CPU_UTILIZATION = 80

const ROUND_TRIP = [METRIC_SPECS_ANNOTATION, BEHAVIOR_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION]

type Json = Record<string, any>
const has = (o: Json | undefined | null, k: string) => o !== undefined && o !== null && o[k] !== undefined && o[k] !== null
/** Fields Go declares as plain (non-pointer) quantities marshal as "0" when unset. */
const quantity = (o: Json | undefined, k: string) => (has(o, k) ? o![k] : '0')
const copyIf = (out: Json, to: string, from: Json | undefined, k: string) => { if (has(from, k)) out[to] = from![k] }

function withoutRoundTrip<T extends { metadata?: { annotations?: Record<string, string> } }>(obj: T): void {
  const ann = obj.metadata?.annotations
  if (!ann || !ROUND_TRIP.some((k) => k in ann)) return
  const rest = { ...ann }
  for (const k of ROUND_TRIP) delete rest[k]
  obj.metadata = { ...obj.metadata, annotations: Object.keys(rest).length ? rest : undefined }
  if (!obj.metadata.annotations) delete obj.metadata.annotations
}

function annotate(obj: { metadata?: { annotations?: Record<string, string> } }, key: string, value: unknown): void {
  obj.metadata = { ...obj.metadata, annotations: { ...obj.metadata?.annotations, [key]: JSON.stringify(value) } }
}

function parseAnnotation(obj: { metadata?: { annotations?: Record<string, string> } }, key: string): unknown {
  const raw = obj.metadata?.annotations?.[key]
  if (raw === undefined) return undefined
  try {
    return JSON.parse(raw)
  } catch {
    return undefined // upstream fails the conversion; a broken annotation is dropped instead
  }
}

const ref = (r: Json | undefined) => {
  const out: Json = { kind: r?.kind ?? '', name: r?.name ?? '' }
  copyIf(out, 'apiVersion', r, 'apiVersion')
  return out
}

const isCpuUtilization = (m: v2.MetricSpec) =>
  m.type === 'Resource' && m.resource?.name === 'cpu' && has(m.resource.target, 'averageUtilization')

/** A v2 metric as a v1 (v2beta1-shaped) annotation entry; keys in Go's field order. */
function specToV1(m: v2.MetricSpec): Json {
  const out: Json = { type: m.type }
  if (m.object) {
    const o: Json = { target: ref(m.object.describedObject), metricName: m.object.metric?.name ?? '', targetValue: quantity(m.object.target, 'value') }
    copyIf(o, 'selector', m.object.metric, 'selector')
    copyIf(o, 'averageValue', m.object.target, 'averageValue')
    out.object = o
  }
  if (m.pods) {
    const p: Json = { metricName: m.pods.metric?.name ?? '', targetAverageValue: quantity(m.pods.target, 'averageValue') }
    copyIf(p, 'selector', m.pods.metric, 'selector')
    out.pods = p
  }
  for (const [key, src] of [['resource', m.resource], ['containerResource', m.containerResource]] as const) {
    if (!src) continue
    const r: Json = { name: src.name ?? '' }
    copyIf(r, 'targetAverageUtilization', src.target, 'averageUtilization')
    copyIf(r, 'targetAverageValue', src.target, 'averageValue')
    if (key === 'containerResource') r.container = (src as v2.ContainerResourceMetricSource).container ?? ''
    out[key] = r
  }
  if (m.external) {
    const e: Json = { metricName: m.external.metric?.name ?? '' }
    copyIf(e, 'metricSelector', m.external.metric, 'selector')
    copyIf(e, 'targetValue', m.external.target, 'value')
    copyIf(e, 'targetAverageValue', m.external.target, 'averageValue')
    out.external = e
  }
  return out
}

function specFromV1(m: Json): v2.MetricSpec {
  const out: Json = { type: m.type ?? '' }
  const ident = (src: Json, selectorKey: string) => {
    const id: Json = { name: src.metricName ?? '' }
    copyIf(id, 'selector', src, selectorKey)
    return id
  }
  if (has(m, 'object')) {
    const o = m.object
    const target: Json = { type: has(o, 'averageValue') ? 'AverageValue' : 'Value', value: quantity(o, 'targetValue') }
    copyIf(target, 'averageValue', o, 'averageValue')
    out.object = { describedObject: ref(o.target), target, metric: ident(o, 'selector') }
  }
  if (has(m, 'pods')) {
    out.pods = { metric: ident(m.pods, 'selector'), target: { type: 'AverageValue', averageValue: quantity(m.pods, 'targetAverageValue') } }
  }
  for (const key of ['resource', 'containerResource']) {
    if (!has(m, key)) continue
    const src = m[key]
    const target: Json = { type: has(src, 'targetAverageUtilization') ? 'Utilization' : 'AverageValue' }
    copyIf(target, 'averageUtilization', src, 'targetAverageUtilization')
    copyIf(target, 'averageValue', src, 'targetAverageValue')
    out[key] = key === 'containerResource' ? { name: src.name ?? '', target, container: src.container ?? '' } : { name: src.name ?? '', target }
  }
  if (has(m, 'external')) {
    const e = m.external
    const target: Json = { type: has(e, 'targetValue') ? 'Value' : 'AverageValue' }
    copyIf(target, 'value', e, 'targetValue')
    copyIf(target, 'averageValue', e, 'targetAverageValue')
    out.external = { metric: ident(e, 'metricSelector'), target }
  }
  return out as v2.MetricSpec
}

function statusToV1(m: v2.MetricStatus): Json {
  const out: Json = { type: m.type }
  if (m.object) {
    const o: Json = { target: ref(m.object.describedObject), metricName: m.object.metric?.name ?? '', currentValue: quantity(m.object.current, 'value') }
    copyIf(o, 'selector', m.object.metric, 'selector')
    copyIf(o, 'averageValue', m.object.current, 'averageValue')
    out.object = o
  }
  if (m.pods) {
    const p: Json = { metricName: m.pods.metric?.name ?? '', currentAverageValue: quantity(m.pods.current, 'averageValue') }
    copyIf(p, 'selector', m.pods.metric, 'selector')
    out.pods = p
  }
  for (const [key, src] of [['resource', m.resource], ['containerResource', m.containerResource]] as const) {
    if (!src) continue
    const r: Json = { name: src.name ?? '' }
    copyIf(r, 'currentAverageUtilization', src.current, 'averageUtilization')
    r.currentAverageValue = quantity(src.current, 'averageValue')
    if (key === 'containerResource') r.container = (src as v2.ContainerResourceMetricStatus).container ?? ''
    out[key] = r
  }
  if (m.external) {
    const e: Json = { metricName: m.external.metric?.name ?? '' }
    copyIf(e, 'metricSelector', m.external.metric, 'selector')
    e.currentValue = quantity(m.external.current, 'value')
    copyIf(e, 'currentAverageValue', m.external.current, 'averageValue')
    out.external = e
  }
  return out
}

function statusFromV1(m: Json): v2.MetricStatus {
  const out: Json = { type: m.type ?? '' }
  const ident = (src: Json, selectorKey: string) => {
    const id: Json = { name: src.metricName ?? '' }
    copyIf(id, 'selector', src, selectorKey)
    return id
  }
  if (has(m, 'object')) {
    const current: Json = { value: quantity(m.object, 'currentValue') }
    copyIf(current, 'averageValue', m.object, 'averageValue')
    out.object = { metric: ident(m.object, 'selector'), current, describedObject: ref(m.object.target) }
  }
  if (has(m, 'pods')) out.pods = { metric: ident(m.pods, 'selector'), current: { averageValue: quantity(m.pods, 'currentAverageValue') } }
  for (const key of ['resource', 'containerResource']) {
    if (!has(m, key)) continue
    const src = m[key]
    const current: Json = { averageValue: quantity(src, 'currentAverageValue') }
    copyIf(current, 'averageUtilization', src, 'currentAverageUtilization')
    out[key] = key === 'containerResource' ? { name: src.name ?? '', container: src.container ?? '', current } : { name: src.name ?? '', current }
  }
  if (has(m, 'external')) {
    const current: Json = { value: quantity(m.external, 'currentValue') }
    copyIf(current, 'averageValue', m.external, 'currentAverageValue')
    out.external = { metric: ident(m.external, 'metricSelector'), current }
  }
  return out as v2.MetricStatus
}

/** v2 behavior as Go marshals its internal type: Go field names, nil as null. */
function behaviorToGo(b: v2.HorizontalPodAutoscalerBehavior): Json {
  const rules = (r: v2.HPAScalingRules | undefined) => (r ? {
    StabilizationWindowSeconds: r.stabilizationWindowSeconds ?? null,
    SelectPolicy: r.selectPolicy ?? null,
    Policies: r.policies ? r.policies.map((p) => ({ Type: p.type, Value: p.value, PeriodSeconds: p.periodSeconds })) : null,
  } : null)
  return { ScaleUp: rules(b.scaleUp), ScaleDown: rules(b.scaleDown) }
}

/** Go's encoding/json matches keys case-insensitively when the exact one is missing. */
const ci = (o: Json | undefined | null, k: string): any => {
  if (!o || typeof o !== 'object') return undefined
  if (k in o) return o[k]
  const found = Object.keys(o).find((x) => x.toLowerCase() === k.toLowerCase())
  return found === undefined ? undefined : o[found]
}

function behaviorFromGo(raw: unknown): v2.HorizontalPodAutoscalerBehavior | undefined {
  if (!raw || typeof raw !== 'object') return undefined
  const rules = (r: any): v2.HPAScalingRules | undefined => {
    if (!r || typeof r !== 'object') return undefined
    const out: v2.HPAScalingRules = {}
    const sw = ci(r, 'StabilizationWindowSeconds')
    if (sw !== undefined && sw !== null) out.stabilizationWindowSeconds = sw
    const sp = ci(r, 'SelectPolicy')
    if (sp !== undefined && sp !== null) out.selectPolicy = sp
    const ps = ci(r, 'Policies')
    if (Array.isArray(ps)) out.policies = ps.map((p) => ({ type: ci(p, 'Type') ?? '', value: ci(p, 'Value') ?? 0, periodSeconds: ci(p, 'PeriodSeconds') ?? 0 }))
    return out
  }
  const out: v2.HorizontalPodAutoscalerBehavior = {}
  const up = rules(ci(raw as Json, 'ScaleUp'))
  const down = rules(ci(raw as Json, 'ScaleDown'))
  if (up) out.scaleUp = up
  if (down) out.scaleDown = down
  return up || down ? out : undefined
}

/** The stored autoscaling/v2 object as autoscaling/v1 shows it. */
export function hpaV2ToV1(hpa: v2.HorizontalPodAutoscaler): v1.HorizontalPodAutoscaler {
  const spec = hpa.spec ?? ({ maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } } as v2.HorizontalPodAutoscalerSpec)
  const status = hpa.status
  const out: v1.HorizontalPodAutoscaler = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: structuredClone(hpa.metadata ?? {}) }
  withoutRoundTrip(out)
  const s1: Json = { scaleTargetRef: ref(spec.scaleTargetRef) }
  copyIf(s1, 'minReplicas', spec, 'minReplicas')
  s1.maxReplicas = spec.maxReplicas ?? 0
  // Only the first CPU resource metric is looked at, as upstream's loop breaks there.
  const cpu = (spec.metrics ?? []).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')
  if (cpu && has(cpu.resource?.target, 'averageUtilization')) s1.targetCPUUtilizationPercentage = cpu.resource!.target.averageUtilization
  out.spec = s1 as v1.HorizontalPodAutoscalerSpec
  const st: Json = {}
  copyIf(st, 'observedGeneration', status, 'observedGeneration')
  copyIf(st, 'lastScaleTime', status, 'lastScaleTime')
  st.currentReplicas = status?.currentReplicas ?? 0
  st.desiredReplicas = status?.desiredReplicas ?? 0
  for (const m of status?.currentMetrics ?? []) { // no break upstream: the last CPU figure wins
    if (m.type === 'Resource' && m.resource?.name === 'cpu' && has(m.resource.current, 'averageUtilization')) {
      st.currentCPUUtilizationPercentage = m.resource.current.averageUtilization
    }
  }
  out.status = st as v1.HorizontalPodAutoscalerStatus
  const others = (spec.metrics ?? []).filter((m) => !isCpuUtilization(m)).map(specToV1)
  if (others.length) annotate(out, METRIC_SPECS_ANNOTATION, others)
  if (status?.currentMetrics?.length) annotate(out, METRIC_STATUSES_ANNOTATION, status.currentMetrics.map(statusToV1))
  if (spec.behavior) annotate(out, BEHAVIOR_ANNOTATION, behaviorToGo(spec.behavior))
  if (status?.conditions?.length) {
    annotate(out, CONDITIONS_ANNOTATION, status.conditions.map((c) => ({ type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime ?? null, reason: c.reason, message: c.message })))
  }
  return out
}

/** An autoscaling/v1 object as the autoscaling/v2 object it stands for. */
export function hpaV1ToV2(hpa: v1.HorizontalPodAutoscaler): v2.HorizontalPodAutoscaler {
  const spec = hpa.spec ?? ({ maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } } as v1.HorizontalPodAutoscalerSpec)
  const out: v2.HorizontalPodAutoscaler = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: structuredClone(hpa.metadata ?? {}) }
  const s2: Json = { scaleTargetRef: ref(spec.scaleTargetRef) }
  copyIf(s2, 'minReplicas', spec, 'minReplicas')
  s2.maxReplicas = spec.maxReplicas ?? 0
  let metrics: v2.MetricSpec[] = has(spec, 'targetCPUUtilizationPercentage')
    ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }]
    : []
  const others = parseAnnotation(hpa, METRIC_SPECS_ANNOTATION)
  // The CPU target from the spec goes after the annotation's metrics, as upstream orders them.
  if (Array.isArray(others)) metrics = [...others.map(specFromV1), ...metrics]
  const behavior = behaviorFromGo(parseAnnotation(hpa, BEHAVIOR_ANNOTATION))
  if (metrics.length === 0) {
    metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }]
  }
  s2.metrics = metrics
  if (behavior) s2.behavior = behavior
  out.spec = s2 as v2.HorizontalPodAutoscalerSpec
  const status: Partial<v1.HorizontalPodAutoscalerStatus> = hpa.status ?? {}
  const st: Json = {}
  copyIf(st, 'observedGeneration', status, 'observedGeneration')
  copyIf(st, 'lastScaleTime', status, 'lastScaleTime')
  if (status.currentReplicas) st.currentReplicas = status.currentReplicas // omitempty in v2
  st.desiredReplicas = status.desiredReplicas ?? 0
  if (has(status, 'currentCPUUtilizationPercentage')) {
    st.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }]
  }
  const current = parseAnnotation(hpa, METRIC_STATUSES_ANNOTATION)
  if (Array.isArray(current)) st.currentMetrics = current.map(statusFromV1) // richer than the CPU figure
  const conditions = parseAnnotation(hpa, CONDITIONS_ANNOTATION)
  if (Array.isArray(conditions)) st.conditions = conditions
  out.status = st as v2.HorizontalPodAutoscalerStatus
  withoutRoundTrip(out)
  return out
}

/**
 * @module
 * HorizontalPodAutoscaler (autoscaling/v2 shape) validation with upstream's messages: replica
 * bounds, the scale target reference, each metric source and target, scaling behavior.
 */
// Upstream: pkg/apis/autoscaling/validation/validation.go (validateHorizontalPodAutoscalerSpec,
// ValidateCrossVersionObjectReference, validateMetrics, validateMetricSpec, validateMetricTarget,
// validateBehavior, validateScalingRules, validateScalingPolicy).
import type { HorizontalPodAutoscaler, HPAScalingRules, MetricIdentifier, MetricSpec, MetricTarget } from 'kubernetes-types/autoscaling/v2.js'
import { forbiddenField, invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { validateLabelSelectorMeta } from '../../api/index.js'
import { isValidPathSegmentName } from '../rbac/path-segment.js'

const MAX_PERIOD_SECONDS = 1800
const MAX_STABILIZATION_WINDOW_SECONDS = 3600
const SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource']
const SOURCE_FIELD: Record<string, keyof MetricSpec> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' }

/** Quantities are positive when their leading number is (the quantity parser is elsewhere). */
const positive = (q: string | number) => (typeof q === 'number' ? q > 0 : Number.parseFloat(q) > 0)

function validateTarget(t: MetricTarget | undefined, at: string): FieldError[] {
  const errs: FieldError[] = []
  const type = t?.type ?? ''
  if (!type) errs.push(required(path(at, 'type'), 'must specify a metric target type'))
  if (!['Utilization', 'Value', 'AverageValue'].includes(type)) errs.push(invalidValue(path(at, 'type'), type, 'must be either Utilization, Value, or AverageValue'))
  if (t?.value !== undefined && t.value !== null && !positive(t.value)) errs.push(invalidValue(path(at, 'value'), t.value, 'must be positive'))
  if (t?.averageValue !== undefined && t.averageValue !== null && !positive(t.averageValue)) errs.push(invalidValue(path(at, 'averageValue'), t.averageValue, 'must be positive'))
  if (typeof t?.averageUtilization === 'number' && t.averageUtilization < 1) errs.push(invalidValue(path(at, 'averageUtilization'), t.averageUtilization, 'must be greater than 0'))
  return errs
}

function validateIdentifier(id: MetricIdentifier | undefined, at: string): FieldError[] {
  const errs: FieldError[] = []
  if (!id?.name) errs.push(required(path(at, 'name'), 'must specify a metric name'))
  else for (const m of isValidPathSegmentName(id.name)) errs.push(invalidValue(path(at, 'name'), id.name, m))
  if (id?.selector) errs.push(...validateLabelSelectorMeta(id.selector, path(at, 'selector')))
  return errs
}

function validateSource(spec: MetricSpec, key: keyof MetricSpec, at: string): FieldError[] {
  const src = spec[key] as any
  const errs: FieldError[] = []
  switch (key) {
    case 'resource':
    case 'containerResource': {
      if (!src.name) errs.push(required(path(at, 'name'), 'must specify a resource name'))
      if (key === 'containerResource' && !src.container) errs.push(required(path(at, 'container'), 'must specify a container'))
      errs.push(...validateTarget(src.target, path(at, 'target')))
      const t = src.target ?? {}
      const hasUtil = t.averageUtilization !== undefined && t.averageUtilization !== null
      const hasValue = t.averageValue !== undefined && t.averageValue !== null
      if (!hasUtil && !hasValue) errs.push(required(path(at, 'target', 'averageUtilization'), 'must set either a target raw value or a target utilization'))
      if (hasUtil && hasValue) errs.push(forbiddenField(path(at, 'target', 'averageValue'), 'may not set both a target raw value and a target utilization'))
      break
    }
    case 'pods':
      errs.push(...validateIdentifier(src.metric, path(at, 'metric')), ...validateTarget(src.target, path(at, 'target')))
      if (src.target?.averageValue === undefined || src.target?.averageValue === null) errs.push(required(path(at, 'target', 'averageValue'), 'must specify a positive target averageValue'))
      break
    case 'object': {
      const d = src.describedObject ?? {}
      if (!d.kind) errs.push(required(path(at, 'describedObject', 'kind')))
      if (!d.name) errs.push(required(path(at, 'describedObject', 'name')))
      errs.push(...validateIdentifier(src.metric, path(at, 'metric')), ...validateTarget(src.target, path(at, 'target')))
      if (!src.target?.value && !src.target?.averageValue) errs.push(required(path(at, 'target', 'averageValue'), 'must set either a target value or averageValue'))
      break
    }
    case 'external': {
      errs.push(...validateIdentifier(src.metric, path(at, 'metric')), ...validateTarget(src.target, path(at, 'target')))
      const v = src.target?.value
      const av = src.target?.averageValue
      if ((v === undefined || v === null) && (av === undefined || av === null)) errs.push(required(path(at, 'target', 'averageValue'), 'must set either a target value for metric or a per-pod target'))
      if (v !== undefined && v !== null && av !== undefined && av !== null) errs.push(forbiddenField(path(at, 'target', 'value'), 'may not set both a target value for metric and a per-pod target'))
      break
    }
  }
  return errs
}

function validateMetric(spec: MetricSpec, at: string): FieldError[] {
  const errs: FieldError[] = []
  const type = spec.type ?? ''
  if (!type) errs.push(required(path(at, 'type'), 'must specify a metric source type'))
  if (!SOURCE_TYPES.includes(type)) errs.push(notSupported(path(at, 'type'), type, SOURCE_TYPES))
  const present = (['object', 'pods', 'resource', 'external', 'containerResource'] as const).filter((k) => spec[k])
  if (present.length >= 1) errs.push(...validateSource(spec, present[0]!, path(at, present[0]!)))
  const expected = SOURCE_FIELD[type]
  if (expected) {
    if (!spec[expected]) errs.push(required(path(at, expected), 'must populate information for the given metric source'))
  } else if (type) {
    errs.push(notSupported(path(at, 'type'), type, SOURCE_TYPES))
  }
  if (present.length !== 1) {
    for (const k of present) if (k !== expected) errs.push(forbiddenField(path(at, k), 'must populate the given metric source only'))
  }
  return errs
}

function validateRules(r: HPAScalingRules | undefined, at: string): FieldError[] {
  if (!r) return []
  const errs: FieldError[] = []
  const sw = r.stabilizationWindowSeconds
  if (typeof sw === 'number' && sw < 0) errs.push(invalidValue(path(at, 'stabilizationWindowSeconds'), sw, 'must be greater than or equal to zero'))
  if (typeof sw === 'number' && sw > MAX_STABILIZATION_WINDOW_SECONDS) errs.push(invalidValue(path(at, 'stabilizationWindowSeconds'), sw, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`))
  if (r.selectPolicy !== undefined && r.selectPolicy !== null && !['Disabled', 'Max', 'Min'].includes(r.selectPolicy)) {
    errs.push(notSupported(path(at, 'selectPolicy'), r.selectPolicy, ['Disabled', 'Max', 'Min']))
  }
  if (!r.policies?.length) errs.push(required(path(at, 'policies'), 'must specify at least one Policy'))
  ;(r.policies ?? []).forEach((p, i) => {
    const pp = path(at, 'policies', i)
    if (p.type !== 'Pods' && p.type !== 'Percent') errs.push(notSupported(path(pp, 'type'), p.type, ['Percent', 'Pods']))
    if (!(p.value > 0)) errs.push(invalidValue(path(pp, 'value'), p.value, 'must be greater than zero'))
    if (!(p.periodSeconds > 0)) errs.push(invalidValue(path(pp, 'periodSeconds'), p.periodSeconds, 'must be greater than zero'))
    if (p.periodSeconds > MAX_PERIOD_SECONDS) errs.push(invalidValue(path(pp, 'periodSeconds'), p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`))
  })
  return errs
}

/** Upstream's validateHorizontalPodAutoscalerSpec; reference errors hide metric and behavior
 *  errors, and metric errors hide behavior errors, as upstream's else-if chain does. */
export function validateHPA(hpa: HorizontalPodAutoscaler): FieldError[] {
  const spec = hpa.spec
  const errs: FieldError[] = []
  const min = spec?.minReplicas
  const max = spec?.maxReplicas ?? 0
  if (typeof min === 'number' && min < 1) errs.push(invalidValue('spec.minReplicas', min, 'must be greater than or equal to 1'))
  if (max < 1) errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than 0'))
  if (typeof min === 'number' && max < min) errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'))
  const refErrs: FieldError[] = []
  const ref = spec?.scaleTargetRef
  for (const k of ['kind', 'name'] as const) {
    const v = ref?.[k] ?? ''
    if (!v) refErrs.push(required(path('spec.scaleTargetRef', k)))
    else for (const m of isValidPathSegmentName(v)) refErrs.push(invalidValue(path('spec.scaleTargetRef', k), v, m))
  }
  if (refErrs.length) return [...errs, ...refErrs]
  const metricErrs = (spec?.metrics ?? []).flatMap((m, i) => validateMetric(m, path('spec.metrics', i)))
  if (metricErrs.length) return [...errs, ...metricErrs]
  if (spec?.behavior) {
    errs.push(...validateRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'), ...validateRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'))
  }
  return errs
}

/** Status counts never go negative. */
export function validateHPAStatus(hpa: HorizontalPodAutoscaler): FieldError[] {
  const s = hpa.status
  const errs: FieldError[] = []
  if ((s?.currentReplicas ?? 0) < 0) errs.push(invalidValue('status.currentReplicas', s?.currentReplicas, 'must be greater than or equal to 0'))
  if ((s?.desiredReplicas ?? 0) < 0) errs.push(invalidValue('status.desiredReplicas', s?.desiredReplicas, 'must be greater than or equal to 0'))
  return errs
}

/**
 * @module
 * How the autoscaler writes its findings: conditions that keep their transition time while
 * the status stays the same, and the status it rebuilds on every sync.
 */
// Upstream: pkg/controller/podautoscaler/horizontal.go (setCondition, setConditionInList,
// setStatus, setCurrentReplicasAndMetricsInStatus).
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerStatus, MetricStatus } from 'kubernetes-types/autoscaling/v2.js'
import type { Editable } from '../../api/index.js'
import { rfc3339 } from '../util/index.js'

type HPA = Editable<HorizontalPodAutoscaler>

/** Sets condition `type`, adding it when absent; lastTransitionTime moves only when the status does. */
export function setCondition(hpa: HPA, type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited', status: 'True' | 'False',
  reason: string, message: string, nowMs: number) {
  const status0: HorizontalPodAutoscalerStatus = (hpa.status ??= { desiredReplicas: 0 })
  const conditions = (status0.conditions ??= [])
  let c = conditions.find((x) => x.type === type)
  if (!c) conditions.push((c = { type, status: '' }))
  if (c.status !== status) c.lastTransitionTime = rfc3339(nowMs)
  Object.assign(c, { status, reason, message })
}

/**
 * Rebuilds the status: replica counts, the metrics just read, the conditions set so far, and
 * lastScaleTime moved to now when `rescaled`.
 */
export function setStatus(hpa: HPA, currentReplicas: number, desiredReplicas: number, metrics: MetricStatus[],
  rescaled: boolean, nowMs: number) {
  const old = hpa.status ?? { desiredReplicas: 0 }
  const lastScaleTime = rescaled ? rfc3339(nowMs) : old.lastScaleTime
  // Fields Go leaves out when empty stay out, so an unchanged status compares equal.
  hpa.status = {
    ...(old.observedGeneration !== undefined ? { observedGeneration: old.observedGeneration } : {}),
    ...(lastScaleTime ? { lastScaleTime } : {}),
    ...(currentReplicas ? { currentReplicas } : {}),
    desiredReplicas,
    ...(metrics.length ? { currentMetrics: metrics } : {}),
    ...(old.conditions?.length ? { conditions: old.conditions } : {}),
  }
}

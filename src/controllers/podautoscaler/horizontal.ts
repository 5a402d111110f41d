/**
 * @module
 * The horizontal pod autoscaler: every 15 s, read the target's scale, ask the metrics APIs
 * how busy its pods are, propose a replica count per metric, take the largest, stabilize and
 * bound it, write it through the scale subresource, and report it all in the HPA's status
 * (what `kubectl get hpa` and `kubectl describe hpa` show).
 */
// Upstream: pkg/controller/podautoscaler/horizontal.go (HorizontalController,
// reconcileAutoscaler, computeReplicasForMetrics, validateAndParseSelector,
// updateStatusIfNeeded) and cmd/kube-controller-manager's --horizontal-pod-autoscaler-* defaults.
// Left out: the check that no two autoscalers select the same pods (AmbiguousSelector).
import type { HorizontalPodAutoscaler, MetricStatus } from 'kubernetes-types/autoscaling/v2.js'
import type { Scale } from 'kubernetes-types/autoscaling/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { copy, keyOf, parseLabelSelector, semanticEqual, type Cached, type Editable } from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/index.js'
import { computeReplicasForMetric, MetricError, type MetricContext } from './metric-sources.js'
import { newHistory, normalizeLegacy, normalizeWithBehavior, recordInitialRecommendation, storeScaleEvent, type History } from './normalize.js'
import type { CalculatorOptions } from './replica-calculator.js'
import { getScale, updateScale } from './scale.js'
import { setCondition, setStatus } from './status.js'

/** The controller manager's --horizontal-pod-autoscaler-* flags. */
export type HorizontalOptions = {
  /** --horizontal-pod-autoscaler-sync-period (15 s). */
  syncPeriodMs?: number
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 min). */
  downscaleStabilizationMs?: number
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance?: number
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs?: number
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayMs?: number
}

type HPA = Editable<HorizontalPodAutoscaler>
type MetricsOutcome = { ok: true; replicas: number; metricName: string; statuses: MetricStatus[] } | { ok: false; error: string; statuses: MetricStatus[] }

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** The `horizontalpodautoscaling` controller over autoscaling/v2 HorizontalPodAutoscalers. */
export function horizontalPodAutoscaler(ctx: ControllerContext, opts: HorizontalOptions = {}): Controller {
  const syncPeriodMs = opts.syncPeriodMs ?? 15_000
  const downscaleStabilizationMs = opts.downscaleStabilizationMs ?? 5 * 60_000
  const hpas = ctx.informers.of<HorizontalPodAutoscaler>('autoscaling/v2', 'HorizontalPodAutoscaler')
  const pods = ctx.informers.of<Pod>('v1', 'Pod')
  const recorder = ctx.recorder('horizontal-pod-autoscaler')
  // Recommendations and scale events, per autoscaler: upstream keeps them in memory too.
  const histories = new Map<string, History>()

  async function computeReplicasForMetrics(hpa: HPA, shared: Cached<HorizontalPodAutoscaler>, scale: Scale, signal: AbortSignal, nowMs: number): Promise<MetricsOutcome> {
    const sel = scale.status?.selector ?? ''
    const invalidSelector = (reason: string, event: string, condition: string): MetricsOutcome => {
      recorder.event(shared, 'Warning', reason, event)
      setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', condition, nowMs)
      return { ok: false, error: event, statuses: [] }
    }
    if (!sel) return invalidSelector('SelectorRequired', 'selector is required', "the HPA target's scale is missing a selector")
    let selector
    try {
      selector = parseLabelSelector(sel)
    } catch (err) {
      const text = `couldn't convert selector into a corresponding internal selector object: ${message(err)}`
      return invalidSelector('InvalidSelector', text, text)
    }
    const namespace = hpa.metadata?.namespace ?? ''
    const calc: CalculatorOptions = {
      tolerance: opts.tolerance ?? 0.1, nowMs,
      cpuInitializationPeriodMs: opts.cpuInitializationPeriodMs ?? 5 * 60_000,
      delayOfInitialReadinessStatusMs: opts.initialReadinessDelayMs ?? 30_000,
    }
    const m: MetricContext = {
      client: ctx.client, namespace, selector: sel, calc, signal,
      pods: pods.list(namespace).filter((p) => selector.matches(p.metadata?.labels)),
      specReplicas: scale.spec?.replicas ?? 0, statusReplicas: scale.status?.replicas ?? 0,
    }
    const specs = hpa.spec?.metrics ?? []
    // A failed metric keeps its place with an empty status, as Go's zero value does.
    const statuses: MetricStatus[] = specs.map(() => ({ type: '' }))
    let replicas = 0
    let metricName = ''
    let firstError: MetricError | undefined
    let invalid = 0
    for (const [i, spec] of specs.entries()) {
      try {
        const p = await computeReplicasForMetric(spec, m)
        statuses[i] = p.status
        if (replicas === 0 || p.replicas > replicas) [replicas, metricName] = [p.replicas, p.metricName]
      } catch (err) {
        const e = err instanceof MetricError ? err : new MetricError('FailedGetResourceMetric', message(err))
        recorder.event(shared, 'Warning', e.reason, e.detail)
        firstError ??= e
        invalid++
      }
    }
    // All failed, or some failed and the rest would scale down: too little is known to act.
    if (firstError && (invalid >= specs.length || replicas < m.specReplicas)) {
      setCondition(hpa, 'ScalingActive', 'False', firstError.reason, `the HPA was unable to compute the replica count: ${firstError.detail}`, nowMs)
      return { ok: false, error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError.message}`, statuses }
    }
    setCondition(hpa, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricName}`, nowMs)
    return { ok: true, replicas, metricName, statuses }
  }

  async function updateStatusIfNeeded(shared: Cached<HorizontalPodAutoscaler>, hpa: HPA, signal: AbortSignal) {
    if (semanticEqual(shared.status, hpa.status)) return
    try {
      await ctx.client.updateStatus(hpa, { signal })
    } catch (err) {
      recorder.event(shared, 'Warning', 'FailedUpdateStatus', message(err))
    }
  }

  async function reconcile(shared: Cached<HorizontalPodAutoscaler>, key: string, signal: AbortSignal) {
    const hpa = copy(shared) as HPA
    const nowMs = ctx.now()
    const namespace = hpa.metadata?.namespace ?? ''
    const target = hpa.spec!.scaleTargetRef
    const cond = (type: Parameters<typeof setCondition>[1], status: 'True' | 'False', reason: string, text: string) =>
      setCondition(hpa, type, status, reason, text, nowMs)
    let h = histories.get(key)
    if (!h) histories.set(key, (h = newHistory()))

    let scale: Scale
    try {
      scale = await getScale(ctx.client, target, namespace, signal)
    } catch (err) {
      recorder.event(shared, 'Warning', 'FailedGetScale', message(err))
      cond('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${message(err)}`)
      return updateStatusIfNeeded(shared, hpa, signal)
    }
    cond('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale")
    const current = scale.spec?.replicas ?? 0
    recordInitialRecommendation(h, current, nowMs)
    const minReplicas = hpa.spec?.minReplicas ?? 1
    const maxReplicas = hpa.spec?.maxReplicas ?? 0
    let desired = 0
    let rescaleReason = ''
    let statuses: MetricStatus[] = []
    let rescale = true
    if (current === 0 && minReplicas !== 0) {
      // Someone scaled the target to zero by hand: the autoscaler stands aside until it is scaled back.
      rescale = false
      cond('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero')
    } else if (current > maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas'
      desired = maxReplicas
    } else if (current < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas'
      desired = minReplicas
    } else {
      const outcome = await computeReplicasForMetrics(hpa, shared, scale, signal, nowMs)
      statuses = outcome.statuses
      if (!outcome.ok) {
        setStatus(hpa, current, hpa.status?.desiredReplicas ?? 0, statuses, false, nowMs)
        await updateStatusIfNeeded(shared, hpa, signal)
        recorder.event(shared, 'Warning', 'FailedComputeMetricsReplicas', outcome.error)
        return
      }
      let rescaleMetric = ''
      if (outcome.replicas > desired) [desired, rescaleMetric] = [outcome.replicas, outcome.metricName]
      if (desired > current) rescaleReason = `${rescaleMetric} above target`
      if (desired < current) rescaleReason = 'All metrics below target'
      const args = { current, desired, minReplicas, maxReplicas, nowMs, downscaleStabilizationMs }
      const n = hpa.spec?.behavior ? normalizeWithBehavior(h, args, hpa.spec.behavior) : normalizeLegacy(h, args)
      cond('AbleToScale', 'True', n.ableToScale.reason, n.ableToScale.message)
      cond('ScalingLimited', n.scalingLimited.status, n.scalingLimited.reason, n.scalingLimited.message)
      desired = n.replicas
      rescale = desired !== current
    }

    if (rescale) {
      try {
        await updateScale(ctx.client, target, namespace, desired, signal)
      } catch (err) {
        recorder.event(shared, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${rescaleReason}; error: ${message(err)}`)
        cond('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${message(err)}`)
        setStatus(hpa, current, hpa.status?.desiredReplicas ?? 0, statuses, false, nowMs)
        return updateStatusIfNeeded(shared, hpa, signal)
      }
      cond('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`)
      recorder.event(shared, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${rescaleReason}`)
      storeScaleEvent(h, hpa.spec?.behavior, current, desired, nowMs)
    } else {
      desired = current
    }
    setStatus(hpa, current, desired, statuses, rescale, nowMs)
    await updateStatusIfNeeded(shared, hpa, signal)
  }

  return {
    name: 'horizontal-pod-autoscaler-controller',
    // Our own status writes must not trigger a sync: the period, not the events, paces scaling.
    triggers: [hpas.on((ev) => (ev.type === 'update' && semanticEqual(ev.obj.spec, ev.old.spec) ? [] : [keyOf(ev.obj)]))],
    async sync(key, signal) {
      const hpa = hpas.get(key)
      if (!hpa) {
        histories.delete(key)
        return
      }
      await reconcile(hpa, key, signal)
      return { requeueAfterMs: syncPeriodMs }
    },
  }
}

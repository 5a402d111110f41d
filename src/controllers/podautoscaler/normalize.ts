/**
 * @module
 * From a metric-proposed replica count to the one the autoscaler applies: stabilization over
 * the recent recommendations (so a brief dip does not scale down), min/max bounds, and the
 * scale rate limits — `spec.behavior` policies, or the legacy "at most double, at least 4"
 * when no behavior is set. The history is kept per autoscaler, in memory, as upstream does.
 */
// Upstream: pkg/controller/podautoscaler/horizontal.go (stabilizeRecommendation,
// normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors,
// stabilizeRecommendationWithBehaviors, convertDesiredReplicasWithBehaviorRate,
// convertDesiredReplicasWithRules, calculateScaleUpLimitWithScalingRules,
// calculateScaleDownLimitWithBehaviors, storeScaleEvent). Deliberate difference: scale events
// older than the longest policy period are dropped instead of being marked for reuse.
import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from 'kubernetes-types/autoscaling/v2.js'
import type { Cached } from '../../api/index.js'

type Recommendation = { replicas: number; atMs: number }
type ScaleEvent = { change: number; atMs: number }

/** What one autoscaler remembers between syncs. */
export type History = { recommendations: Recommendation[]; scaleUp: ScaleEvent[]; scaleDown: ScaleEvent[] }

export const newHistory = (): History => ({ recommendations: [], scaleUp: [], scaleDown: [] })

/** A condition to set: AbleToScale is always True here; ScalingLimited may be either. */
type Verdict = { reason: string; message: string }
export type Normalized = { replicas: number; ableToScale: Verdict; scalingLimited: Verdict & { status: 'True' | 'False' } }

export type NormalizeArgs = {
  current: number
  /** What the metrics propose. */
  desired: number
  minReplicas: number
  maxReplicas: number
  nowMs: number
  /** --horizontal-pod-autoscaler-downscale-stabilization. */
  downscaleStabilizationMs: number
}

const READY: Verdict = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' }
const UP_STABILIZED: Verdict = { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
const DOWN_STABILIZED: Verdict = { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
const WITHIN: Verdict = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' }
const UP_LIMIT: Verdict = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }
const DOWN_LIMIT: Verdict = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' }
const TOO_MANY: Verdict = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }
const TOO_FEW: Verdict = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' }

/** Remembers the target's size as the first recommendation, so a new autoscaler starts stable. */
export function recordInitialRecommendation(h: History, current: number, nowMs: number) {
  if (h.recommendations.length === 0) h.recommendations.push({ replicas: current, atMs: nowMs })
}

/** Records `replicas` in place of a sample older than `obsoleteBeforeMs`, or appends it. */
function record(h: History, replicas: number, nowMs: number, isObsolete: (r: Recommendation) => boolean) {
  let old = -1
  h.recommendations.forEach((r, i) => { if (isObsolete(r)) old = i })
  const rec = { replicas, atMs: nowMs }
  if (old >= 0) h.recommendations[old] = rec
  else h.recommendations.push(rec)
}

const limited = (replicas: number, stabilized: number, v: Verdict): Normalized['scalingLimited'] =>
  ({ ...v, status: replicas === stabilized ? 'False' : 'True' })

/** Without `spec.behavior`: the highest recommendation of the window, bounded, at most 2× up. */
export function normalizeLegacy(h: History, a: NormalizeArgs): Normalized {
  const cutoff = a.nowMs - a.downscaleStabilizationMs
  let stabilized = a.desired
  for (const r of h.recommendations) if (r.atMs >= cutoff && r.replicas > stabilized) stabilized = r.replicas
  record(h, a.desired, a.nowMs, (r) => r.atMs < cutoff)
  // Doubling at most guards against a bogus usage report scaling a target through the roof.
  const scaleUpLimit = Math.max(2 * a.current, 4)
  const [maxAllowed, upVerdict] = a.maxReplicas > scaleUpLimit ? [scaleUpLimit, UP_LIMIT] : [a.maxReplicas, TOO_MANY]
  let replicas = stabilized
  let verdict = WITHIN
  if (stabilized < a.minReplicas) [replicas, verdict] = [a.minReplicas, TOO_FEW]
  else if (stabilized > maxAllowed) [replicas, verdict] = [maxAllowed, upVerdict]
  return { replicas, ableToScale: stabilized !== a.desired ? DOWN_STABILIZED : READY, scalingLimited: limited(replicas, stabilized, verdict) }
}

// The API server fills these in whenever `behavior` is set; kept here for objects that skipped it.
const defaultUp: Cached<HPAScalingRules> = {
  stabilizationWindowSeconds: 0, selectPolicy: 'Max',
  policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
}
const defaultDown: Cached<HPAScalingRules> = { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] }

const changeSince = (events: ScaleEvent[], sinceMs: number) =>
  events.reduce((n, e) => (e.atMs > sinceMs ? n + e.change : n), 0)

/** The replicas at the start of each policy's period, moved by that policy. */
function policyProposals(rules: Cached<HPAScalingRules>, h: History, current: number, nowMs: number, up: boolean): number[] {
  return (rules.policies ?? []).map((p) => {
    const since = nowMs - p.periodSeconds * 1000
    const start = current - changeSince(h.scaleUp, since) + changeSince(h.scaleDown, since)
    if (p.type === 'Pods') return up ? start + p.value : start - p.value
    // Rounded up on the way up, or a small target could never grow by a percentage.
    return up ? Math.ceil(start * (1 + p.value / 100)) : Math.trunc(start * (1 - p.value / 100))
  })
}

function scaleLimit(rules: Cached<HPAScalingRules>, h: History, current: number, nowMs: number, up: boolean): number {
  if (rules.selectPolicy === 'Disabled') return current
  const proposals = policyProposals(rules, h, current, nowMs, up)
  // "Min" picks the smallest change: the lowest ceiling up, the highest floor down.
  const smallestChange = rules.selectPolicy === 'Min'
  const pick = up === smallestChange ? Math.min : Math.max
  return proposals.length ? pick(...proposals) : (pick === Math.min ? Infinity : -Infinity)
}

/** With `spec.behavior`: per-direction stabilization windows, then the policies' rate limits. */
export function normalizeWithBehavior(h: History, a: NormalizeArgs, behavior: Cached<HorizontalPodAutoscalerBehavior>): Normalized {
  const upRules = behavior.scaleUp ?? defaultUp
  const downRules = behavior.scaleDown ?? defaultDown
  const upCutoff = a.nowMs - (upRules.stabilizationWindowSeconds ?? 0) * 1000
  const downCutoff = a.nowMs - (downRules.stabilizationWindowSeconds ?? a.downscaleStabilizationMs / 1000) * 1000
  let upRecommendation = a.desired
  let downRecommendation = a.desired
  for (const r of h.recommendations) {
    if (r.atMs > upCutoff) upRecommendation = Math.min(upRecommendation, r.replicas)
    if (r.atMs > downCutoff) downRecommendation = Math.max(downRecommendation, r.replicas)
  }
  // Stay put unless every recommendation in the up window is higher (or all in the down window lower).
  const stabilized = Math.min(Math.max(a.current, upRecommendation), downRecommendation)
  record(h, a.desired, a.nowMs, (r) => r.atMs < upCutoff && r.atMs < downCutoff)
  const ableToScale = stabilized === a.desired ? READY : a.desired >= a.current ? UP_STABILIZED : DOWN_STABILIZED

  let replicas = stabilized
  let verdict = WITHIN
  if (stabilized > a.current) {
    const upLimit = Math.max(scaleLimit(upRules, h, a.current, a.nowMs, true), a.current)
    const [maxAllowed, v] = a.maxReplicas > upLimit ? [upLimit, UP_LIMIT] : [a.maxReplicas, TOO_MANY]
    if (stabilized > maxAllowed) [replicas, verdict] = [maxAllowed, v]
  } else if (stabilized < a.current) {
    const downLimit = Math.min(scaleLimit(downRules, h, a.current, a.nowMs, false), a.current)
    const [minAllowed, v] = a.minReplicas < downLimit ? [downLimit, DOWN_LIMIT] : [a.minReplicas, TOO_FEW]
    if (stabilized < minAllowed) [replicas, verdict] = [minAllowed, v]
  }
  return { replicas, ableToScale, scalingLimited: limited(replicas, stabilized, verdict) }
}

/** Remembers a rescale for the rate limits; events older than every policy period are dropped. */
export function storeScaleEvent(h: History, behavior: Cached<HorizontalPodAutoscalerBehavior> | undefined,
  prev: number, next: number, nowMs: number) {
  if (!behavior) return // the legacy limits need no history
  const up = next > prev
  const rules = (up ? behavior.scaleUp ?? defaultUp : behavior.scaleDown ?? defaultDown)
  const longestMs = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds)) * 1000
  const key = up ? 'scaleUp' : 'scaleDown'
  h[key] = h[key].filter((e) => e.atMs >= nowMs - longestMs)
  h[key].push({ change: Math.abs(next - prev), atMs: nowMs })
}

/**
 * @module
 * The Job's own rules about pods: when a failed pod fails the whole Job, is ignored or
 * counts (podFailurePolicy), and when enough indexes succeeded (successPolicy).
 */
// Upstream: pkg/controller/job/pod_failure_policy.go (matchPodFailurePolicy) and
// pkg/controller/job/success_policy.go (matchSuccessPolicy, matchSucceededIndexesRule).
// JobBackoffLimitPerIndex and JobSuccessPolicy are on, as by default in 1.32.
import type { Job, PodFailurePolicy, PodFailurePolicyOnExitCodesRequirement, SuccessPolicy } from 'kubernetes-types/batch/v1.js'
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { parseIntervals, totalIndexes, type Intervals } from './indexes.js'

export type FailurePolicyMatch = { failJobMessage?: string; countFailed: boolean; action?: string }

function matchingContainer(statuses: readonly Cached<ContainerStatus>[] | undefined,
  req: Cached<PodFailurePolicyOnExitCodesRequirement>): Cached<ContainerStatus> | undefined {
  for (const s of statuses ?? []) {
    const code = s.state?.terminated?.exitCode
    if (code === undefined || code === 0) continue // still running, or exited cleanly: nothing to match
    if (req.containerName && req.containerName !== s.name) continue
    const listed = req.values.includes(code)
    if (req.operator === 'In' ? listed : req.operator === 'NotIn' ? !listed : false) return s
  }
  return undefined
}

/** How a failed pod counts under the Job's podFailurePolicy (counted, with no action, when none matches). */
export function matchPodFailurePolicy(policy: Cached<PodFailurePolicy> | undefined, pod: Cached<Pod>): FailurePolicyMatch {
  for (const [index, rule] of (policy?.rules ?? []).entries()) {
    let failJobMessage: string | undefined
    if (rule.onExitCodes) {
      const c = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ??
        matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes)
      if (!c) continue
      failJobMessage = `Container ${c.name} for pod ${pod.metadata?.namespace}/${pod.metadata?.name} failed with exit code ` +
        `${c.state?.terminated?.exitCode} matching ${rule.action} rule at index ${index}`
    } else if (rule.onPodConditions) {
      const cond = pod.status?.conditions?.find((c) => rule.onPodConditions!.some((p) => p.type === c.type && p.status === c.status))
      if (!cond) continue
      failJobMessage = `Pod ${pod.metadata?.namespace}/${pod.metadata?.name} has condition ${cond.type} matching ${rule.action} rule at index ${index}`
    } else continue
    switch (rule.action) {
      case 'Ignore': return { countFailed: false, action: 'Ignore' }
      case 'Count': return { countFailed: true, action: 'Count' }
      case 'FailJob': return { failJobMessage, countFailed: true, action: 'FailJob' }
      // Counts as a failure; with backoffLimitPerIndex it also fails the pod's index at once.
      case 'FailIndex': return { countFailed: true, action: 'FailIndex' }
      default: continue // an action this version does not know
    }
  }
  return { countFailed: true }
}

/** Whether the pod is a failure for this Job: Failed, or (unless only failed pods are replaced) deleted before succeeding. */
export function isPodFailed(p: Cached<Pod>, job: Cached<Job>): boolean {
  if (p.status?.phase === 'Failed') return true
  if (onlyReplaceFailedPods(job)) return false
  // Deleted pods count as failures: an orphaned pod may never get to report the Failed phase.
  return !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded'
}

/** podReplacementPolicy Failed (implied by a podFailurePolicy): replacements wait until the old pod is gone. */
export const onlyReplaceFailedPods = (job: Cached<Job>) =>
  job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy

function matchIndexesRule(rule: Intervals, succeeded: Intervals, succeededCount: number | null | undefined): boolean {
  let contains = 0
  let r = 0
  let s = 0
  while (r < rule.length && s < succeeded.length) {
    const overlap = Math.min(rule[r]!.last, succeeded[s]!.last) - Math.max(rule[r]!.first, succeeded[s]!.first) + 1
    if (overlap > 0) contains += overlap
    if (succeeded[s]!.last < rule[r]!.last) s++
    else if (succeeded[s]!.last > rule[r]!.last) r++
    else {
      s++
      r++
    }
  }
  return contains === totalIndexes(rule) || (succeededCount !== undefined && succeededCount !== null && contains >= succeededCount)
}

/** The SuccessCriteriaMet message when a successPolicy rule is met by the succeeded indexes. */
export function matchSuccessPolicy(policy: Cached<SuccessPolicy> | undefined, completions: number, succeeded: Intervals): string | undefined {
  if (!policy || succeeded.length === 0) return undefined
  for (const [index, rule] of policy.rules.entries()) {
    if (rule.succeededIndexes !== undefined && rule.succeededIndexes !== null) {
      const required = parseIntervals(rule.succeededIndexes, completions)
      if (required.length === 0) continue
      if (matchIndexesRule(required, succeeded, rule.succeededCount)) return `Matched rules at index ${index}`
    } else if (rule.succeededCount !== undefined && rule.succeededCount !== null && totalIndexes(succeeded) >= rule.succeededCount) {
      return `Matched rules at index ${index}`
    }
  }
  return undefined
}

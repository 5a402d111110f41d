/**
 * @module
 * The conditions a terminating namespace reports, so `kubectl describe ns` says why it is
 * still there: discovery failures, deletion errors, what content and which finalizers remain.
 */
// Upstream: pkg/controller/namespace/deletion/status_condition_utils.go.
import type { NamespaceCondition } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'

const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const
type ConditionType = (typeof CONDITION_TYPES)[number]

const OK: Record<ConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
}

/** What one pass of content deletion found. */
export type DeletionReport = {
  /** `failedGroups` is set when only some group versions failed (upstream's ErrGroupDiscoveryFailed). */
  discoveryError?: { message: string; failedGroups?: number }
  /** One message per resource type that could not be deleted. */
  contentErrors: string[]
  /** `resource.group` → instances left. */
  remaining: Map<string, number>
  /** finalizer → instances it holds. */
  finalizers: Map<string, number>
}

function failures(r: DeletionReport): Partial<Record<ConditionType, { reason: string; message: string }>> {
  const out: Partial<Record<ConditionType, { reason: string; message: string }>> = {}
  if (r.discoveryError) {
    const { message, failedGroups } = r.discoveryError
    out.NamespaceDeletionDiscoveryFailure = {
      reason: 'DiscoveryFailed',
      message: failedGroups ? `Discovery failed for some groups, ${failedGroups} failing: ${message}` : message,
    }
  }
  if (r.contentErrors.length) {
    const msgs = [...r.contentErrors].sort()
    out.NamespaceDeletionContentFailure = { reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}` }
  }
  const remaining = [...r.remaining].filter(([, n]) => n > 0).map(([gr, n]) => `${gr} has ${n} resource instances`).sort()
  if (r.remaining.size) out.NamespaceContentRemaining = { reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${remaining.join(', ')}` }
  const held = [...r.finalizers].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort()
  if (r.finalizers.size) out.NamespaceFinalizersRemaining = { reason: 'SomeFinalizerRemain', message: `Some finalizers are remaining: ${held.join(', ')}` }
  return out
}

/**
 * The namespace's conditions after this pass: every type present, failing or in its "ok"
 * form, existing entries updated in place (lastTransitionTime moves only with the status).
 * Returns undefined when nothing changed, so no status write is needed.
 */
export function nextConditions(current: readonly Cached<NamespaceCondition>[] | undefined, report: DeletionReport, now: string): NamespaceCondition[] | undefined {
  const out: NamespaceCondition[] = (current ?? []).map((c) => ({ ...c }))
  const failed = failures(report)
  let changed = false
  for (const type of CONDITION_TYPES) {
    const want = failed[type] ? { status: 'True', ...failed[type] } : { status: 'False', ...OK[type] }
    const old = out.find((c) => c.type === type)
    if (!old) {
      out.push({ type, ...want, lastTransitionTime: now })
      changed = true
    } else if (old.status !== want.status || old.reason !== want.reason || old.message !== want.message) {
      if (old.status !== want.status) old.lastTransitionTime = now
      Object.assign(old, want)
      changed = true
    }
  }
  return changed ? out : undefined
}

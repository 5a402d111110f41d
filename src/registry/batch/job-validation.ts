/**
 * @module
 * Job spec validation with upstream's messages, shared by Jobs and CronJob job templates:
 * counts, per-index backoff limits, managedBy, completion mode, the pod failure and success
 * policies (their own files), pod replacement policy, the pod template and its restartPolicy,
 * the generated selector and labels, and what an update may change.
 */
// Upstream: pkg/apis/batch/validation/validation.go (validateJobSpec, ValidateJobSpec,
// validateGeneratedSelector, ValidateJobSpecUpdate, validatePodTemplateUpdate).
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js'
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { immutable, invalidValue, notSupported, path, required, tooLong, type FieldError } from '../../api/field-errors.js'
import { domainPrefixedPathErrors, isDNS1123Label } from '../../api/names.js'
import { semanticEqual } from '../../api/meta.js'
import { validateLabelSelectorMeta } from '../../api/index.js'
import { goLabelSelector, goStringMap, invalidRendered, nonNegative, selectorMismatch } from '../apps/index.js'
import { validatePodTemplateSpec } from '../core/index.js'
import { goPodFailurePolicy, goSuccessPolicy } from './go-values.js'
import { validatePodFailurePolicy } from './pod-failure-policy.js'
import { validateSuccessPolicy } from './success-policy.js'

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid'
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name'
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid'
export const LEGACY_JOB_NAME_LABEL = 'job-name'

const MAX_PARALLELISM_FOR_INDEXED_JOB = 100_000
const MAX_FAILED_INDEXES_FOR_INDEXED_JOB = 100_000
// Above this many completions, per-index backoff keeps status.failedIndexes bounded only with
// a cap on failed indexes and on parallelism.
const COMPLETIONS_SOFT_LIMIT = 100_000
const PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS = 10_000
const MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS = 10_000
const MAX_MANAGED_BY_LENGTH = 63
const POD_REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed']

const isSet = <T>(v: T | undefined | null): v is T => v !== undefined && v !== null


/** Per-index backoff and its failed-index cap: Indexed Jobs only, and bounded. */
function validatePerIndexLimits(spec: JobSpec, at: string): FieldError[] {
  const errs: FieldError[] = []
  const { completions, parallelism, backoffLimitPerIndex: perIndex, maxFailedIndexes: maxFailed } = spec
  const mfi = path(at, 'maxFailedIndexes')
  if (spec.completionMode === 'Indexed') {
    if (isSet(completions) && isSet(maxFailed) && maxFailed > completions) errs.push(invalidValue(mfi, maxFailed, 'must be less than or equal to completions'))
    if (isSet(maxFailed) && maxFailed > MAX_FAILED_INDEXES_FOR_INDEXED_JOB) {
      errs.push(invalidValue(mfi, maxFailed, `must be less than or equal to ${MAX_FAILED_INDEXES_FOR_INDEXED_JOB}`))
    }
    if (isSet(completions) && completions > COMPLETIONS_SOFT_LIMIT && isSet(perIndex)) {
      const why = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`
      if (!isSet(maxFailed)) errs.push(required(mfi, `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`))
      if (isSet(parallelism) && parallelism > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS) {
        errs.push(invalidValue(path(at, 'parallelism'), parallelism, `must be less than or equal to ${PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS} ${why}`))
      }
      if (isSet(maxFailed) && maxFailed > MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS) {
        errs.push(invalidValue(mfi, maxFailed, `must be less than or equal to ${MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS} ${why}`))
      }
    }
  } else if (!isSet(spec.completionMode) || spec.completionMode === 'NonIndexed') {
    // An unset mode is NonIndexed too (Job defaults set it; CronJob templates may lack it).
    if (isSet(perIndex)) errs.push(invalidValue(path(at, 'backoffLimitPerIndex'), perIndex, 'requires indexed completion mode'))
    if (isSet(maxFailed)) errs.push(invalidValue(mfi, maxFailed, 'requires indexed completion mode'))
  }
  return errs
}

/** Upstream's validateJobSpec: everything but the selector (CronJob templates have none). */
export function validateJobSpecCommon(spec: JobSpec, at: string): FieldError[] {
  const errs = [
    ...nonNegative(spec.parallelism, path(at, 'parallelism')),
    ...nonNegative(spec.completions, path(at, 'completions')),
    ...nonNegative(spec.activeDeadlineSeconds, path(at, 'activeDeadlineSeconds')),
    ...nonNegative(spec.backoffLimit, path(at, 'backoffLimit')),
    ...nonNegative(spec.ttlSecondsAfterFinished, path(at, 'ttlSecondsAfterFinished')),
    ...nonNegative(spec.backoffLimitPerIndex, path(at, 'backoffLimitPerIndex')),
    ...nonNegative(spec.maxFailedIndexes, path(at, 'maxFailedIndexes')),
  ]
  if (isSet(spec.maxFailedIndexes) && !isSet(spec.backoffLimitPerIndex)) {
    errs.push(required(path(at, 'backoffLimitPerIndex'), 'when maxFailedIndexes is specified'))
  }
  if (isSet(spec.managedBy)) {
    errs.push(...domainPrefixedPathErrors(path(at, 'managedBy'), spec.managedBy))
    if (spec.managedBy.length > MAX_MANAGED_BY_LENGTH) errs.push(tooLong(path(at, 'managedBy'), spec.managedBy, MAX_MANAGED_BY_LENGTH))
  }
  const mode = spec.completionMode
  if (isSet(mode)) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(path(at, 'completionMode'), mode, ['NonIndexed', 'Indexed']))
    if (mode === 'Indexed') {
      if (!isSet(spec.completions)) errs.push(required(path(at, 'completions'), 'when completion mode is Indexed'))
      if ((spec.parallelism ?? 0) > MAX_PARALLELISM_FOR_INDEXED_JOB) {
        errs.push(invalidValue(path(at, 'parallelism'), spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`))
      }
    }
  }
  errs.push(...validatePerIndexLimits(spec, at))
  if (isSet(spec.podFailurePolicy)) errs.push(...validatePodFailurePolicy(spec, path(at, 'podFailurePolicy')))
  if (isSet(spec.successPolicy)) errs.push(...validateSuccessPolicy(spec, spec.successPolicy, path(at, 'successPolicy')))
  if (isSet(spec.podReplacementPolicy)) {
    if (spec.podFailurePolicy) {
      if (spec.podReplacementPolicy !== 'Failed') errs.push(notSupported(path(at, 'podReplacementPolicy'), spec.podReplacementPolicy, ['Failed']))
    } else if (!POD_REPLACEMENT_POLICIES.includes(spec.podReplacementPolicy)) {
      errs.push(notSupported(path(at, 'podReplacementPolicy'), spec.podReplacementPolicy, POD_REPLACEMENT_POLICIES))
    }
  }
  errs.push(...validatePodTemplateSpec(spec.template ?? {}, path(at, 'template')))
  // Pod defaults turn an unset restartPolicy into Always, so both read as "not given".
  const restart = spec.template?.spec?.restartPolicy ?? ''
  const rp = path(at, 'template', 'spec', 'restartPolicy')
  if (restart === 'Always' || restart === '') errs.push(required(rp, 'valid values: "OnFailure", "Never"'))
  else if (restart !== 'OnFailure' && restart !== 'Never') errs.push(notSupported(rp, restart, ['OnFailure', 'Never']))
  else if (spec.podFailurePolicy && restart !== 'Never') errs.push(invalidValue(rp, restart, 'only "Never" is supported when podFailurePolicy is specified'))
  return errs
}

/** Upstream's ValidateJobSpec: the common rules plus a required, matching selector. */
export function validateJobSpec(spec: JobSpec, at: string): FieldError[] {
  const errs = validateJobSpecCommon(spec, at)
  if (!spec.selector) errs.push(required(path(at, 'selector')))
  else errs.push(...validateLabelSelectorMeta(spec.selector, path(at, 'selector')))
  // Whether generated or manual, the selector must select the pods the Job makes.
  // (An absent selector matches nothing, so it fails this too, as upstream's does.)
  errs.push(...selectorMismatch(spec.selector, spec.template, path(at, 'template'), false))
  return errs
}

function hasLabel(t: PodTemplateSpec | undefined, key: string, want: string): FieldError[] {
  const at = `spec.template.metadata.labels[${key}]`
  const labels = t?.metadata?.labels
  const got = labels?.[key]
  if (got === undefined) return [required(at, want)]
  return got === want ? [] : [invalidRendered(at, goStringMap(labels), `must be '${want}'`)]
}

/** Unless the selector is manual, it and the template labels must be exactly the generated ones. */
export function validateGeneratedSelector(job: Job, requirePrefixedLabels = true): FieldError[] {
  const spec = job.spec
  if (!spec || spec.manualSelector === true || !spec.selector) return []
  const uid = job.metadata?.uid ?? ''
  const name = job.metadata?.name ?? ''
  const errs: FieldError[] = []
  if (!uid) errs.push(required('metadata.uid'))
  errs.push(...hasLabel(spec.template, LEGACY_CONTROLLER_UID_LABEL, uid), ...hasLabel(spec.template, LEGACY_JOB_NAME_LABEL, name))
  const uidKey = requirePrefixedLabels ? CONTROLLER_UID_LABEL : LEGACY_CONTROLLER_UID_LABEL
  if (requirePrefixedLabels) errs.push(...hasLabel(spec.template, CONTROLLER_UID_LABEL, uid), ...hasLabel(spec.template, JOB_NAME_LABEL, name))
  const sel = spec.selector
  const ml = sel.matchLabels ?? {}
  const generated = (sel.matchExpressions === undefined || sel.matchExpressions === null) &&
    Object.keys(ml).length === 1 && ml[uidKey] === uid
  if (!generated) errs.push(invalidRendered('spec.selector', goLabelSelector(sel), '`selector` not auto-generated'))
  return errs
}

/** Upstream's ValidateJob (metadata aside). */
export function validateJob(job: Job): FieldError[] {
  const spec = job.spec ?? ({ template: {} } as JobSpec)
  const errs = [...validateGeneratedSelector(job), ...validateJobSpec(spec, 'spec')]
  if (spec.completionMode === 'Indexed' && (spec.completions ?? 0) > 0) {
    // Pod hostnames end in "-<index>"; the largest must still be a DNS label.
    const host = `${job.metadata?.name ?? ''}-${(spec.completions ?? 1) - 1}`
    if (isDNS1123Label(host).length) errs.push(invalidValue('metadata.name', job.metadata?.name ?? '', `will not able to create pod with invalid DNS label: ${host}`))
  }
  return errs
}

/** What a suspended Job that never started may still change in its template (scheduling only). */
function schedulingOnly(t: PodTemplateSpec | undefined, from: PodTemplateSpec | undefined): PodTemplateSpec | undefined {
  if (!t || !from) return from
  const spec = { ...from.spec, nodeSelector: t.spec?.nodeSelector, tolerations: t.spec?.tolerations, schedulingGates: t.spec?.schedulingGates }
  const affinity = { ...from.spec?.affinity, nodeAffinity: t.spec?.affinity?.nodeAffinity }
  const hasOther = Object.entries(affinity).some(([k, v]) => k !== 'nodeAffinity' && v !== undefined)
  ;(spec as Record<string, unknown>).affinity = t.spec?.affinity || hasOther ? affinity : undefined
  return { ...from, metadata: { ...from.metadata, labels: t.metadata?.labels, annotations: t.metadata?.annotations }, spec: spec as PodTemplateSpec['spec'] }
}

/** Upstream's ValidateJobSpecUpdate: most of a Job is fixed once created. */
export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const spec = job.spec ?? ({ template: {} } as JobSpec)
  const was = old.spec ?? ({ template: {} } as JobSpec)
  const errs: FieldError[] = []
  if (!semanticEqual(spec.completions, was.completions)) {
    // Elastic Indexed Jobs: completions may follow parallelism (an unset one is already "Required").
    if (spec.completionMode !== 'Indexed') errs.push(immutable('spec.completions', spec.completions))
    else if (isSet(spec.completions) && spec.completions !== spec.parallelism) {
      errs.push(invalidValue('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'))
    }
  }
  if (!semanticEqual(spec.selector, was.selector)) errs.push(invalidRendered('spec.selector', goLabelSelector(spec.selector), 'field is immutable'))
  const mayReschedule = was.suspend === true && !old.status?.startTime
  const oldTemplate = mayReschedule ? schedulingOnly(spec.template, was.template) : was.template
  if (!semanticEqual(spec.template, oldTemplate)) errs.push(immutable('spec.template', spec.template))
  for (const k of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'] as const) {
    if (semanticEqual(spec[k], was[k])) continue
    const at = path('spec', k)
    if (k === 'podFailurePolicy' && spec.podFailurePolicy) errs.push(invalidRendered(at, goPodFailurePolicy(spec.podFailurePolicy), 'field is immutable'))
    else if (k === 'successPolicy' && spec.successPolicy) errs.push(invalidRendered(at, goSuccessPolicy(spec.successPolicy), 'field is immutable'))
    else errs.push(immutable(at, spec[k]))
  }
  return errs
}

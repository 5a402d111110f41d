/**
 * @module
 * batch/v1 Job: defaults, the generated selector and labels (from the uid the store assigned),
 * the spec/status split, validation, `kubectl get jobs` columns and the `status.successful`
 * field selector.
 */
// Upstream: pkg/apis/batch/v1/defaults.go (SetDefaults_Job), pkg/registry/batch/job/strategy.go
// (PrepareForCreate, generateSelector, JobToSelectableFields; the status strategy's rules are in
// job-status-validation.ts), pkg/printers/internalversion/printers.go (printJob).
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js'
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { semanticEqual } from '../../api/meta.js'
import { firstGeneration, nextGeneration, type Kube } from '../apps/index.js'
import { containerImages, containerNames, defaultPodTemplateSpec } from '../core/index.js'
import { ageColumn, formatLabelSelector, humanDuration, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import {
  CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL, validateJob, validateJobUpdate,
} from './job-validation.js'
import { validateJobStatusUpdate } from './job-status-validation.js'

/** A pod failure policy's condition patterns default to status True (Jobs and CronJob templates alike). */
export function defaultPodFailurePolicy(spec: JobSpec): void {
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) pattern.status ||= 'True'
  }
}

/** Upstream's SetDefaults_Job plus the pod template's defaults. */
export function defaultJob(job: Job): void {
  const spec = (job.spec ??= { template: {} })
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1
    spec.parallelism = 1
  }
  spec.parallelism ??= 1
  // With per-index limits the global limit is effectively off.
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6
  const templateLabels = spec.template?.metadata?.labels
  if (templateLabels && Object.keys(job.metadata?.labels ?? {}).length === 0) {
    job.metadata = { ...job.metadata, labels: { ...templateLabels } }
  }
  spec.completionMode ??= 'NonIndexed'
  spec.suspend ??= false
  defaultPodFailurePolicy(spec)
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed'
  spec.manualSelector ??= false
  spec.template ??= {}
  defaultPodTemplateSpec(spec.template)
}

/** Labels and selector that tie the Job's pods to this Job alone; labels the user set are kept
 *  (validation then rejects them if they conflict). */
export function generateSelector(job: Job): void {
  const spec = (job.spec ??= { template: {} })
  const template: PodTemplateSpec = (spec.template ??= {})
  const labels = (template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels } }).labels!
  const name = job.metadata?.name ?? ''
  const uid = job.metadata?.uid ?? ''
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= name
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[key] ??= uid
  const sel = (spec.selector = { ...spec.selector, matchLabels: { ...spec.selector?.matchLabels } })
  sel.matchLabels![CONTROLLER_UID_LABEL] ??= uid
}

const hasCondition = (job: Job, type: string) =>
  (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True')

/** The Status column: the first of these that holds. */
export function jobStatus(job: Job): string {
  if (hasCondition(job, 'Complete')) return 'Complete'
  if (hasCondition(job, 'Failed')) return 'Failed'
  if (job.metadata?.deletionTimestamp) return 'Terminating'
  if (hasCondition(job, 'Suspended')) return 'Suspended'
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget'
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet'
  return 'Running'
}

/** "1/3", or for work-queue jobs without completions "0/1" ("0/1 of 3" when parallel). */
export function jobCompletions(job: Job): string {
  const done = job.status?.succeeded ?? 0
  if (typeof job.spec?.completions === 'number') return `${done}/${job.spec.completions}`
  const parallelism = job.spec?.parallelism ?? 0
  return parallelism > 1 ? `${done}/1 of ${parallelism}` : `${done}/1`
}

/** How long the Job ran, or has been running; empty before it started. */
export function jobDuration(job: Job, now: number): string {
  const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN
  if (Number.isNaN(start)) return ''
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now
  return humanDuration(end - start)
}

export const jobs = {
  group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', singular: 'job',
  namespaced: true, categories: ['all'],
  subresources: { status: true },
  schema: 'io.k8s.api.batch.v1.Job',
  defaults: defaultJob,
  prepareForCreate(job) {
    const spec = (job.spec ??= { template: {} })
    const before = spec.template?.metadata?.labels
    if (spec.manualSelector !== true) generateSelector(job)
    job.status = {}
    firstGeneration(job)
    // Upstream's defaulting copies (shares, in Go) the template's labels into empty Job labels and
    // runs again when the stored object is read back, so the Job ends up carrying the generated
    // labels too; reproduce the result.
    const own = job.metadata?.labels
    if (Object.keys(own ?? {}).length === 0 || semanticEqual(own, before)) {
      const labels = spec.template?.metadata?.labels
      if (labels) job.metadata = { ...job.metadata, labels: { ...labels } }
    }
  },
  prepareForUpdate(job, old) {
    job.status = old.status
    nextGeneration(job, old, !semanticEqual(job.spec, old.spec))
  },
  validate: validateJob,
  validateUpdate: validateJobUpdate,
  status: {
    prepareForUpdate(job, old) {
      job.spec = old.spec
    },
    validateUpdate: validateJobStatusUpdate,
  },
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', description: 'Status of the job.', cell: jobStatus },
    { name: 'Completions', type: 'string', description: 'The desired number of successfully finished pods the job should be run with.', cell: jobCompletions },
    { name: 'Duration', type: 'string', description: 'Time required to complete the job.', cell: jobDuration },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (j) => containerNames(j.spec?.template?.spec) },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (j) => containerImages(j.spec?.template?.spec) },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods.', cell: (j) => formatLabelSelector(j.spec?.selector) },
  ],
  selectableFields: (job) => ({ 'status.successful': String(job.status?.succeeded ?? 0) }),
} satisfies ResourceType<Kube<Job>>

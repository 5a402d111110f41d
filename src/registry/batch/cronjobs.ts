/**
 * @module
 * batch/v1 CronJob: defaults, the spec/status split, validation (schedule syntax, time zone,
 * concurrency policy, the job template, the 52-character name limit) and `kubectl get cj` columns.
 */
// Upstream: pkg/apis/batch/v1/defaults.go (SetDefaults_CronJob), pkg/registry/batch/cronjob/strategy.go,
// pkg/apis/batch/validation/validation.go (ValidateCronJobCreate, validateCronJobSpec,
// validateScheduleFormat, validateTimeZone, ValidateJobTemplateSpec),
// pkg/printers/internalversion/printers.go (printCronJob).
import type { CronJob, CronJobSpec, JobTemplateSpec } from 'kubernetes-types/batch/v1.js'
import { invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { semanticEqual } from '../../api/meta.js'
import { firstGeneration, goLabelSelector, invalidRendered, nextGeneration, nonNegative, type Kube } from '../apps/index.js'
import { containerImages, containerNames, defaultPodTemplateSpec } from '../core/index.js'
import { age, ageColumn, formatLabelSelector, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { cronScheduleError, isKnownTimeZone } from './cron-schedule.js'
import { validateJobSpecCommon } from './job-validation.js'
import { defaultPodFailurePolicy } from './jobs.js'

export function defaultCronJob(cj: CronJob): void {
  const spec = (cj.spec ??= { schedule: '', jobTemplate: {} })
  spec.concurrencyPolicy ||= 'Allow'
  spec.suspend ??= false
  spec.successfulJobsHistoryLimit ??= 3
  spec.failedJobsHistoryLimit ??= 1
  const jt: JobTemplateSpec = (spec.jobTemplate ??= {})
  jt.metadata ??= {}
  // Go marshals the template's zero creation time as null; kubectl shows it.
  if (!('creationTimestamp' in jt.metadata)) (jt.metadata as Record<string, unknown>).creationTimestamp = null
  if (jt.spec) {
    defaultPodFailurePolicy(jt.spec)
    jt.spec.template ??= {}
    defaultPodTemplateSpec(jt.spec.template)
  }
}

// Letters, digits, '.', '-', '_' and '+', at most 14 per component, as upstream tolerates.
const TZ_COMPONENT = /^[A-Za-z.\-_0-9+]{1,14}$/

function validateTimeZone(tz: string | undefined | null, at: string): FieldError[] {
  if (tz === undefined || tz === null) return []
  if (tz === '') return [invalidValue(at, tz, 'timeZone must be nil or non-empty string')]
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TZ_COMPONENT.test(part)) return [invalidValue(at, tz, `unknown time zone ${tz}`)]
  }
  const errs: FieldError[] = []
  if (tz.toLowerCase() === 'local') errs.push(invalidValue(at, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'))
  if (!isKnownTimeZone(tz)) errs.push(invalidValue(at, tz, `unknown time zone ${tz}`))
  return errs
}

function validateSchedule(schedule: string, allowTZ: boolean, tz: string | undefined, at: string): FieldError[] {
  const errs: FieldError[] = []
  const parseError = cronScheduleError(schedule)
  if (parseError) errs.push(invalidValue(at, schedule, parseError))
  if (allowTZ && schedule.includes('TZ') && tz !== undefined && tz !== null) {
    errs.push(invalidValue(at, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'))
  } else if (!allowTZ && schedule.includes('TZ')) {
    errs.push(invalidValue(at, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'))
  }
  return errs
}

function validateJobTemplate(jt: JobTemplateSpec | undefined, at: string): FieldError[] {
  const spec = jt?.spec ?? { template: {} }
  const errs = validateJobSpecCommon(spec, path(at, 'spec'))
  // Each Job the CronJob makes gets its own generated selector.
  if (spec.selector) errs.push(invalidRendered(path(at, 'spec', 'selector'), goLabelSelector(spec.selector), '`selector` will be auto-generated'))
  if (spec.manualSelector === true) errs.push(notSupported(path(at, 'spec', 'manualSelector'), true, ['nil', 'false']))
  return errs
}

function validateCronJobSpec(spec: CronJobSpec, old: CronJobSpec | undefined): FieldError[] {
  const errs: FieldError[] = []
  if (!spec.schedule) errs.push(required('spec.schedule'))
  else errs.push(...validateSchedule(spec.schedule, old?.schedule.includes('TZ') ?? false, spec.timeZone, 'spec.schedule'))
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'))
  if (!old || !semanticEqual(old.timeZone ?? null, spec.timeZone ?? null)) errs.push(...validateTimeZone(spec.timeZone, 'spec.timeZone'))
  const policy = spec.concurrencyPolicy ?? ''
  if (policy === '') errs.push(required('spec.concurrencyPolicy'))
  else if (!['Allow', 'Forbid', 'Replace'].includes(policy)) errs.push(notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']))
  errs.push(...validateJobTemplate(spec.jobTemplate, 'spec.jobTemplate'))
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'))
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'))
  return errs
}

/** Upstream's ValidateCronJobCreate (metadata aside but for the name limit). */
export function validateCronJob(cj: CronJob): FieldError[] {
  const errs = validateCronJobSpec(cj.spec ?? ({ schedule: '', jobTemplate: {} }), undefined)
  const name = cj.metadata?.name ?? ''
  // Jobs are named "<cronjob>-<11-character timestamp>" and must fit a 63-character label.
  if (name.length > 52) errs.push(invalidValue('metadata.name', name, 'must be no more than 52 characters'))
  return errs
}

export const cronJobs = {
  group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', singular: 'cronjob',
  namespaced: true, shortNames: ['cj'], categories: ['all'],
  subresources: { status: true },
  schema: 'io.k8s.api.batch.v1.CronJob',
  defaults: defaultCronJob,
  prepareForCreate(cj) {
    cj.status = {}
    firstGeneration(cj)
  },
  prepareForUpdate(cj, old) {
    cj.status = old.status
    nextGeneration(cj, old, !semanticEqual(cj.spec, old.spec))
  },
  validate: validateCronJob,
  // `validate` ran with create rules; update rules differ only where the old spec matters, so
  // drop the create-time schedule/time-zone verdicts and redo them against the old spec.
  validateUpdate: (cj, old) => {
    const spec = cj.spec ?? { schedule: '', jobTemplate: {} }
    const now = validateCronJobSpec(spec, old.spec)
    const first = validateCronJobSpec(spec, undefined)
    const seen = new Set(first.map((e) => e.error))
    return now.filter((e) => !seen.has(e.error))
  },
  status: {
    prepareForUpdate(cj, old) {
      cj.spec = old.spec
    },
  },
  columns: [
    nameColumn,
    { name: 'Schedule', type: 'string', description: 'The schedule in Cron format.', cell: (cj) => cj.spec?.schedule ?? '' },
    { name: 'Timezone', type: 'string', description: 'The time zone name for the given schedule.', cell: (cj) => (cj.spec?.timeZone === undefined || cj.spec?.timeZone === null ? '<none>' : cj.spec.timeZone) },
    { name: 'Suspend', type: 'boolean', description: 'Whether subsequent executions are suspended.', cell: (cj) => (typeof cj.spec?.suspend === 'boolean' ? (cj.spec.suspend ? 'True' : 'False') : '<unset>') },
    { name: 'Active', type: 'integer', description: 'Pointers to currently running jobs.', cell: (cj) => (cj.status?.active ?? []).length },
    { name: 'Last Schedule', type: 'string', description: 'Information when was the last time the job was successfully scheduled.', cell: (cj, now) => (cj.status?.lastScheduleTime ? age(cj.status.lastScheduleTime, now) : '<none>') },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (cj) => containerNames(cj.spec?.jobTemplate?.spec?.template?.spec) },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (cj) => containerImages(cj.spec?.jobTemplate?.spec?.template?.spec) },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods.', cell: (cj) => formatLabelSelector(cj.spec?.jobTemplate?.spec?.selector) },
  ],
} satisfies ResourceType<Kube<CronJob>>

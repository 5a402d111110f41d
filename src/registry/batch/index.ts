/**
 * @module
 * The batch/v1 group's registry entries: Jobs and CronJobs.
 */
import type { ResourceType } from '../types.js'
import { cronJobs } from './cronjobs.js'
import { jobs } from './jobs.js'

export { cronJobs, jobs }
export { defaultCronJob, validateCronJob } from './cronjobs.js'
export { defaultJob, generateSelector, jobCompletions, jobDuration, jobStatus } from './jobs.js'
export {
  CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL,
  validateJob, validateJobUpdate,
} from './job-validation.js'
export { validateJobStatusUpdate } from './job-status-validation.js'
export { cronScheduleError, isKnownTimeZone } from './cron-schedule.js'

/** batch/v1, in upstream's discovery order. */
export const batchV1: ResourceType[] = [cronJobs, jobs]

// The job folder's public surface: the Job and TTL-after-finished controllers. Re-exports only.
export { jobController, type JobControllerOptions } from './job-controller.js'
export { ttlAfterFinishedController } from './ttl-after-finished.js'
export {
  finishedCondition, isJobFailed, isJobFinished, isJobSucceeded, JOB_TRACKING_FINALIZER,
} from './conditions.js'

// The scheduler folder's public surface. Re-exports only.
export { newScheduler, startScheduler, type Scheduler, type SchedulerOptions } from './scheduler.js'
export { fitErrorMessage, type FitError, type Diagnosis } from './framework/fit-error.js'
export type { AnyPlugin, ClusterEvent, CycleState, FilterPlugin, Handle, ScorePlugin, Status } from './framework/types.js'
export type { NodeInfo, PodInfo } from './framework/node-info.js'

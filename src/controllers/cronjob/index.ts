// The cronjob folder's public surface: the CronJob controller. Re-exports only.
export { cronJobController } from './cronjob-controller.js'
export { parseSchedule, type Schedule } from './schedule.js'

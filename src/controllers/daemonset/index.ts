// The daemonset folder's public surface. Re-exports only.
export { daemonSetController } from './controller.js'

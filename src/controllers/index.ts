export { startControllerManager, controllerNames, isEnabled, type ControllerManagerOptions } from './manager.js'
export type { ControllerOptions } from './table.js'

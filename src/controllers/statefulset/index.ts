// The statefulset folder's public surface. Re-exports only.
export { statefulSetController } from './controller.js'

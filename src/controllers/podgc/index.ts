// The podgc folder's public surface. Re-exports only.
export { podGCController, type PodGCOptions } from './gc-controller.js'

// The kubelet's public surface. Re-exports only.
export { startKubelet, objectSourceFromInformers, type Kubelet, type KubeletOptions, type WatchedObjects } from './kubelet.js'
export type { Environment, ProbeManager, ProbeManagerCallbacks, RunLifecycleHandler } from './deps.js'
export type { ImageConfig, ImageFallback, ImageRecord, ImageStore } from './images.js'
export { podStatus, podPhase, podConditions, type ContainerRecord, type ContainerRun } from './status.js'
export * from './types.js'

/**
 * @module
 * What a pod worker needs from the rest of the kubelet, gathered in one context object so
 * that tests can hand in fakes (runtime, volumes, images, probes, environment).
 */
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../api/index.js'
import type { Backoff } from './backoff.js'
import type { DnsSettings } from './pod-files.js'
import type { ProbeManager } from './prober/index.js'
import type { KubeletOptions } from './kubelet.js'
import type { ObjectSource, PodRuntimeFacts, ProbeResult, ProbeTarget } from './types.js'

/** The probe manager as the kubelet drives it, and what it calls back. */
export type { ProbeManager, ProbeManagerOptions as ProbeManagerCallbacks } from './prober/index.js'

/** The environment resolver (src/kubelet/env.ts). */
export type Environment = {
  makeEnvironment(pod: Cached<Pod>, container: Cached<Container>, source: ObjectSource, facts: PodRuntimeFacts): Array<[string, string]>
  expandArgs(args: string[], env: Array<[string, string]>): string[]
}

export type RunLifecycleHandler = (handler: LifecycleHandler, target: ProbeTarget, timeoutMs?: number) => Promise<ProbeResult>

/** The kubelet's options as its pod workers see them, with the shared parts built. */
export type WorkerContext = Pick<KubeletOptions, 'client' | 'nodeName' | 'nodeIP' | 'runtime' | 'volumes' | 'images' |
  'imageFallback' | 'objects' | 'recorder' | 'rootDir' | 'logDir'> & {
  dns: DnsSettings
  now: () => number
  /** Container restart back-off (keys `<uid>/<container>`) and image pull back-off. */
  backoff: Backoff
  imageBackoff: Backoff
  probes: ProbeManager
  env: Environment
  runLifecycleHandler: RunLifecycleHandler
  /** How soon a pod whose container could not be created (config, image, runtime error) is tried again. */
  retryMs: number
}

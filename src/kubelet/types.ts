/**
 * @module
 * The seams inside the kubelet: the pod workers (./pod-worker.ts) use a volume manager,
 * an environment resolver and a probe manager, and the kubelet API server reads the
 * workers' state through KubeletPods. Each side is written and tested on its own.
 */
import type { ConfigMap, Container, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../api/index.js'
import type { Mount, Runtime } from '../runtime/types.js'

/** Read access to what a pod references; backed by informers in the kubelet. */
export type ObjectSource = {
  configMap(namespace: string, name: string): Cached<ConfigMap> | undefined
  secret(namespace: string, name: string): Cached<Secret> | undefined
  /** Services of a namespace (for the Service environment variables). */
  services(namespace: string): Cached<Service>[]
  persistentVolumeClaim(namespace: string, name: string): Cached<PersistentVolumeClaim> | undefined
  persistentVolume(name: string): Cached<PersistentVolume> | undefined
}

/** Facts of the pod's run that env and downwardAPI need besides the pod object. */
export type PodRuntimeFacts = { podIP: string; podIPs: string[]; hostIP: string; nodeName: string }

/** A failure that keeps a container from being created, with the kubelet's reason. */
export class ContainerConfigError extends Error {
  constructor(readonly reason: 'CreateContainerConfigError' | 'CreateContainerError', message: string) {
    super(message)
  }
}

/** A volume that could not be set up (the kubelet's FailedMount event). */
export class VolumeSetupError extends Error {
  readonly reason = 'FailedMount'
}

export interface VolumeManager {
  /** Prepares every volume of `pod` on disk (idempotent); throws VolumeSetupError. */
  setUpPod(pod: Pod, facts: PodRuntimeFacts): Promise<void>
  /**
   * The mounts of one container (volumeMounts incl. subPath and readOnly); `env` is the
   * container's environment, for subPathExpr. Throws ContainerConfigError.
   */
  containerMounts(pod: Pod, container: Container, env?: Array<[string, string]>): Promise<Mount[]>
  /** Removes the pod's volume directories (not hostPath or PVC data). */
  tearDownPod(podUid: string): Promise<void>
  /** Stops the live-update loop. */
  stop(): void
}

export type ProbeKind = 'startup' | 'readiness' | 'liveness'

/** What probes and hooks run against: one container of one pod. */
export type ProbeTarget = {
  pod: Pod
  container: Container
  podIP: string
  /** Runs a command in the container; rejects when it cannot be started. */
  exec(argv: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>
}

export type ProbeResult = { ok: boolean; message: string }

/** The kubelet API's view of the node's pods (logs, exec, attach, port-forward, stats). */
export interface KubeletPods {
  readonly runtime: Runtime
  /** The running (or last) container of a pod; undefined when the pod or container is unknown here. */
  container(namespace: string, pod: string, container: string): {
    id: string | undefined
    running: boolean
    logPath: string | undefined
    previousLogPath: string | undefined
  } | undefined
  /** The pod's sandbox, for port-forward. */
  sandbox(namespace: string, pod: string): { id: string; ip: string } | undefined
  /** Every pod the kubelet runs, for stats. */
  pods(): Array<{ pod: Pod; sandboxId?: string; containers: Array<{ name: string; id?: string }> }>
}

/**
 * @module
 * The kubelet: watches the pods bound to its node and runs one worker per pod (by uid),
 * feeding it pod events, container exits, probe results and back-off expiries. It also
 * answers the kubelet API's questions about containers (KubeletPods) and, on a server
 * shutdown, stops every pod gracefully without deleting it, so a restart recreates them.
 */
// Upstream: pkg/kubelet/kubelet.go (Run, syncLoopIteration, HandlePodAdditions/Updates/Removes),
// pkg/kubelet/pod_workers.go.
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service } from 'kubernetes-types/core/v1.js'
import { keyOf, type Cached } from '../api/index.js'
import { createInformers, type Client, type EventRecorder, type Informer, type Informers } from '../client/index.js'
import type { Runtime } from '../runtime/types.js'
import { createBackoff } from './backoff.js'
import type { Environment, ProbeManager, ProbeManagerCallbacks, RunLifecycleHandler, WorkerContext } from './deps.js'
import { expandArgs, makeEnvironment } from './env.js'
import type { ImageFallback, ImageStore } from './images.js'
import { readHostResolvConf } from './pod-files.js'
import { createPodWorker, type PodWorker } from './pod-worker.js'
import { createProbeManager, runLifecycleHandler } from './prober/index.js'
import { cleanupOrphanedPods } from './housekeeping.js'
import type { KubeletPods, ObjectSource, VolumeManager } from './types.js'

export type KubeletOptions = {
  client: Client
  nodeName: string
  runtime: Runtime
  volumes: VolumeManager
  images: ImageStore
  imageFallback: ImageFallback
  /** ConfigMaps, Secrets, Services, PVCs... (see objectSourceFromInformers). */
  objects: ObjectSource
  /** component "kubelet", host = nodeName. */
  recorder: EventRecorder
  /** Pods' files: `<rootDir>/pods/<uid>/...`. */
  rootDir: string
  /** Container logs: `<logDir>/<ns>_<name>_<uid>/<container>/<restartCount>.log`. */
  logDir: string
  clusterDNS: string[]
  clusterDomain: string
  nodeIP: string
  now?: () => number
  /** The node's resolver configuration (dnsPolicy Default); default /etc/resolv.conf. */
  hostResolvConf?: string
  /** How soon a container that could not be created is tried again; default 10 s (upstream's worker back-off). */
  retryMs?: number
  /** Crash-loop back-off; default 10 s doubling to 5 min. Tests shrink it. */
  backoff?: { initialMs: number; maxMs: number }
  /** Stand-ins for tests; default the prober and env modules. */
  probeManager?: (callbacks: ProbeManagerCallbacks) => ProbeManager
  runLifecycleHandler?: RunLifecycleHandler
  environment?: Environment
  /** Informers to use for pods (a kubelet makes its own, watching only its node). */
  informers?: Informers
}

export interface Kubelet {
  readonly pods: KubeletPods
  /** Stops watching; with terminatePods, stops every pod gracefully first (not deleting them). */
  stop(opts?: { terminatePods: boolean }): Promise<void>
}

/** Starts the kubelet; resolves once its pods are listed and their workers started. */
export async function startKubelet(opts: KubeletOptions): Promise<Kubelet> {
  const now = opts.now ?? Date.now
  const ac = new AbortController()
  const informers = opts.informers ?? createInformers(opts.client, { fieldSelectors: { 'v1/Pod': `spec.nodeName=${opts.nodeName}` } })
  const podInformer = informers.of<Pod>('v1', 'Pod')
  const workers = new Map<string, PodWorker>()
  const byUid = (uid: string) => workers.get(uid)

  const probes = (opts.probeManager ?? createProbeManager)({
    event: (pod, type, reason, message, fieldPath) => opts.recorder.event(pod as Cached<Pod>, type, reason, message, { fieldPath }),
    onFailure: (kind, podUid, name, containerId) => byUid(podUid)?.probeFailed(kind, name, containerId),
    onChange: (podUid) => byUid(podUid)?.kick(),
    now,
  })
  const ctx: WorkerContext = {
    client: opts.client, nodeName: opts.nodeName, nodeIP: opts.nodeIP, runtime: opts.runtime, volumes: opts.volumes,
    images: opts.images, imageFallback: opts.imageFallback, objects: opts.objects, recorder: opts.recorder,
    rootDir: opts.rootDir, logDir: opts.logDir,
    dns: { clusterDNS: opts.clusterDNS, clusterDomain: opts.clusterDomain, host: await readHostResolvConf(opts.hostResolvConf) },
    now, backoff: createBackoff({ ...opts.backoff, now }), imageBackoff: createBackoff({ ...opts.backoff, now }),
    probes, env: opts.environment ?? { makeEnvironment, expandArgs },
    runLifecycleHandler: opts.runLifecycleHandler ?? runLifecycleHandler, retryMs: opts.retryMs ?? 10_000,
  }

  let stopping = false
  const unsubscribe = podInformer.subscribe((ev) => {
    if (stopping) return
    const pod = ev.obj
    if (pod.spec?.nodeName !== opts.nodeName) return
    const uid = pod.metadata?.uid ?? ''
    let w = workers.get(uid)
    if (ev.type === 'delete') {
      w?.removed()
      return
    }
    if (!w) {
      workers.set(uid, (w = createPodWorker(ctx, pod)))
      w.kick()
    } else {
      w.update(pod)
    }
  })
  // Forget workers whose pods are gone and finished, so the maps do not grow forever.
  const gc = setInterval(() => {
    for (const [uid, w] of workers) {
      if (w.finished && !podInformer.get(keyOf(w.pod))) workers.delete(uid)
    }
  }, 60_000)
  gc.unref()

  // A container waiting for a missing ConfigMap or Secret (key) is tried again as soon as it appears.
  const objectsOff = 'onChange' in opts.objects
    ? (opts.objects as ObjectSource & WatchedObjects).onChange((ns) => {
      for (const w of workers.values()) if (!w.finished && w.pod.metadata?.namespace === ns && w.waitingForConfig()) w.kick()
    })
    : () => {}

  informers.start(ac.signal)
  await informers.waitForSync(ac.signal)

  // Directories of pods deleted while we ran or while we were down: once now, then every 10 s.
  const inUse = (uid: string) => {
    const w = workers.get(uid)
    if (w && !w.finished) return true
    return podInformer.list().some((p) => p.metadata?.uid === uid)
  }
  const housekeeping = () => cleanupOrphanedPods({
    rootDir: opts.rootDir, logDir: opts.logDir, volumes: opts.volumes, inUse,
    log: (m) => process.stderr.write(`kubelet: ${m}\n`),
  }).catch(() => {})
  await housekeeping()
  const housekeepingTimer = setInterval(() => void housekeeping(), 10_000)
  housekeepingTimer.unref()

  const find = (namespace: string, name: string) => {
    let found: PodWorker | undefined
    for (const w of workers.values()) {
      // The newest pod of that name: a recreated StatefulSet pod keeps its name, not its uid.
      if (w.pod.metadata?.namespace === namespace && w.pod.metadata?.name === name && (!found || !w.finished)) found = w
    }
    return found
  }

  const pods: KubeletPods = {
    runtime: opts.runtime,
    container(namespace, podName, container) {
      const w = find(namespace, podName)
      if (!w) return undefined
      const inMain = w.pod.spec?.containers?.some((c) => c.name === container)
      const inInit = w.pod.spec?.initContainers?.some((c) => c.name === container)
      if (!inMain && !inInit) return undefined
      const rec = w.records.get(inMain ? container : `init/${container}`)
      const cur = rec?.current
      // As upstream's validateContainerLogStatus: --previous is lastState's run, which is the
      // exited current run while the container waits to be restarted.
      return {
        id: cur?.id, running: !!cur && !cur.exit,
        logPath: cur?.logPath ?? rec?.previous?.logPath,
        previousLogPath: rec?.waiting && cur?.exit ? cur.logPath : rec?.previous?.logPath,
      }
    },
    sandbox(namespace, podName) {
      const sb = find(namespace, podName)?.sandbox
      return sb ? { id: sb.id, ip: sb.ip } : undefined
    },
    pods() {
      return [...workers.values()].filter((w) => !w.finished).map((w) => ({
        pod: w.pod as Pod, sandboxId: w.sandbox?.id,
        containers: [...w.records.values()].map((r) => ({ name: r.name, id: r.current && !r.current.exit ? r.current.id : undefined })),
      }))
    },
  }

  return {
    pods,
    async stop(stopOpts = { terminatePods: false }) {
      stopping = true
      unsubscribe()
      objectsOff()
      clearInterval(gc)
      clearInterval(housekeepingTimer)
      ac.abort()
      if (stopOpts.terminatePods) await Promise.all([...workers.values()].map((w) => w.terminate({ deleteFromApi: false })))
      for (const w of workers.values()) w.close()
      await Promise.all([...workers.values()].map((w) => w.idle()))
      probes.stop()
    },
  }
}

/** An ObjectSource that can say when a ConfigMap or Secret of a namespace changed. */
export type WatchedObjects = { onChange(fn: (namespace: string) => void): () => void }

/** The kubelet's ObjectSource over shared informers (ConfigMaps, Secrets, Services, PVCs, PVs). */
export function objectSourceFromInformers(informers: Informers): ObjectSource & WatchedObjects {
  const configMaps = informers.of<ConfigMap>('v1', 'ConfigMap')
  const secrets = informers.of<Secret>('v1', 'Secret')
  const services = informers.of<Service>('v1', 'Service')
  const claims = informers.of<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim')
  const volumes = informers.of<PersistentVolume>('v1', 'PersistentVolume')
  return {
    configMap: (ns, name) => configMaps.get(`${ns}/${name}`),
    secret: (ns, name) => secrets.get(`${ns}/${name}`),
    services: (ns) => services.list(ns),
    persistentVolumeClaim: (ns, name) => claims.get(`${ns}/${name}`),
    persistentVolume: (name) => volumes.get(name),
    onChange(fn) {
      const subs = [configMaps, secrets].map((inf) =>
        (inf as Informer<ConfigMap | Secret>).subscribe((ev) => { if (ev.type !== 'add' || inf.hasSynced()) fn(ev.obj.metadata?.namespace ?? '') }))
      return () => subs.forEach((u) => u())
    },
  }
}

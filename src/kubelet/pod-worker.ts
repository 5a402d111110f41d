/**
 * @module
 * One pod's worker: every change (a pod event, a container exit, a probe result, a back-off
 * running out) asks for a sync, and syncs of one pod never overlap. A sync converges the pod
 * one step as upstream's SyncPod does — sandbox and pod files, volumes, init containers in
 * order (sidecars started and kept running), then the main containers with the restart
 * policy and crash-loop back-off — and writes the status when it changed. Deletion runs the
 * termination (preStop, SIGTERM, grace, SIGKILL), frees the sandbox and volumes and
 * finally deletes the pod object, as the status manager does.
 */
// Upstream: pkg/kubelet/pod_workers.go (one goroutine per pod, UpdatePod), kubelet.go
// (SyncPod, SyncTerminatingPod, SyncTerminatedPod), kuberuntime/kuberuntime_manager.go
// (computePodActions, SyncPod, doBackOff), status/status_manager.go (syncPod: the final delete).
import { mkdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Container, LifecycleHandler, Pod, PodStatus } from 'kubernetes-types/core/v1.js'
import { isNotFound, semanticEqual, type Cached } from '../api/index.js'
import type { ContainerExit, ContainerHandle, Mount, PodSandbox } from '../runtime/types.js'
import { goDuration } from './backoff.js'
import { execInContainer, stopContainer } from './container-stop.js'
import { containerArgv, containerResources, containerUser, formatPod, mergeEnv, securityFlags } from './container-config.js'
import type { WorkerContext } from './deps.js'
import { ensureImage, imageBackoffDue } from './images.js'
import { podDir, podUtsHostname, terminationLogFile, writePodFiles } from './pod-files.js'
import { recordsFromApiStatus } from './records.js'
import { exitReason, podStatus, terminationMessage, type ContainerRecord, type ContainerRun } from './status.js'
import { ContainerConfigError, type PodRuntimeFacts, type ProbeTarget } from './types.js'

const POD = { apiVersion: 'v1', kind: 'Pod' }
const DEFAULT_GRACE_S = 30

type Kind = 'init' | 'main'
const recordKey = (kind: Kind, name: string) => (kind === 'init' ? `init/${name}` : name)
const fieldPathOf = (kind: Kind, name: string) => (kind === 'init' ? `spec.initContainers{${name}}` : `spec.containers{${name}}`)
const isSidecar = (c: Cached<Container>) => c.restartPolicy === 'Always'

export type PodWorker = ReturnType<typeof createPodWorker>

/** A worker for the pod with `initial`'s uid; `update` hands it newer versions of the pod. */
export function createPodWorker(ctx: WorkerContext, initial: Cached<Pod>) {
  const uid = initial.metadata?.uid ?? ''
  let pod = initial
  let sandbox: PodSandbox | undefined
  let podMounts: Mount[] = []
  let volumesReady = false
  let startTimeMs: number | undefined
  /** The pod finished (terminal phase) or was torn down: nothing more will run. */
  let terminal = false
  let finished = false
  let removedFromApi = false
  let deleteSent = false
  let closed = false
  let shutdown: { deleteFromApi: boolean } | undefined
  let lastWritten: PodStatus | undefined
  /** Why the kubelet failed the pod itself (activeDeadlineSeconds). */
  let failure: { reason: string; message: string } | undefined
  const records = new Map<string, ContainerRecord>()
  const handles = new Map<string, ContainerHandle>()
  const exits = new Map<string, Promise<void>>()

  // Serialisation: one sync at a time; a request during a sync runs one more afterwards.
  let dirty = false
  let running: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined
  let timerAt = Infinity

  function kick(): void {
    dirty = true
    if (!running) running = loop().finally(() => { running = undefined })
  }
  async function loop(): Promise<void> {
    while (dirty && !closed) {
      dirty = false
      try {
        await sync()
      } catch (err) {
        console.error(`kubelet: sync of pod ${formatPod(pod)} failed:`, err instanceof Error ? err.message : err)
        wakeAt(ctx.now() + ctx.retryMs)
      }
    }
  }
  function wakeAt(atMs: number): void {
    if (finished || closed || atMs >= timerAt) return
    clearTimeout(timer)
    timerAt = atMs
    timer = setTimeout(() => { timerAt = Infinity; kick() }, Math.max(0, atMs - ctx.now()))
    timer.unref?.()
  }

  /** After a kubelet restart the API remembers the runs: restart counts go on from there. */
  function seedFromApiStatus(): void {
    for (const [k, r] of recordsFromApiStatus(pod.status, { nowMs: ctx.now(), logPathOf })) records.set(k, r)
    // A pod that finished before the kubelet restarted keeps the status it has: nothing to run or write.
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') terminal = finished = true
  }

  const logPathOf = (name: string, attempt: number) =>
    join(ctx.logDir, `${pod.metadata?.namespace}_${pod.metadata?.name}_${uid}`, name, `${attempt}.log`)
  const facts = (): PodRuntimeFacts => {
    const ip = pod.spec?.hostNetwork ? ctx.nodeIP : sandbox?.ip ?? ''
    return { podIP: ip, podIPs: ip ? [ip] : [], hostIP: ctx.nodeIP, nodeName: ctx.nodeName }
  }
  const record = (kind: Kind, name: string): ContainerRecord => {
    const key = recordKey(kind, name)
    let r = records.get(key)
    if (!r) records.set(key, (r = { name, restartCount: 0 }))
    return r
  }
  const isRunning = (r: ContainerRecord | undefined) => !!r?.current && !r.current.exit
  const event = (kind: Kind, name: string, type: 'Normal' | 'Warning', reason: string, message: string) =>
    ctx.recorder.event(pod, type, reason, message, { fieldPath: fieldPathOf(kind, name) })

  const target = (c: Cached<Container>, containerId: string): ProbeTarget => ({
    pod: pod as Pod, container: c as Container, podIP: facts().podIP,
    exec: (argv, timeoutMs) => execInContainer(ctx.runtime, containerId, argv, timeoutMs),
  })

  async function sync(): Promise<void> {
    if (finished) {
      // A finished pod that is deleted later only needs its object removed.
      if (pod.metadata?.deletionTimestamp && !shutdown && !removedFromApi && !deleteSent) await deleteFromApi()
      return
    }
    if (shutdown || pod.metadata?.deletionTimestamp || removedFromApi) return terminatePod()
    if (terminal) return finishTerminal()
    startTimeMs ??= Date.parse(pod.status?.startTime ?? '') || ctx.now()
    const deadlineS = pod.spec?.activeDeadlineSeconds
    if (deadlineS !== undefined) {
      // Upstream: pkg/kubelet/active_deadline.go — the kubelet fails a pod that outlived its deadline.
      const dueMs = startTimeMs + deadlineS * 1000
      if (ctx.now() >= dueMs) {
        failure = { reason: 'DeadlineExceeded', message: `Pod was active on the node longer than the specified deadline` }
        return finishPod()
      }
      wakeAt(dueMs)
    }
    if (!sandbox) {
      // The first word from the node is Pending with containers waiting in ContainerCreating,
      // as upstream's status manager writes it: what `kubectl get pods -w` shows between
      // scheduling and Running.
      if (!lastWritten && !pod.status?.containerStatuses?.length) await writeStatus()
      try {
        sandbox = await ctx.runtime.runPodSandbox({
          uid, namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '',
          hostname: podUtsHostname(pod, ctx.dns.clusterDomain), hostNetwork: !!pod.spec?.hostNetwork,
          shareProcessNamespace: !!pod.spec?.shareProcessNamespace, dir: join(podDir(ctx.rootDir, uid), 'sandbox'),
        })
      } catch (err) {
        ctx.recorder.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${errText(err)}`)
        wakeAt(ctx.now() + ctx.retryMs)
        return writeStatus()
      }
      podMounts = await writePodFiles(pod, { ...ctx.dns, rootDir: ctx.rootDir, podIPs: facts().podIPs })
    }
    if (!volumesReady) {
      try {
        await ctx.volumes.setUpPod(pod as Pod, facts())
        volumesReady = true
      } catch (err) {
        ctx.recorder.event(pod, 'Warning', 'FailedMount', errText(err))
        wakeAt(ctx.now() + ctx.retryMs)
        return writeStatus()
      }
    }
    await startContainers()
    await writeStatus()
  }

  /** computePodActions + SyncPod, one step: the next init container, or every main container due. */
  async function startContainers(): Promise<void> {
    const policy = pod.spec?.restartPolicy ?? 'Always'
    for (const c of pod.spec?.initContainers ?? []) {
      const r = record('init', c.name)
      if (isSidecar(c)) {
        if (!isRunning(r)) await startOrBackOff('init', c, r)
        // The next init container waits until this sidecar has started (its startup probe passed).
        if (!isRunning(r) || !ctx.probes.started(uid, c.name)) return
        continue
      }
      const exit = r.current?.exit
      if (exit?.exitCode === 0 && !r.waiting) continue
      if (isRunning(r)) return
      if (exit && policy === 'Never') return finishPod()
      await startOrBackOff('init', c, r)
      return
    }
    for (const c of pod.spec?.containers ?? []) {
      const r = record('main', c.name)
      if (isRunning(r) && r.current?.specImage !== undefined && r.current.specImage !== c.image) {
        // Upstream computePodActions: a changed container spec (here: its image) restarts it.
        await killContainer('main', c, gracePeriodMs(), `Container ${c.name} definition changed, will be restarted`)
      }
      if (isRunning(r)) continue
      const exit = r.current?.exit
      if (exit && !(policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0))) continue
      await startOrBackOff('main', c, r)
    }
    if (policy !== 'Always') {
      const done = (pod.spec?.containers ?? []).every((c) => {
        const exit = records.get(c.name)?.current?.exit
        return exit && (policy === 'Never' || exit.exitCode === 0)
      })
      if (done) await finishPod()
    }
  }

  /** Restarts wait out the back-off (upstream doBackOff); first starts go at once. */
  async function startOrBackOff(kind: Kind, c: Cached<Container>, r: ContainerRecord): Promise<void> {
    const exit = r.current?.exit
    if (exit) {
      const key = `${uid}/${recordKey(kind, c.name)}`
      if (ctx.backoff.inBackoffSince(key, exit.finishedAtMs)) {
        const message = `back-off ${goDuration(ctx.backoff.get(key))} restarting failed container=${c.name} pod=${formatPod(pod)}`
        r.waiting = { reason: 'CrashLoopBackOff', message }
        event(kind, c.name, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${formatPod(pod)}`)
        wakeAt(ctx.backoff.dueAt(key, exit.finishedAtMs)!)
        return
      }
      ctx.backoff.next(key, exit.finishedAtMs)
    }
    await startContainer(kind, c, r)
  }

  /**
   * The image's USER resolved in the image's own /etc/passwd and /etc/group (over the host
   * base), as containerd does when it creates the container; a name that is not there is
   * upstream's CreateContainerError.
   */
  async function imageUser(spec: string | undefined, layers: readonly string[]) {
    if (!spec || spec === 'root' || spec === '0' || spec === '0:0') return undefined
    const [{ resolveUser }, { mergedView }] = await Promise.all([import('../runtime/images/user.js'), import('../runtime/images/merged-view.js')])
    try {
      return await resolveUser(spec, mergedView(layers))
    } catch (err) {
      throw new ContainerConfigError('CreateContainerError', errText(err))
    }
  }

  /** Upstream startContainer: image, config, create+start, events, probes, postStart. */
  async function startContainer(kind: Kind, c: Cached<Container>, r: ContainerRecord): Promise<void> {
    const sb = sandbox!
    const img = await ensureImage(pod, c, {
      store: ctx.images, fallback: ctx.imageFallback, backoff: ctx.imageBackoff, now: ctx.now,
      event: (type, reason, message) => event(kind, c.name, type, reason, message),
    })
    if (!img.ok) {
      r.waiting = { reason: img.reason, message: img.message }
      event(kind, c.name, 'Warning', 'Failed', `Error: ${img.reason}`)
      wakeAt(imageBackoffDue(uid, c.image ?? '', ctx.imageBackoff) ?? ctx.now() + ctx.retryMs)
      return
    }
    const attempt = r.everStarted ? r.restartCount + 1 : 0
    const logPath = logPathOf(c.name, attempt)
    let handle: ContainerHandle
    let terminationFile: string
    try {
      const env = ctx.env.makeEnvironment(pod, c, ctx.objects, facts())
      const user = containerUser(pod, c, img.config, await imageUser(img.config.user, img.rootfs.layers))
      const argv = containerArgv(c, img.config, env, ctx.env.expandArgs)
      const volumeMounts = await ctx.volumes.containerMounts(pod as Pod, c as Container)
      terminationFile = await terminationLogFile(ctx.rootDir, uid, c.name, attempt)
      const taken = new Set(volumeMounts.map((m) => m.containerPath))
      // A volume mounted over /etc/hosts (or the termination path) wins, as upstream skips its own then.
      const mounts = [...podMounts.filter((m) => !taken.has(m.containerPath)), ...volumeMounts]
      const messagePath = c.terminationMessagePath || '/dev/termination-log'
      if (!taken.has(messagePath)) mounts.push({ hostPath: terminationFile, containerPath: messagePath })
      await mkdir(dirname(logPath), { recursive: true })
      try {
        handle = await ctx.runtime.startContainer(sb, {
          name: c.name, attempt, rootfs: img.rootfs, argv, env: mergeEnv(img.config.env, env),
          workingDir: c.workingDir || img.config.workingDir || '/', mounts, user, ...securityFlags(c),
          tty: !!c.tty, stdin: !!c.stdin, stdinOnce: !!c.stdinOnce, resources: containerResources(c), logPath,
          dir: join(podDir(ctx.rootDir, uid), 'containers', c.name, String(attempt)),
        })
      } catch (err) {
        // The container was created but its command could not be run (not found, not
        // executable): upstream records a terminated run with reason StartError and exit code
        // 128, and restarts it with back-off like any other exit.
        if (isStartError(err)) return startFailed(kind, c, r, attempt, logPath, img, errText(err))
        throw new ContainerConfigError('CreateContainerError', errText(err))
      }
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err
      r.waiting = { reason: err.reason, message: err.message }
      event(kind, c.name, 'Warning', 'Failed', `Error: ${err.message}`)
      wakeAt(ctx.now() + ctx.retryMs)
      return
    }
    const run: ContainerRun = {
      id: handle.id, attempt, startedAtMs: handle.startedAt.getTime(), image: img.image, imageID: img.imageID, logPath, terminationFile,
      specImage: c.image,
    }
    if (r.current) r.previous = r.current
    r.current = run
    r.waiting = undefined
    r.restartCount = attempt
    r.everStarted = true
    const key = recordKey(kind, c.name)
    handles.set(key, handle)
    event(kind, c.name, 'Normal', 'Created', `Created container: ${c.name}`)
    event(kind, c.name, 'Normal', 'Started', `Started container ${c.name}`)
    exits.set(key, handle.exited.then((exit) => onExit(c, r, run, exit)))
    ctx.probes.add(target(c, handle.id), handle.id, handle.startedAt)
    const postStart = c.lifecycle?.postStart
    if (postStart) {
      const result = await ctx.runLifecycleHandler(postStart as LifecycleHandler, target(c, handle.id))
      if (!result.ok && !run.exit) {
        event(kind, c.name, 'Warning', 'FailedPostStartHook', result.message)
        await killContainer(kind, c, gracePeriodMs(), 'FailedPostStartHook')
      }
    }
  }

  function startFailed(kind: Kind, c: Cached<Container>, r: ContainerRecord, attempt: number, logPath: string,
    img: { image: string; imageID: string }, why: string): void {
    const message = `failed to start container "${c.name}": ${why}`
    const run: ContainerRun = {
      id: `${sandbox!.id}_${c.name}_${attempt}`, attempt, startedAtMs: 0, image: img.image, imageID: img.imageID, logPath,
      specImage: c.image, exit: { exitCode: 128, reason: 'StartError', message, finishedAtMs: ctx.now() },
    }
    if (r.current) r.previous = r.current
    r.current = run
    r.waiting = undefined
    r.restartCount = attempt
    r.everStarted = true
    event(kind, c.name, 'Warning', 'Failed', `Error: ${message}`)
    kick()
  }

  async function onExit(c: Cached<Container>, r: ContainerRecord, run: ContainerRun, exit: ContainerExit): Promise<void> {
    const file = run.terminationFile ? await readFile(run.terminationFile, 'utf8').catch(() => '') : ''
    const log = exit.exitCode !== 0 && c.terminationMessagePolicy === 'FallbackToLogsOnError' && run.logPath
      ? await readFile(run.logPath, 'utf8').catch(() => '') : ''
    const message = terminationMessage(c, file, exit.exitCode, () => log)
    run.exit = { exitCode: exit.exitCode, reason: exitReason(exit.exitCode, exit.oomKilled), finishedAtMs: exit.finishedAt.getTime(), ...(message ? { message } : {}) }
    const key = [...handles].find(([, h]) => h.id === run.id)?.[0]
    if (key) handles.delete(key)
    if (r.current === run) ctx.probes.remove(uid, c.name)
    await ctx.runtime.removeContainer(run.id).catch(() => {})
    kick()
  }

  const gracePeriodMs = () => {
    const s = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_S
    return s * 1000
  }

  /** Upstream killContainer: the Killing event, preStop within the grace period, SIGTERM, then SIGKILL at the deadline. */
  async function killContainer(kind: Kind, c: Cached<Container>, graceMs: number, message?: string): Promise<void> {
    const key = recordKey(kind, c.name)
    const handle = handles.get(key)
    if (!handle) return
    event(kind, c.name, 'Normal', 'Killing', message ?? `Stopping container ${c.name}`)
    const preStop = c.lifecycle?.preStop as LifecycleHandler | undefined
    await stopContainer(handle, {
      graceMs, now: ctx.now,
      preStop: preStop && ((timeoutMs) => ctx.runLifecycleHandler(preStop, target(c, handle.id), timeoutMs)),
      onPreStopFailed: (msg) => event(kind, c.name, 'Warning', 'FailedPreStopHook', msg),
    })
    await exits.get(key)
  }

  /** Stops every running container: main ones together, then sidecars in reverse order, within one grace period. */
  async function killAll(graceMs: number): Promise<void> {
    const deadline = ctx.now() + graceMs
    const left = () => Math.max(0, deadline - ctx.now())
    const main = (pod.spec?.containers ?? []).filter((c) => handles.has(c.name))
    const inits = pod.spec?.initContainers ?? []
    await Promise.all([
      ...main.map((c) => killContainer('main', c, graceMs)),
      ...inits.filter((c) => !isSidecar(c) && handles.has(recordKey('init', c.name))).map((c) => killContainer('init', c, graceMs)),
    ])
    for (const c of [...inits].reverse().filter(isSidecar)) await killContainer('init', c, left())
  }

  /** The pod reached Succeeded/Failed: stop sidecars, free the sandbox, keep the status. */
  async function finishPod(): Promise<void> {
    terminal = true
    await killAll(gracePeriodMs())
    await finishTerminal()
  }

  async function finishTerminal(): Promise<void> {
    await teardown()
    await writeStatus()
    finished = true
  }

  async function teardown(): Promise<void> {
    ctx.probes.removePod(uid)
    if (sandbox) await ctx.runtime.removePodSandbox(sandbox.id)
    sandbox = undefined
    await ctx.volumes.tearDownPod(uid)
    ctx.backoff.resetPrefix(`${uid}/`)
  }

  /** SyncTerminatingPod + SyncTerminatedPod, then the status manager's final delete. */
  async function terminatePod(): Promise<void> {
    const deleting = !shutdown || shutdown.deleteFromApi
    await killAll(gracePeriodMs())
    await teardown()
    finished = true
    clearTimeout(timer)
    if (!deleting || removedFromApi) return
    terminal = true
    await writeStatus()
    await deleteFromApi()
  }

  async function deleteFromApi(): Promise<void> {
    deleteSent = true
    try {
      await ctx.client.delete(POD, pod.metadata?.name ?? '', pod.metadata?.namespace, { gracePeriodSeconds: 0, preconditions: { uid } })
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }

  async function writeStatus(): Promise<void> {
    if (removedFromApi) return
    const st = podStatus(pod, {
      records, sandbox: pod.spec?.hostNetwork ? (sandbox ? { ip: ctx.nodeIP } : undefined) : sandbox,
      probes: { ready: (n) => ctx.probes.ready(uid, n), started: (n) => ctx.probes.started(uid, n) },
      hostIP: ctx.nodeIP, hostNetwork: !!pod.spec?.hostNetwork, startTimeMs, terminal, failure, nowMs: ctx.now(),
    })
    if (lastWritten && semanticEqual(comparable(st), comparable(lastWritten))) return
    try {
      await ctx.client.patch(POD, pod.metadata?.name ?? '', pod.metadata?.namespace, { status: st }, { type: 'merge', subresource: 'status' })
      lastWritten = st
    } catch (err) {
      if (isNotFound(err)) return
      throw err
    }
  }

  seedFromApiStatus()

  return {
    uid,
    get pod() { return pod },
    get sandbox() { return sandbox },
    get finished() { return finished },
    records,
    /** A newer version of the pod from the informer. */
    update(next: Cached<Pod>): void {
      pod = next
      kick()
    },
    kick,
    /** Some container could not be created for want of configuration (CreateContainerConfigError). */
    waitingForConfig(): boolean {
      for (const r of records.values()) if (r.waiting?.reason === 'CreateContainerConfigError') return true
      return false
    },
    /** The pod object is gone from the API (deleted with grace 0 by someone else). */
    removed(): void {
      removedFromApi = true
      kick()
    },
    /** A liveness or startup probe failed: kill the container; the restart policy decides what follows. */
    probeFailed(kind: 'liveness' | 'startup', name: string, containerId: string): void {
      const c = (pod.spec?.containers ?? []).find((x) => x.name === name)
      const inKind: Kind = c ? 'main' : 'init'
      const spec = c ?? (pod.spec?.initContainers ?? []).find((x) => x.name === name)
      if (!spec || handles.get(recordKey(inKind, name))?.id !== containerId) return
      void killContainer(inKind, spec, gracePeriodMs(), `Container ${name} failed ${kind} probe, will be restarted`)
        .catch(() => {})
    },
    /** Stops the pod's containers (the kubelet is shutting down); with deleteFromApi, as a deletion. */
    async terminate(opts: { deleteFromApi: boolean }): Promise<void> {
      shutdown = opts
      kick()
      while (running) await running
    },
    /** Waits for the current sync (tests, shutdown). */
    async idle(): Promise<void> {
      while (running) await running
    },
    /** Forgets timers (the kubelet stops without touching the pods). */
    close(): void {
      closed = true
      clearTimeout(timer)
    },
  }
}

// Transition times move only when a condition changes, so equal statuses compare equal.
const comparable = (st: PodStatus) => JSON.parse(JSON.stringify(st)) as unknown

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** A runtime error that says the container's process started but its command could not run. */
function isStartError(err: unknown): boolean {
  const e = err as { exitCode?: unknown; code?: unknown }
  return (typeof e?.exitCode === 'number' && e.exitCode >= 126 && e.exitCode <= 127) || e?.code === 'ENOENT' || e?.code === 'EACCES'
}

/**
 * @module
 * The pod status the kubelet reports, computed from what it knows of each container run:
 * container states (waiting/running/terminated with upstream's reasons), lastState,
 * restartCount, ready/started, the phase (upstream's getPhase) and the kubelet's conditions.
 * Pure functions of their inputs, so they are tested without a runtime.
 */
// Upstream: pkg/kubelet/kubelet_pods.go (generateAPIPodStatus, getPhase,
// convertToAPIContainerStatuses), pkg/kubelet/status/generate.go (GeneratePodReadyCondition,
// GenerateContainersReadyCondition, GeneratePodInitializedCondition,
// GeneratePodReadyToStartContainersCondition), status_manager.go (updateLastTransitionTime),
// kuberuntime_container.go (getTerminationMessage, tail of the log for FallbackToLogsOnError).
import type { Container, ContainerState, ContainerStateTerminated, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../api/index.js'

/** One run (attempt) of a container as the kubelet saw it. */
export type ContainerRun = {
  id: string
  attempt: number
  startedAtMs: number
  image: string
  imageID: string
  exit?: { exitCode: number; reason: string; finishedAtMs: number; message?: string }
  /** The run's CRI log (kept after the container is removed, for --previous). */
  logPath?: string
  /** The host file mounted at terminationMessagePath. */
  terminationFile?: string
  /** The image as the spec named it when the run started (a change restarts the container). */
  specImage?: string
}

/** What the kubelet knows of one container of a pod. */
export type ContainerRecord = {
  name: string
  /** The latest run (running or exited). */
  current?: ContainerRun
  /** The run before it: lastState while `current` runs. */
  previous?: ContainerRun
  restartCount: number
  /** A run existed (here or before a kubelet restart): the next start is a restart. */
  everStarted?: boolean
  /** Why the container is not running now (CrashLoopBackOff, ErrImagePull...), when it is not. */
  waiting?: { reason: string; message?: string }
}

/** The probe manager's view: readiness and startup of a running container. */
export type ProbeView = { ready(name: string): boolean; started(name: string): boolean }

export const CONTAINER_ID_PREFIX = 'kubelite://'

/** RFC 3339 at whole seconds, as metav1.Time is serialised. */
export const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')

const isSidecar = (c: Cached<Container>) => c.restartPolicy === 'Always'

function terminated(run: ContainerRun): ContainerStateTerminated {
  const e = run.exit!
  const t: ContainerStateTerminated = {
    exitCode: e.exitCode, reason: e.reason, startedAt: rfc3339(run.startedAtMs), finishedAt: rfc3339(e.finishedAtMs),
    containerID: CONTAINER_ID_PREFIX + run.id,
  }
  if (e.message) t.message = e.message
  return t
}

/** One container's status; `defaultWaiting` is ContainerCreating, or PodInitializing in a pod with init containers. */
export function containerStatus(spec: Cached<Container>, rec: ContainerRecord | undefined, probes: ProbeView, defaultWaiting: string): ContainerStatus {
  const run = rec?.current
  let state: ContainerState
  let last: ContainerRun | undefined
  if (rec?.waiting) {
    state = { waiting: { reason: rec.waiting.reason, ...(rec.waiting.message ? { message: rec.waiting.message } : {}) } }
    last = run?.exit ? run : rec.previous
  } else if (run && !run.exit) {
    state = { running: { startedAt: rfc3339(run.startedAtMs) } }
    last = rec?.previous
  } else if (run?.exit) {
    state = { terminated: terminated(run) }
    last = rec?.previous
  } else {
    state = { waiting: { reason: defaultWaiting } }
  }
  const running = !!state.running
  const shown = run ?? rec?.previous
  const st: ContainerStatus = {
    name: spec.name, state, lastState: last?.exit ? { terminated: terminated(last) } : {},
    ready: running && probes.ready(spec.name), restartCount: rec?.restartCount ?? 0,
    image: shown?.image ?? spec.image ?? '', imageID: shown?.imageID ?? '', started: running && probes.started(spec.name),
  }
  if (shown) st.containerID = CONTAINER_ID_PREFIX + shown.id
  return st
}

/** Upstream's getPhase over the reported statuses; `podIsTerminal` when the kubelet has finished the pod. */
export function podPhase(pod: Cached<Pod>, statuses: { init: ContainerStatus[]; main: ContainerStatus[] }, podIsTerminal: boolean): PodStatus['phase'] {
  const byName = (list: ContainerStatus[], name: string) => list.find((s) => s.name === name)
  let pendingInit = 0
  let failedInit = 0
  let unknown = 0
  let running = 0
  let waiting = 0
  let stopped = 0
  let succeeded = 0
  for (const c of pod.spec?.initContainers ?? []) {
    const s = byName(statuses.init, c.name)
    if (isSidecar(c)) {
      if (!s) { unknown++; continue }
      if (s.state?.running) { if (!s.started) pendingInit++; running++ } else if (s.state?.terminated) { /* not counted */ } else if (s.state?.waiting) {
        if (!s.lastState?.terminated) { pendingInit++; waiting++ }
      } else { pendingInit++; unknown++ }
      continue
    }
    if (!s || s.state?.running) pendingInit++
    else if (s.state?.terminated) { if (s.state.terminated.exitCode !== 0) failedInit++ } else if (s.state?.waiting) {
      if (s.lastState?.terminated) { if (s.lastState.terminated.exitCode !== 0) failedInit++ } else pendingInit++
    } else pendingInit++
  }
  for (const c of pod.spec?.containers ?? []) {
    const s = byName(statuses.main, c.name)
    if (!s) unknown++
    else if (s.state?.running) running++
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++ } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++
      else waiting++
    } else unknown++
  }
  const policy = pod.spec?.restartPolicy ?? 'Always'
  if (failedInit > 0 && policy === 'Never') return 'Failed'
  const anyMainStarted = statuses.main.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated)
  if ((pendingInit > 0 && !anyMainStarted) || waiting > 0) return 'Pending'
  if (running > 0 && unknown === 0) return 'Running'
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed'
    if (policy === 'Always') return 'Running'
    if (stopped === succeeded) return 'Succeeded'
    if (policy === 'Never') return 'Failed'
    return 'Running'
  }
  return 'Pending'
}

export type Cond = { type: string; status: 'True' | 'False'; reason?: string; message?: string }
const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'])
// Go prints a []string with %s as "[a b]".
const goList = (names: string[]) => `[${names.join(' ')}]`

function initializedCondition(pod: Cached<Pod>, init: ContainerStatus[], main: ContainerStatus[], phase: string | undefined): Cond {
  const specs = pod.spec?.initContainers ?? []
  if (specs.length === 0) return { type: 'Initialized', status: 'True' }
  const unknown: string[] = []
  const incomplete: string[] = []
  for (const c of specs) {
    const s = init.find((x) => x.name === c.name)
    if (!s) unknown.push(c.name)
    else if (isSidecar(c)) { if (!s.started) incomplete.push(c.name) } else if (s.state?.terminated?.exitCode !== 0) incomplete.push(c.name)
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' }
  if (main.some((s) => s.state?.running || s.state?.terminated)) return { type: 'Initialized', status: 'True' }
  const parts: string[] = []
  if (unknown.length) parts.push(`containers with unknown status: ${goList(unknown)}`)
  if (incomplete.length) parts.push(`containers with incomplete status: ${goList(incomplete)}`)
  return parts.length ? { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: parts.join(', ') } : { type: 'Initialized', status: 'True' }
}

function containersReadyCondition(pod: Cached<Pod>, init: ContainerStatus[], main: ContainerStatus[], phase: string | undefined): Cond {
  const unknown: string[] = []
  const unready: string[] = []
  const check = (name: string, list: ContainerStatus[]) => {
    const s = list.find((x) => x.name === name)
    if (!s) unknown.push(name)
    else if (!s.ready) unready.push(name)
  }
  for (const c of pod.spec?.initContainers ?? []) if (isSidecar(c)) check(c.name, init)
  for (const c of pod.spec?.containers ?? []) check(c.name, main)
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' }
  const parts: string[] = []
  if (unknown.length) parts.push(`containers with unknown status: ${goList(unknown)}`)
  if (unready.length) parts.push(`containers with unready status: ${goList(unready)}`)
  return parts.length ? { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: parts.join(', ') } : { type: 'ContainersReady', status: 'True' }
}

/** Ready: ContainersReady, held back by readiness gates whose conditions are missing or not True. */
export function readyCondition(pod: Cached<Pod>, cr: Cond): Cond {
  if (cr.status !== 'True') return { ...cr, type: 'Ready' }
  const gates: string[] = []
  for (const g of pod.spec?.readinessGates ?? []) {
    const c = pod.status?.conditions?.find((x) => x.type === g.conditionType)
    if (!c) gates.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`)
    else if (c.status !== 'True') gates.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`)
  }
  return gates.length ? { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: gates.join(', ') } : { type: 'Ready', status: 'True' }
}

/** The pod's conditions: others' kept first, then the kubelet's, with transition times kept while unchanged. */
export function podConditions(pod: Cached<Pod>, init: ContainerStatus[], main: ContainerStatus[], phase: string | undefined,
  sandboxReady: boolean, nowMs: number): PodCondition[] {
  const existing = pod.status?.conditions ?? []
  const cr = containersReadyCondition(pod, init, main, phase)
  const ours: Cond[] = [
    { type: 'PodReadyToStartContainers', status: sandboxReady ? 'True' : 'False' },
    initializedCondition(pod, init, main, phase), readyCondition(pod, cr), cr, { type: 'PodScheduled', status: 'True' },
  ]
  const out: PodCondition[] = existing.filter((c) => !KUBELET_CONDITIONS.has(c.type)).map((c) => ({ ...c }) as PodCondition)
  for (const c of ours) {
    const old = existing.find((x) => x.type === c.type)
    // The scheduler wrote PodScheduled: keep its transition time.
    if (c.type === 'PodScheduled' && old?.status === 'True') { out.push({ ...old } as PodCondition); continue }
    const since = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(nowMs)
    const cond: PodCondition = { type: c.type, status: c.status, lastProbeTime: null as unknown as string, lastTransitionTime: since }
    if (c.reason) cond.reason = c.reason
    if (c.message) cond.message = c.message
    out.push(cond)
  }
  return out
}

export type PodStatusInput = {
  records: Map<string, ContainerRecord>
  probes: ProbeView
  sandbox?: { ip: string }
  hostIP: string
  hostNetwork: boolean
  startTimeMs?: number
  /** The kubelet has finished the pod (no container will run again). */
  terminal: boolean
  /** The kubelet failed the pod itself (DeadlineExceeded): phase Failed with this reason. */
  failure?: { reason: string; message: string }
  nowMs: number
}

/** The whole status the kubelet writes for `pod`. */
export function podStatus(pod: Cached<Pod>, input: PodStatusInput): PodStatus {
  const hasInit = (pod.spec?.initContainers?.length ?? 0) > 0
  const defaultWaiting = hasInit ? 'PodInitializing' : 'ContainerCreating'
  const init = (pod.spec?.initContainers ?? []).map((c) => containerStatus(c, input.records.get(`init/${c.name}`), input.probes, defaultWaiting))
  const main = (pod.spec?.containers ?? []).map((c) => containerStatus(c, input.records.get(c.name), input.probes, defaultWaiting))
  let phase = input.failure ? 'Failed' : podPhase(pod, { init, main }, input.terminal)
  // A terminal phase never changes back (upstream: "Pod attempted illegal phase transition").
  const old = pod.status?.phase
  if ((old === 'Succeeded' || old === 'Failed') && phase !== old) phase = old
  const st: PodStatus = {
    phase, conditions: podConditions(pod, init, main, phase, !!input.sandbox && !input.terminal, input.nowMs),
    hostIP: input.hostIP, hostIPs: [{ ip: input.hostIP }],
    startTime: pod.status?.startTime ?? (input.startTimeMs !== undefined ? rfc3339(input.startTimeMs) : undefined),
    containerStatuses: main,
  }
  if (input.failure) { st.reason = input.failure.reason; st.message = input.failure.message } else if (phase === old) {
    // The reason and message that came with the phase stay with it (upstream generateAPIPodStatus).
    if (pod.status?.reason) st.reason = pod.status.reason
    if (pod.status?.message) st.message = pod.status.message
  }
  if (hasInit) st.initContainerStatuses = init
  const podIP = input.hostNetwork ? input.hostIP : input.sandbox?.ip ?? pod.status?.podIP
  if (podIP) { st.podIP = podIP; st.podIPs = [{ ip: podIP }] }
  if (pod.status?.qosClass) st.qosClass = pod.status.qosClass
  if (!st.startTime) delete st.startTime
  return st
}

const MAX_MESSAGE_BYTES = 4096
const FALLBACK_LOG_LINES = 80
const FALLBACK_LOG_BYTES = 2048

/** The last `FALLBACK_LOG_LINES` lines (at most 2048 bytes) of a CRI-format log, as text. */
export function logTail(criLog: string): string {
  const lines: string[] = []
  let partial = ''
  for (const line of criLog.split('\n')) {
    const m = /^\S+ (?:stdout|stderr) ([FP]) (.*)$/.exec(line)
    if (!m) continue
    if (m[1] === 'P') { partial += m[2]; continue }
    lines.push(partial + m[2])
    partial = ''
  }
  if (partial) lines.push(partial)
  let text = lines.slice(-FALLBACK_LOG_LINES).map((l) => `${l}\n`).join('')
  const buf = Buffer.from(text)
  if (buf.length > FALLBACK_LOG_BYTES) text = buf.subarray(buf.length - FALLBACK_LOG_BYTES).toString()
  return text
}

/** state.terminated.message: the termination-log file, or the log's tail on error with FallbackToLogsOnError. */
export function terminationMessage(c: Cached<Container>, fileText: string, exitCode: number, readLog: () => string): string {
  let msg = Buffer.from(fileText).subarray(0, MAX_MESSAGE_BYTES).toString()
  if (!msg && exitCode !== 0 && c.terminationMessagePolicy === 'FallbackToLogsOnError') msg = logTail(readLog())
  return msg
}

/** The reason upstream's runtime gives an exit: OOMKilled, Completed or Error. */
export const exitReason = (exitCode: number, oomKilled: boolean) => (oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error')

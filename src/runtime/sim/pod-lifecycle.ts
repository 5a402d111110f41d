/**
 * @module
 * What the sim's kubelet does next with one pod bound to its node, as a pure function of the
 * pod, the time and a few node facts: start it (Running with IPs, conditions and container
 * statuses), replay its containers' exits and restarts, finish it (Succeeded or Failed), or
 * finalize its deletion. The caller writes the result and asks again when `atMs` comes.
 */
// Upstream: pkg/kubelet/kubelet_pods.go (generateAPIPodStatus, getPhase),
// pkg/kubelet/status/status_manager.go (terminal status before deletion, then delete with
// grace period 0 and a UID precondition). Deliberate difference: like kwok's "fast" stages,
// a pod goes from Pending straight to Running in one write, with no ContainerCreating step.
import type { ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js'
import { semanticEqual, type Cached } from '../../api/index.js'
import { ANNOTATIONS, durationAnnotation, exitCodeOf, readyOf } from './annotations.js'
import { advance, completedInitStatus, runningStatus, stoppedStatus, type Behaviour } from './containers.js'
import { rfc3339 } from './node-object.js'
import { podConditions } from './pod-conditions.js'

export type PodFacts = {
  nowMs: number
  hostIP: string
  /** The pod's IP from the node's range (allocated on first call); undefined when the range is full. */
  podIP: () => string | undefined
  /** When the containers start (arrival on the node plus the start delay). */
  startAtMs: number
  /** When a pod being deleted is finalized (its deletion seen plus any termination delay). */
  deleteAtMs: number
  /** How long containers of Job pods run when the pod does not say. */
  jobPodDurationMs?: number
}

export type PodPlan =
  | { action: 'none'; atMs?: number }
  | { action: 'status'; status: PodStatus; atMs?: number }
  | { action: 'delete' }

const isTerminal = (phase: string | undefined) => phase === 'Succeeded' || phase === 'Failed'

/** How the pod's containers behave: its annotations, its owner and its restart policy. */
export function behaviourOf(pod: Cached<Pod>, jobPodDurationMs?: number): Behaviour {
  const exitCode = exitCodeOf(pod)
  const isJobPod = pod.metadata?.ownerReferences?.some((r) => r.kind === 'Job' && r.controller) ?? false
  // A failing container without a run duration fails as soon as it starts.
  const runMs = durationAnnotation(pod, ANNOTATIONS.runDuration) ?? (isJobPod ? jobPodDurationMs : undefined) ??
    (exitCode !== 0 ? 0 : undefined)
  return { runMs, exitCode, ready: readyOf(pod), restartPolicy: (pod.spec?.restartPolicy ?? 'Always') as Behaviour['restartPolicy'] }
}

const restartable = (c: { restartPolicy?: string }) => c.restartPolicy === 'Always'

/** The phase of a started pod (upstream's getPhase, for containers that never wait to be created). */
function phaseOf(statuses: ContainerStatus[], podIsTerminal: boolean): PodStatus['phase'] {
  const restarting = statuses.some((s) => s.state?.running || s.state?.waiting)
  if (restarting && !podIsTerminal) return 'Running'
  return statuses.every((s) => (s.state?.terminated?.exitCode ?? 0) === 0) ? 'Succeeded' : 'Failed'
}

/** Decides the next step for `pod` on a running sim node. */
export function planPod(pod: Cached<Pod>, facts: PodFacts): PodPlan {
  const { nowMs } = facts
  const st = pod.status ?? {}
  const started = (st.containerStatuses?.length ?? 0) > 0
  if (pod.metadata?.deletionTimestamp) {
    if (nowMs < facts.deleteAtMs) return { action: 'none', atMs: facts.deleteAtMs }
    if (!started || isTerminal(st.phase)) return { action: 'delete' }
    // Stop the containers and report the terminal phase first; the next step deletes.
    const containerStatuses = (st.containerStatuses ?? []).map((s) => stoppedStatus(s as ContainerStatus, nowMs))
    const initContainerStatuses = st.initContainerStatuses?.map((s) => stoppedStatus(s as ContainerStatus, nowMs))
    return { action: 'status', status: withConditions(pod, { ...baseStatus(st), containerStatuses, initContainerStatuses, phase: phaseOf(containerStatuses, true) }, nowMs) }
  }
  if (isTerminal(st.phase)) return { action: 'none' }

  const behaviour = behaviourOf(pod, facts.jobPodDurationMs)
  const ctx = { podUid: pod.metadata?.uid ?? '', podRef: `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`, behaviour }
  const containers = pod.spec?.containers ?? []
  let current: ContainerStatus[]
  let status: PodStatus
  if (!started) {
    if (nowMs < facts.startAtMs) return { action: 'none', atMs: facts.startAtMs }
    const ip = pod.spec?.hostNetwork ? facts.hostIP : facts.podIP()
    // A full range is a transient condition here (pods finish and free addresses): try again.
    if (!ip) return { action: 'none', atMs: nowMs + 10_000 }
    current = containers.map((c) => runningStatus(c, ctx, nowMs))
    status = {
      ...baseStatus(st),
      hostIP: facts.hostIP, hostIPs: [{ ip: facts.hostIP }], podIP: ip, podIPs: [{ ip }], startTime: rfc3339(nowMs),
      initContainerStatuses: pod.spec?.initContainers?.map((c) => restartable(c)
        ? runningStatus(c, { ...ctx, behaviour: { ...behaviour, ready: true } }, nowMs)
        : completedInitStatus(c, ctx, nowMs)),
    }
  } else {
    current = containers.map((c) => (st.containerStatuses?.find((s) => s.name === c.name) ?? runningStatus(c, ctx, nowMs)) as ContainerStatus)
    status = { ...baseStatus(st), initContainerStatuses: st.initContainerStatuses as ContainerStatus[] | undefined }
  }

  let atMs: number | undefined
  const containerStatuses = containers.map((c, i) => {
    const r = advance(c, current[i]!, ctx, nowMs)
    if (r.nextMs !== undefined) atMs = atMs === undefined ? r.nextMs : Math.min(atMs, r.nextMs)
    return r.status
  })
  const phase = phaseOf(containerStatuses, false)
  if (isTerminal(phase)) {
    // Sidecars are stopped once the main containers are done.
    status.initContainerStatuses = status.initContainerStatuses?.map((s) => stoppedStatus(s, nowMs))
    atMs = undefined
  }
  const next = withConditions(pod, { ...status, containerStatuses, phase }, nowMs)
  if (started && sameStatus(st as PodStatus, next)) return { action: 'none', atMs }
  return { action: 'status', status: next, atMs }
}

/** The fields of the current status the kubelet leaves as they are. */
const baseStatus = (st: Cached<PodStatus>): PodStatus => {
  const { hostIP, hostIPs, podIP, podIPs, startTime } = st
  return structuredClone({ hostIP, hostIPs, podIP, podIPs, startTime }) as PodStatus
}

function withConditions(pod: Cached<Pod>, status: PodStatus, nowMs: number): PodStatus {
  return { ...status, conditions: podConditions(pod, status, nowMs) }
}

const KEYS = ['phase', 'conditions', 'containerStatuses', 'initContainerStatuses', 'hostIP', 'podIP', 'startTime'] as const
const sameStatus = (a: PodStatus, b: PodStatus) => KEYS.every((k) => semanticEqual(a[k], b[k]))

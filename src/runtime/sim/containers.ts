/**
 * @module
 * A simulated container's life, read from and written back to its ContainerStatus: it runs
 * for the pod's run duration (forever without one), exits with the pod's exit code, and is
 * restarted per the pod's restartPolicy with the kubelet's crash-loop back-off. Every step is
 * computed from the status and the time, so the sim keeps no per-container state of its own.
 */
// Upstream: pkg/kubelet/kuberuntime/kuberuntime_container.go (container statuses),
// pkg/kubelet/kubelet.go (crash-loop back-off: 10s doubling to 5m), pkg/kubelet/pod_workers.go.
import { createHash } from 'node:crypto'
import type { Container, ContainerStatus } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { rfc3339 } from './node-object.js'

const BACKOFF_INITIAL_MS = 10_000
const BACKOFF_MAX_MS = 300_000
// Crash loops are replayed step by step; this bounds the replay after a long pause.
const MAX_STEPS = 64

/** How the pod's containers behave (from its annotations and owner). */
export type Behaviour = {
  /** How long each run lasts; undefined runs forever. */
  runMs: number | undefined
  exitCode: number
  ready: boolean
  restartPolicy: 'Always' | 'OnFailure' | 'Never'
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

/** The reference containerd reports for `image`: "nginx" → "docker.io/library/nginx:latest". */
export function normalizeImage(image: string): string {
  const slash = image.indexOf('/')
  const first = slash < 0 ? '' : image.slice(0, slash)
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost'
  let ref = hasRegistry ? image : `docker.io/${slash < 0 ? `library/${image}` : image}`
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1)
  if (!ref.includes('@') && !lastPart.includes(':')) ref += ':latest'
  return ref
}

/** The image's digest reference, as the runtime reports imageID. */
export function imageID(image: string): string {
  const ref = normalizeImage(image)
  if (ref.includes('@')) return ref
  const repo = ref.slice(0, ref.lastIndexOf(':'))
  return `${repo}@sha256:${sha256(ref)}`
}

/** A container instance's id: a new one for every restart. */
export const containerID = (podUid: string, name: string, restartCount: number) =>
  `sim://${sha256(`${podUid}/${name}/${restartCount}`)}`

/** Back-off before restart number `restartCount` (1 → 10s, 2 → 20s ... up to 5m). */
export const backoffMs = (restartCount: number) =>
  Math.min(BACKOFF_INITIAL_MS * 2 ** Math.max(0, restartCount - 1), BACKOFF_MAX_MS)

const ms = (t: string | undefined) => (t ? Date.parse(t) : NaN)

type Ctx = { podUid: string; podRef: string; behaviour: Behaviour }

/** A container that has just started running at `atMs`. */
export function runningStatus(c: Cached<Container>, ctx: Ctx, atMs: number, restartCount = 0,
  lastState: ContainerStatus['lastState'] = {}): ContainerStatus {
  const id = containerID(ctx.podUid, c.name, restartCount)
  return {
    name: c.name, state: { running: { startedAt: rfc3339(atMs) } }, lastState,
    ready: ctx.behaviour.ready, restartCount, image: normalizeImage(c.image ?? ''), imageID: imageID(c.image ?? ''),
    containerID: id, started: true,
  }
}

/** The container after it exited at `atMs` with its exit code, restarted or not per policy. */
function exited(s: ContainerStatus, ctx: Ctx, atMs: number): ContainerStatus {
  const { exitCode, restartPolicy } = ctx.behaviour
  const terminated = {
    containerID: s.containerID, exitCode, reason: exitCode === 0 ? 'Completed' : 'Error',
    startedAt: s.state?.running?.startedAt ?? rfc3339(atMs), finishedAt: rfc3339(atMs),
  }
  const restart = restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && exitCode !== 0)
  if (!restart) return { ...s, state: { terminated }, ready: false, started: false }
  const restartCount = (s.restartCount ?? 0) + 1
  const message = `back-off ${backoffMs(restartCount) / 1000}s restarting failed container=${s.name} pod=${ctx.podRef}`
  return {
    ...s, state: { waiting: { reason: 'CrashLoopBackOff', message } }, lastState: { terminated },
    ready: false, started: false, restartCount,
  }
}

/**
 * The container's status at `nowMs`, replaying every exit and restart due since its last
 * status, and when it next changes (undefined: never, by itself).
 */
export function advance(c: Cached<Container>, current: ContainerStatus, ctx: Ctx, nowMs: number):
  { status: ContainerStatus; nextMs: number | undefined } {
  let s = current
  for (let i = 0; i < MAX_STEPS; i++) {
    const { runMs } = ctx.behaviour
    const running = s.state?.running
    if (running) {
      // sim.kubelite.io/ready may change while the container runs: readiness follows it.
      if (s.ready !== ctx.behaviour.ready) s = { ...s, ready: ctx.behaviour.ready }
      if (runMs === undefined) return { status: s, nextMs: undefined }
      // Second-resolution timestamps: a run can only be measured from the whole second it started.
      const endMs = ms(running.startedAt) + runMs
      if (endMs > nowMs) return { status: s, nextMs: endMs }
      s = exited(s, ctx, endMs)
    } else if (s.state?.waiting?.reason === 'CrashLoopBackOff') {
      const resumeMs = ms(s.lastState?.terminated?.finishedAt) + backoffMs(s.restartCount ?? 1)
      if (!(resumeMs <= nowMs)) return { status: s, nextMs: Number.isFinite(resumeMs) ? resumeMs : undefined }
      s = runningStatus(c, ctx, resumeMs, s.restartCount ?? 0, s.lastState)
    } else if (!s.state?.terminated) {
      // Waiting for any other reason (ContainerCreating written by someone else): it starts now.
      s = runningStatus(c, ctx, nowMs, s.restartCount ?? 0, s.lastState)
    } else {
      return { status: s, nextMs: undefined }
    }
  }
  return { status: s, nextMs: nowMs + BACKOFF_INITIAL_MS }
}

/** A regular init container that ran to completion at `atMs`. */
export function completedInitStatus(c: Cached<Container>, ctx: Ctx, atMs: number): ContainerStatus {
  const id = containerID(ctx.podUid, c.name, 0)
  const at = rfc3339(atMs)
  return {
    name: c.name, state: { terminated: { containerID: id, exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } },
    lastState: {}, ready: true, restartCount: 0, image: normalizeImage(c.image ?? ''), imageID: imageID(c.image ?? ''),
    containerID: id, started: false,
  }
}

/** A container stopped at `atMs` because its pod is being torn down (exits cleanly). */
export function stoppedStatus(s: ContainerStatus, atMs: number): ContainerStatus {
  if (s.state?.terminated) return s
  const last = s.lastState?.terminated
  const terminated = s.state?.running
    ? { containerID: s.containerID, exitCode: 0, reason: 'Completed', startedAt: s.state.running.startedAt, finishedAt: rfc3339(atMs) }
    : last ? { ...last } : { exitCode: 0, reason: 'Completed', finishedAt: rfc3339(atMs) }
  return { ...s, state: { terminated }, ready: false, started: false }
}

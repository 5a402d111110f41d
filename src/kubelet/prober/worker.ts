/**
 * @module
 * A probe worker: probes one container with one of its probes every period and turns the
 * attempts into a result through the success and failure thresholds.
 */
import type { Probe } from 'kubernetes-types/core/v1.js'
import type { ProbeKind, ProbeTarget } from '../types.js'
import { containerFieldPath, type ProbeOutcome } from './outcome.js'
import { probeOnce } from './probe.js'

/** The results manager's value: undefined is "unknown" (a startup probe that has not decided). */
export type ProbeValue = 'success' | 'failure' | undefined

/** The container as the manager knows it, shared by its workers. */
export type ContainerEntry = {
  podUid: string
  target: ProbeTarget
  containerId: string
  startedAt: Date
  workers: Map<ProbeKind, Worker>
}

/** What a worker needs from its manager. */
export type WorkerContext = {
  secondMs: number
  now(): number
  random(): number
  /** When the manager started: workers created within a period of it jitter their first probe. */
  managerStartMs: number
  started(entry: ContainerEntry): boolean
  /** A result of `worker` changed to `value`. */
  changed(entry: ContainerEntry, kind: ProbeKind, value: ProbeValue): void
  event(entry: ContainerEntry, reason: 'Unhealthy' | 'ProbeWarning', message: string, fieldPath: string): void
}

export type Worker = {
  readonly kind: ProbeKind
  /** The current result (the value ready() and started() read). */
  readonly value: ProbeValue
  /** A new container replaced the old one: start over from the initial value. */
  reset(): void
  /** Probe now instead of at the next tick. */
  trigger(): void
  stop(): void
}

// Upstream: pkg/kubelet/prober/prober.go (maxProbeRetries): an attempt that errors is retried.
const MAX_PROBE_RETRIES = 3
const initialValue: Record<ProbeKind, ProbeValue> = { readiness: 'failure', liveness: 'success', startup: undefined }
const title: Record<ProbeKind, string> = { readiness: 'Readiness', liveness: 'Liveness', startup: 'Startup' }

// Upstream: pkg/kubelet/prober/worker.go (run, doProbe). Differences: the kubelet pushes the
// container (add/remove) instead of the worker polling the status manager, and
// terminationGracePeriodSeconds on probes is ignored (a liveness kill uses the pod's own).
/** Starts a worker for `kind` of `entry`'s container. */
export function startWorker(ctx: WorkerContext, entry: ContainerEntry, kind: ProbeKind, probe: Probe): Worker {
  const periodMs = (probe.periodSeconds || 10) * ctx.secondMs
  const timeoutMs = (probe.timeoutSeconds || 1) * ctx.secondMs
  const successThreshold = probe.successThreshold || 1
  const failureThreshold = probe.failureThreshold || 3
  const initialDelaySeconds = probe.initialDelaySeconds ?? 0

  let value: ProbeValue = initialValue[kind]
  let lastResult: ProbeValue
  let resultRun = 0
  let onHold = false
  let stopped = false
  let inFlight = false
  let triggered = false
  let timer: NodeJS.Timeout | undefined

  const set = (v: ProbeValue) => {
    if (v === value) return
    value = v
    ctx.changed(entry, kind, v)
  }

  async function doProbe(): Promise<void> {
    if (onHold) return // after a liveness/startup failure, until a new container arrives
    const { target, containerId } = entry
    // Graceful deletion: liveness and startup stop quietly so they do not kill a pod on its way out.
    if (target.pod.metadata?.deletionTimestamp && kind !== 'readiness') {
      set('success')
      stop()
      return
    }
    if (Math.trunc((ctx.now() - entry.startedAt.getTime()) / ctx.secondMs) < initialDelaySeconds) return
    // The startup probe gates the others; once started it rests (a restart resets it).
    if (ctx.started(entry) !== (kind !== 'startup')) return

    let outcome: ProbeOutcome = { result: 'unknown', output: '' }
    for (let i = 0; i < MAX_PROBE_RETRIES; i++) {
      outcome = await probeOnce(probe, target, timeoutMs)
      if (outcome.error === undefined) break
    }
    if (stopped || entry.containerId !== containerId) return // answered for a container now gone

    const fieldPath = containerFieldPath(target.pod, target.container.name)
    if (outcome.error !== undefined) {
      ctx.event(entry, 'Unhealthy', `${title[kind]} probe errored and resulted in unknown state: ${outcome.error}`, fieldPath)
      return // upstream throws an errored result away
    }
    let result: 'success' | 'failure'
    if (outcome.result === 'success') result = 'success'
    else if (outcome.result === 'warning') {
      ctx.event(entry, 'ProbeWarning', `${title[kind]} probe warning: ${outcome.output}`, fieldPath)
      result = 'success'
    } else {
      if (outcome.result === 'failure') ctx.event(entry, 'Unhealthy', `${title[kind]} probe failed: ${outcome.output}`, fieldPath)
      result = 'failure'
    }

    if (lastResult === result) resultRun++
    else {
      lastResult = result
      resultRun = 1
    }
    const threshold = result === 'failure' ? failureThreshold : successThreshold
    if (resultRun < threshold) return // not enough in a row: the result stays as it was
    if (kind !== 'readiness' && result === 'failure') {
      // The container will be restarted; probing a dying container only produces noise.
      onHold = true
      resultRun = 0
    }
    set(result)
  }

  function schedule(delayMs: number) {
    clearTimeout(timer)
    if (!stopped) timer = setTimeout(tick, delayMs)
  }

  async function tick() {
    if (stopped) return
    if (inFlight) {
      triggered = true
      return
    }
    inFlight = true
    const startMs = Date.now()
    try {
      await doProbe()
    } finally {
      inFlight = false
    }
    if (triggered) {
      triggered = false
      schedule(0)
    } else schedule(Math.max(0, periodMs - (Date.now() - startMs)))
  }

  function stop() {
    stopped = true
    clearTimeout(timer)
  }

  // Upstream: a kubelet that just started spreads its workers' first probes over a period.
  schedule(periodMs > ctx.now() - ctx.managerStartMs ? Math.floor(ctx.random() * periodMs) : 0)

  return {
    kind,
    get value() { return value },
    reset() {
      value = initialValue[kind]
      lastResult = undefined
      resultRun = 0
      onHold = false
    },
    trigger() {
      if (inFlight) triggered = true
      else schedule(0)
    },
    stop,
  }
}

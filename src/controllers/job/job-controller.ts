/**
 * @module
 * The Job controller: runs a Job's pods to completion. It creates pods up to the parallelism
 * while completions remain, counts finished pods exactly once (tracking finalizers), replaces
 * failed ones after a growing backoff (per index, with backoffLimitPerIndex), and ends the Job
 * Complete (completions, success policy) or Failed (backoff limit, failed indexes, active
 * deadline, pod failure policy), or holds it Suspended.
 */
// Upstream: pkg/controller/job/job_controller.go (NewController's event handlers, syncJob,
// syncOrphanPod, getPodsForJob). Adoption of orphan pods that match the selector (ClaimPods)
// is left out: only pods whose controller reference names the Job are its pods.
import type { Job } from 'kubernetes-types/batch/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { keyOf, type Cached } from '../../api/index.js'
import type { Controller, ControllerContext, Informer, InformerEvent } from '../../client/types.js'
import { DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS, newBackoffStore } from './backoff.js'
import { isJobFinished, managedElsewhere } from './conditions.js'
import { newExpectations } from '../../client/index.js'
import { newFinalizerExpectations } from './expectations.js'
import { hasTrackingFinalizer, removeTrackingFinalizer } from './pod-control.js'
import { syncJob } from './sync-job.js'
import type { JobDeps } from './types.js'

export type JobControllerOptions = {
  /** The first pod-recreation delay after a failure (upstream: 10 s), doubled per further failure. */
  podFailureBackoffMs?: number
  /** The cap on that delay (upstream: 10 min). */
  maxPodFailureBackoffMs?: number
}

/** Queue keys for orphaned pods whose tracking finalizer must go carry this prefix; Job keys are plain. */
const ORPHAN_POD = 'pod:'

/** Pods by the UID of the Job that controls them: a sync must not scan every pod of the namespace. */
const BY_JOB = 'job-controller/job-uid'

/** The Job controller (kube-controller-manager's "job" loop). */
export function jobController(ctx: ControllerContext, opts: JobControllerOptions = {}): Controller {
  const jobs = ctx.informers.of<Job>('batch/v1', 'Job')
  const pods = ctx.informers.of<Pod>('v1', 'Pod')
  pods.addIndex(BY_JOB, (p) => {
    const ref = p.metadata?.ownerReferences?.find((r) => r.controller === true)
    return ref?.kind === 'Job' && ref.uid ? [ref.uid] : []
  })
  const deps: JobDeps = {
    client: ctx.client,
    recorder: ctx.recorder('job-controller'),
    now: ctx.now,
    expectations: newExpectations(ctx.now),
    finalizerExpectations: newFinalizerExpectations(),
    backoff: newBackoffStore(),
    backoffBaseMs: opts.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS,
    backoffMaxMs: opts.maxPodFailureBackoffMs ?? MAX_POD_FAILURE_BACKOFF_MS,
  }

  const jobOf = (pod: Cached<Pod>): Cached<Job> | undefined => resolveJob(jobs, pod)

  function onPod(ev: InformerEvent<Pod>): string[] {
    const pod = ev.obj
    const keys: string[] = []
    const job = jobOf(pod)
    const orphan = () => (hasTrackingFinalizer(pod) ? [ORPHAN_POD + keyOf(pod)] : [])
    if (ev.type === 'update') {
      const oldJob = jobOf(ev.old)
      if (oldJob && oldJob.metadata?.uid !== job?.metadata?.uid) keys.push(keyOf(oldJob))
    }
    if (!job) return [...keys, ...orphan()]
    const key = keyOf(job)
    const gone = ev.type === 'delete'
    if (gone || pod.metadata?.deletionTimestamp) {
      // A finished Job's sync no longer removes finalizers: the orphan path must.
      if (isJobFinished(job)) return [...keys, ...orphan()]
      // Upstream observes a deletion both at the deletionTimestamp and at the final delete.
      deps.expectations.deletionObserved(key)
      if (gone || !hasTrackingFinalizer(pod)) deps.finalizerExpectations.observed(key, pod.metadata!.uid!)
    } else if (ev.type === 'add') {
      deps.expectations.creationObserved(key)
    } else if (!hasTrackingFinalizer(pod)) {
      deps.finalizerExpectations.observed(key, pod.metadata!.uid!)
    }
    return [...keys, key]
  }

  function onJob(ev: InformerEvent<Job>): string[] {
    const keys: string[] = [keyOf(ev.obj)]
    // A deleted or finished Job leaves pods whose finalizers only the orphan path removes.
    if (ev.type === 'delete' || isJobFinished(ev.obj)) {
      for (const p of pods.byIndex(BY_JOB, ev.obj.metadata?.uid ?? '')) {
        if (hasTrackingFinalizer(p)) keys.push(ORPHAN_POD + keyOf(p))
      }
    }
    return keys
  }

  async function syncOrphanPod(key: string, signal: AbortSignal): Promise<void> {
    const pod = pods.get(key)
    if (!pod) return
    const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true)
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return // not ours to touch
      const job = jobOf(pod)
      if (job && managedElsewhere(job)) return
      if (job && !isJobFinished(job)) return // the Job's own sync counts it
    }
    await removeTrackingFinalizer(deps, pod, signal)
  }

  return {
    name: 'job',
    triggers: [jobs.on(onJob), pods.on(onPod)],
    async sync(key, signal) {
      if (key.startsWith(ORPHAN_POD)) return syncOrphanPod(key.slice(ORPHAN_POD.length), signal)
      const job = jobs.get(key)
      if (!job) {
        deps.expectations.delete(key)
        deps.finalizerExpectations.delete(key)
        deps.backoff.remove(key)
        return
      }
      const satisfied = deps.expectations.satisfied(key)
      const owned = pods.byIndex(BY_JOB, job.metadata?.uid ?? '').filter((p) => p.metadata?.namespace === job.metadata?.namespace)
      return syncJob(deps, key, job, owned, satisfied, signal)
    },
  }
}

function resolveJob(jobs: Informer<Job>, pod: Cached<Pod>): Cached<Job> | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true)
  if (!ref || ref.kind !== 'Job') return undefined
  const job = jobs.get(`${pod.metadata?.namespace}/${ref.name}`)
  return job?.metadata?.uid === ref.uid ? job : undefined
}

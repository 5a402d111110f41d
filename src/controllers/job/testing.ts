/**
 * @module
 * Test fixtures for the Job controller: a Job as the API server stores it (defaults and the
 * generated selector applied), and a fake cluster around it with a kubelet stand-in that
 * finishes pods.
 */
import type { Job } from 'kubernetes-types/batch/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { copy, type Cached, type KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { rfc3339 } from '../util/index.js'
import { COMPLETION_INDEX } from './indexes.js'
import { jobController, type JobControllerOptions } from './job-controller.js'

export const NS = 'default'

/** A Job `name` in `default`, defaulted as the API server would store it. */
export function newJob(name: string, spec: Partial<Job['spec']> = {}): Job {
  const uid = `uid-${name}`
  const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name }
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: NS, uid, resourceVersion: '1', generation: 1, labels },
    spec: {
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed', manualSelector: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
      ...spec,
    },
    status: {},
  }
}

/** The completion index a pod carries (as a string, as in its annotation). */
export const indexOf = (p: Cached<Pod>) => p.metadata?.annotations?.[COMPLETION_INDEX]

/** A fake cluster around one Job: triggers subscribed (so expectations see the fake's writes). */
export function harness(job: Job, opts: JobControllerOptions = {}) {
  const f = fakeContext([job as KubeObject])
  const c = jobController(f.ctx, opts)
  const queued: string[] = []
  for (const t of c.triggers) t.subscribe((k) => queued.push(k))
  const key = `${NS}/${job.metadata!.name}`
  const h = {
    ...f, c, queued, key,
    sync: (k = key) => c.sync(k, AbortSignal.timeout(5000)),
    job: () => f.informers.of<Job>('batch/v1', 'Job').get(key)!,
    pods: () => f.informers.of<Pod>('v1', 'Pod').list(NS),
    active: () => h.pods().filter((p) => !p.status?.phase || p.status.phase === 'Pending' || p.status.phase === 'Running'),
    /** The running pod of an index. */
    activeAt: (ix: number) => h.active().find((p) => indexOf(p) === String(ix)),
    /** What the kubelet would write when the pod's container exits. */
    finish(pod: Cached<Pod>, phase: 'Succeeded' | 'Failed', exitCode = phase === 'Succeeded' ? 0 : 1) {
      const finishedAt = rfc3339(f.clock.ms)
      const status = { phase, containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, finishedAt } } }] }
      f.informers.set({ ...copy(pod), status } as KubeObject)
    },
    updateJob(spec: Partial<Job['spec']>) {
      const j = copy(h.job()) as Job
      j.spec = { ...j.spec!, ...spec }
      f.informers.set(j as KubeObject)
    },
    conditions: () => (h.job().status?.conditions ?? []).map((c) => `${c.type}=${c.status}:${c.reason}`),
  }
  return h
}

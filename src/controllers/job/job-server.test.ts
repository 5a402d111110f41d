// The Job controller against a real API server (memory storage, in-process transport): the
// server's defaults, strategic merge patches on finalizers and graceful deletion, which the
// fakes only imitate. Pods are finished by hand, as a kubelet would report them.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Job } from 'kubernetes-types/batch/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { startControllersOnTestServer, until } from '../../client/index.js'
import { jobController } from './job-controller.js'

const POD = { apiVersion: 'v1', kind: 'Pod' }
const JOB = { apiVersion: 'batch/v1', kind: 'Job' }

describe('job controller on a real API server', () => {
  let t: Awaited<ReturnType<typeof startControllersOnTestServer>>
  before(async () => {
    // No pod-failure backoff: retries happen at once, so failing pods cost no waiting.
    t = await startControllersOnTestServer((ctx) => jobController(ctx, { podFailureBackoffMs: 0 }))
  })
  after(() => t.close())

  it('runs a Job to Complete, counting through the tracking finalizer', async () => {
    await t.client.create<Job>({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'real', namespace: 'default' },
      spec: { completions: 2, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    } as never)
    const listPods = async () => (await t.client.list<Pod>(POD, { namespace: 'default', labelSelector: 'job-name=real' })).items
    const pods = await until('two pods', async () => { const p = await listPods(); return p.length === 2 ? p : undefined })
    assert.ok(pods.every((p) => p.metadata?.finalizers?.includes('batch.kubernetes.io/job-tracking')))
    for (const p of pods) {
      await t.client.updateStatus({ ...p, ...POD, status: { phase: 'Succeeded', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: new Date().toISOString() }] } })
    }
    const job = await until('Complete', async () => {
      const j = await t.client.get<Job>(JOB, 'real', 'default')
      return j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined
    })
    assert.equal(job.status?.succeeded, 2)
    assert.deepEqual(job.status?.uncountedTerminatedPods, {})
    assert.ok((await listPods()).every((p) => !p.metadata?.finalizers?.length), 'finalizers removed')
  })

  it('an Indexed Job with backoffLimitPerIndex 1 whose index 1 always fails ends Failed with FailedIndexes', async () => {
    await t.client.create<Job>({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'per-index', namespace: 'default' },
      spec: {
        completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 1,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
      },
    } as never)
    const listPods = async () => (await t.client.list<Pod>(POD, { namespace: 'default', labelSelector: 'job-name=per-index' })).items
    const index = (p: Pod) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index']
    // The kubelet stand-in: whenever a pod is new, index 1 fails and the others succeed.
    const job = await until('Failed', async () => {
      for (const p of await listPods()) {
        if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' || p.metadata?.deletionTimestamp) continue
        const phase = index(p) === '1' ? 'Failed' : 'Succeeded'
        await t.client.updateStatus({ ...p, ...POD, status: { phase, conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: new Date().toISOString() }] } })
      }
      const j = await t.client.get<Job>(JOB, 'per-index', 'default')
      return j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') ? j : undefined
    }, 10_000)
    const failed = job.status?.conditions?.find((c) => c.type === 'Failed')
    assert.equal(failed?.reason, 'FailedIndexes')
    assert.equal(failed?.message, 'Job has failed indexes')
    assert.equal(job.status?.failedIndexes, '1')
    assert.equal(job.status?.completedIndexes, '0,2')
    assert.equal(job.status?.succeeded, 2)
    assert.equal(job.status?.failed, 2, 'index 1 ran twice: once, then once more within its limit')
    const pods = await listPods()
    assert.deepEqual(pods.filter((p) => index(p) === '1').map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-index-failure-count']).sort(), ['0', '1'])
    assert.ok(pods.every((p) => !p.metadata?.finalizers?.includes('batch.kubernetes.io/job-tracking')), 'finalizers removed')
  })

  it('suspending deletes the running pods, which do not linger on the finalizer', async () => {
    await t.client.create<Job>({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pause', namespace: 'default' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    } as never)
    await until('a pod', async () => ((await t.client.list<Pod>(POD, { namespace: 'default', labelSelector: 'job-name=pause' })).items.length ? true : undefined))
    await t.client.patch(JOB, 'pause', 'default', { spec: { suspend: true } }, { type: 'merge' })
    const job = await until('Suspended', async () => {
      const j = await t.client.get<Job>(JOB, 'pause', 'default')
      return j.status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True') ? j : undefined
    })
    assert.equal(job.status?.active ?? 0, 0)
    const left = (await t.client.list<Pod>(POD, { namespace: 'default', labelSelector: 'job-name=pause' })).items
    assert.ok(left.every((p) => !p.metadata?.finalizers?.includes('batch.kubernetes.io/job-tracking')))
  })
})

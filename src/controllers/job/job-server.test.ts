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
    t = await startControllersOnTestServer((ctx) => jobController(ctx))
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

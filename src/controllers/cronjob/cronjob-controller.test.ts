import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js'
import { copy, type KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { rfc3339 } from '../util/index.js'
import { cronJobController } from './cronjob-controller.js'

const NS = 'default'
const T0 = Date.parse('2026-01-01T00:00:00Z')
const minutes = (iso: string) => Date.parse(iso) / 60_000

function newCronJob(spec: Partial<CronJob['spec']> = {}): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name: 'hello', namespace: NS, uid: 'uid-hello', resourceVersion: '1', creationTimestamp: rfc3339(T0) },
    spec: {
      schedule: '*/5 * * * *', timeZone: 'UTC', concurrencyPolicy: 'Allow', suspend: false,
      successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'hello' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
    status: {},
  }
}

function harness(cj: CronJob, extra: KubeObject[] = []) {
  const f = fakeContext([cj as KubeObject, ...extra])
  f.clock.ms = T0
  const c = cronJobController(f.ctx)
  const h = {
    ...f, c,
    sync: () => c.sync(`${NS}/hello`, AbortSignal.timeout(5000)),
    cj: () => f.informers.of<CronJob>('batch/v1', 'CronJob').get(`${NS}/hello`)!,
    jobs: () => f.informers.of<Job>('batch/v1', 'Job').list(NS).map((j) => j.metadata!.name!).sort(),
    job: (name: string) => f.informers.of<Job>('batch/v1', 'Job').get(`${NS}/${name}`)!,
    /** What the Job controller would write when the Job ends. */
    finishJob(name: string, type: 'Complete' | 'Failed', atMs = f.clock.ms) {
      const t = rfc3339(atMs)
      const j = copy(h.job(name)) as Job
      f.informers.set({ ...j, status: { startTime: j.status?.startTime ?? t, ...(type === 'Complete' ? { completionTime: t } : {}),
        conditions: [{ type, status: 'True', lastProbeTime: t, lastTransitionTime: t }] } } as KubeObject)
    },
  }
  return h
}

/** A finished Job the CronJob made earlier. */
function oldJob(name: string, startMs: number, type: 'Complete' | 'Failed'): KubeObject {
  const t = rfc3339(startMs)
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: NS, uid: `uid-${name}`, resourceVersion: '1',
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'uid-hello', controller: true }] },
    spec: { template: {} },
    status: { startTime: t, conditions: [{ type, status: 'True', lastTransitionTime: t }] },
  }
}

describe('cronjob controller', () => {
  it('creates a Job at each scheduled time and sleeps until the next one', async () => {
    const h = harness(newCronJob())
    assert.deepEqual(await h.sync(), { requeueAfterMs: 5 * 60_000 + 100 })
    assert.deepEqual(h.jobs(), [])
    h.clock.ms += 5 * 60_000 + 100
    assert.deepEqual(await h.sync(), { requeueAfterMs: 5 * 60_000 })
    const name = `hello-${minutes('2026-01-01T00:05:00Z')}`
    assert.deepEqual(h.jobs(), [name])
    const job = h.job(name)
    assert.equal(job.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T00:05:00Z')
    assert.deepEqual(job.metadata?.labels, { app: 'hello' })
    assert.deepEqual(job.metadata?.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'uid-hello', controller: true, blockOwnerDeletion: true }])
    assert.equal(job.spec?.template.spec?.restartPolicy, 'OnFailure')
    assert.equal(h.cj().status?.lastScheduleTime, '2026-01-01T00:05:00Z')
    assert.deepEqual(h.cj().status?.active?.map((r) => [r.kind, r.name, r.uid]), [['Job', name, job.metadata?.uid]])
    assert.deepEqual(h.recorder.events, [`Normal SuccessfulCreate Created job ${name}`])
    await h.sync()
    assert.equal(h.jobs().length, 1, 'a scheduled time runs once')
    h.finishJob(name, 'Complete')
    await h.sync()
    assert.deepEqual(h.cj().status?.active, [])
    assert.equal(h.cj().status?.lastSuccessfulTime, rfc3339(h.clock.ms))
    assert.equal(h.recorder.events.at(-1), `Normal SawCompletedJob Saw completed job: ${name}, status: Complete`)
  })

  it('schedules in spec.timeZone and stamps the Job in that zone', async () => {
    const h = harness(newCronJob({ schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' }))
    // 09:00 in Tokyo is midnight UTC; the first one after creation is 2 January's.
    assert.deepEqual(await h.sync(), { requeueAfterMs: 24 * 3_600_000 + 100 })
    h.clock.ms += 24 * 3_600_000 + 100
    await h.sync()
    const [name] = h.jobs()
    assert.equal(name, `hello-${minutes('2026-01-02T00:00:00Z')}`)
    assert.equal(h.job(name!).metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-02T09:00:00+09:00')
  })

  it('honours TZ= in the schedule, with a warning that it is unsupported', async () => {
    const h = harness(newCronJob({ schedule: 'TZ=Asia/Tokyo 0 9 * * *', timeZone: undefined }))
    assert.deepEqual(await h.sync(), { requeueAfterMs: 24 * 3_600_000 + 100 })
    assert.match(h.recorder.events[0]!, /^Warning UnsupportedSchedule CRON_TZ or TZ used in schedule "TZ=Asia\/Tokyo 0 9 \* \* \*" is not officially supported/)
  })

  it('understands @hourly and reports a schedule it cannot parse', async () => {
    const h = harness(newCronJob({ schedule: '@hourly' }))
    assert.deepEqual(await h.sync(), { requeueAfterMs: 3_600_000 + 100 })
    const bad = harness(newCronJob({ schedule: '@fortnightly' }))
    assert.equal(await bad.sync(), undefined)
    assert.deepEqual(bad.recorder.events, ['Warning UnparseableSchedule unparseable schedule: "@fortnightly" : unrecognized descriptor: @fortnightly'])
  })

  it('Forbid skips a run while the previous Job is active', async () => {
    const h = harness(newCronJob({ concurrencyPolicy: 'Forbid' }))
    h.clock.ms += 5 * 60_000
    await h.sync()
    h.clock.ms += 5 * 60_000
    await h.sync()
    assert.equal(h.jobs().length, 1)
    assert.equal(h.recorder.events.at(-1), 'Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid')
  })

  it('Replace deletes the running Job and starts the new one', async () => {
    const h = harness(newCronJob({ concurrencyPolicy: 'Replace' }))
    h.clock.ms += 5 * 60_000
    await h.sync()
    const [first] = h.jobs()
    h.clock.ms += 5 * 60_000
    await h.sync()
    const second = `hello-${minutes('2026-01-01T00:10:00Z')}`
    assert.deepEqual(h.jobs(), [second])
    const del = h.client.actions.find((a) => a.verb === 'delete')!
    assert.equal(del.name, first)
    assert.equal((del.body as { propagationPolicy: string }).propagationPolicy, 'Background')
    assert.deepEqual(h.recorder.events.slice(-2), [`Normal SuccessfulDelete Deleted job ${first}`, `Normal SuccessfulCreate Created job ${second}`])
    assert.deepEqual(h.cj().status?.active?.map((r) => r.name), [second])
  })

  it('Allow lets runs overlap', async () => {
    const h = harness(newCronJob())
    for (let i = 0; i < 2; i++) {
      h.clock.ms += 5 * 60_000
      await h.sync()
    }
    assert.equal(h.cj().status?.active?.length, 2)
  })

  it('keeps only the newest finished Jobs within the history limits', async () => {
    const done = [1, 2, 3, 4, 5].map((i) => oldJob(`ok-${i}`, T0 - (10 - i) * 60_000, 'Complete'))
    const failed = [1, 2].map((i) => oldJob(`bad-${i}`, T0 - (10 - i) * 60_000, 'Failed'))
    const h = harness(newCronJob(), [...done, ...failed])
    await h.sync()
    assert.deepEqual(h.jobs(), ['bad-2', 'ok-3', 'ok-4', 'ok-5'])
    assert.deepEqual(h.recorder.events.filter((e) => e.includes('SuccessfulDelete')),
      ['Normal SuccessfulDelete Deleted job ok-1', 'Normal SuccessfulDelete Deleted job ok-2', 'Normal SuccessfulDelete Deleted job bad-1'])
  })

  it('does not start a run while suspended, nor one past its starting deadline', async () => {
    const h = harness(newCronJob({ suspend: true }))
    h.clock.ms += 5 * 60_000
    assert.equal(await h.sync(), undefined)
    assert.deepEqual(h.jobs(), [])
    const late = harness(newCronJob({ startingDeadlineSeconds: 10 }))
    late.clock.ms += 5 * 60_000 + 30_000
    assert.deepEqual(await late.sync(), { requeueAfterMs: 4 * 60_000 + 30_000 + 100 })
    assert.deepEqual(late.jobs(), [])
  })

  it('warns about too many missed start times and starts only the latest', async () => {
    const h = harness(newCronJob({ schedule: '* * * * *' }))
    h.clock.ms += 200 * 60_000
    await h.sync()
    assert.deepEqual(h.jobs(), [`hello-${minutes('2026-01-01T03:20:00Z')}`])
    assert.equal(h.recorder.events[0], 'Warning TooManyMissedTimes too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew')
  })

  it('drops an active Job that no longer exists', async () => {
    const cj = newCronJob()
    cj.status = { active: [{ kind: 'Job', apiVersion: 'batch/v1', namespace: NS, name: 'vanished', uid: 'uid-vanished' }] }
    const h = harness(cj)
    await h.sync()
    assert.deepEqual(h.cj().status?.active, [])
    assert.deepEqual(h.recorder.events, ['Normal MissingJob Active job went missing: vanished'])
  })
})

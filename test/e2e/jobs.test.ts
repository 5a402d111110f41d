/**
 * Jobs and CronJobs on simulated nodes: simulated containers run for the duration their pod
 * annotation gives (`sim.kubelite.io/run-duration`) or fail (`sim.kubelite.io/fail`).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startCluster, type Cluster } from './harness.js'
import { getJson, items, waitFor, yamlOf, type Obj } from './workloads-helpers.js'

const job = (name: string, o: { completions?: number; parallelism?: number; backoffLimit?: number; annotations: string }) => yamlOf([
  'apiVersion: batch/v1', 'kind: Job', `metadata: {name: ${name}}`, 'spec:',
  ...(o.completions ? [`  completions: ${o.completions}`] : []), ...(o.parallelism ? [`  parallelism: ${o.parallelism}`] : []),
  ...(o.backoffLimit !== undefined ? [`  backoffLimit: ${o.backoffLimit}`] : []),
  '  template:', `    metadata: {annotations: ${o.annotations}}`, '    spec:', '      restartPolicy: Never', '      containers: [{name: work, image: busybox}]',
])

const condition = (o: Obj, type: string) => o.status?.conditions?.find((c: { type: string; status: string }) => c.type === type && c.status === 'True')

describe('jobs and cronjobs', () => {
  let c: Cluster
  before(async () => {
    c = await startCluster({ datastore: 'memory', extraArgs: ['--sim-nodes', '3'] })
  })
  after(() => c?.stop())

  it('completions 5, parallelism 2: Complete with 5 succeeded pods, never more than 2 at once', async () => {
    await c.ok(['apply', '-f', '-'], { input: job('batch', { completions: 5, parallelism: 2, annotations: '{sim.kubelite.io/run-duration: 500ms}' }) })
    let maxActive = 0
    const done = await waitFor(c, 'job complete', ['job', 'batch'], (j) => {
      maxActive = Math.max(maxActive, j.status?.active ?? 0)
      return !!condition(j, 'Complete')
    }, 60_000)
    assert.equal(done.status?.succeeded, 5)
    assert.ok(maxActive <= 2, `at most parallelism pods active, saw ${maxActive}`)
    const pods = await items(c, ['pods', '-l', 'job-name=batch'])
    assert.equal(pods.filter((p) => p.status?.phase === 'Succeeded').length, 5)
    const table = await c.ok(['get', 'job', 'batch'])
    assert.match(table, /batch\s+Complete\s+5\/5\s+\d+s/)
    await c.ok(['wait', '--for=condition=complete', 'job/batch', '--timeout=5s'])
  })

  it('a failing Job ends Failed with reason BackoffLimitExceeded', async () => {
    await c.ok(['apply', '-f', '-'], { input: job('broken', { backoffLimit: 1, annotations: '{sim.kubelite.io/fail: "true"}' }) })
    const failed = await waitFor(c, 'job failed', ['job', 'broken'], (j) => !!condition(j, 'Failed'), 60_000)
    assert.equal(condition(failed, 'Failed').reason, 'BackoffLimitExceeded')
    assert.equal(failed.status?.failed, 2)
    const events = await c.ok(['get', 'events', '--field-selector', 'involvedObject.name=broken'])
    assert.match(events, /BackoffLimitExceeded\s+job\/broken\s+Job has reached the specified backoff limit/)
  })

  it('create job --from=cronjob/x, and a CronJob creates Jobs on schedule', async () => {
    await c.ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=* * * * *'])
    await c.ok(['annotate', 'cronjob', 'tick', 'unused=1'])
    await c.ok(['patch', 'cronjob', 'tick', '--type=merge', '-p', '{"spec":{"jobTemplate":{"spec":{"template":{"metadata":{"annotations":{"sim.kubelite.io/run-duration":"200ms"}}}}}}}'])
    await c.ok(['create', 'job', 'manual', '--from=cronjob/tick'])
    const manual = await getJson(c, ['job', 'manual'])
    assert.equal(manual.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual')
    await waitFor(c, 'manual job complete', ['job', 'manual'], (j) => !!condition(j, 'Complete'), 30_000)
    // The schedule fires at the next minute boundary.
    const cj = await waitFor(c, 'a scheduled run', ['cronjob', 'tick'], (x) => !!x.status?.lastScheduleTime, 75_000)
    const jobs = (await items(c, ['jobs'])).filter((j) => j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'])
    assert.ok(jobs.length >= 1)
    const scheduled = Date.parse(cj.status?.lastScheduleTime)
    assert.equal(jobs[0]!.metadata.name, `tick-${Math.floor(scheduled / 60_000)}`)
    await waitFor(c, 'lastSuccessfulTime', ['cronjob', 'tick'], (x) => !!x.status?.lastSuccessfulTime, 30_000)
  })
})

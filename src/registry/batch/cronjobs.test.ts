import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { CronJob } from 'kubernetes-types/batch/v1.js'
import type { Kube } from '../apps/index.js'
import { cronJobs, cronScheduleError } from './index.js'

/** The body `kubectl create cronjob tick --image=busybox --schedule='*\/5 * * * *'` sends. */
const kubectlCreate = (): Kube<CronJob> => ({
  kind: 'CronJob', apiVersion: 'batch/v1',
  metadata: { name: 'tick', namespace: 'default' },
  spec: {
    schedule: '*/5 * * * *',
    jobTemplate: { metadata: { name: 'tick' }, spec: { template: { metadata: {}, spec: { containers: [{ name: 'tick', image: 'busybox', resources: {} }], restartPolicy: 'OnFailure' } } } },
  },
})

function create(cj: Kube<CronJob>) {
  cronJobs.defaults(cj)
  cronJobs.prepareForCreate(cj)
  return cronJobs.validate(cj).map((e) => e.error)
}

describe('cron schedules', () => {
  it('accepts what the cron library accepts', () => {
    for (const ok of ['* * * * *', '*/5 * * * *', '0 9-17 * * mon-fri', '0 0 1,15 * ?', '@hourly', '@every 1h30m', '5/10 * * JAN *', 'TZ=UTC 0 * * * *']) {
      assert.equal(cronScheduleError(ok), undefined, ok)
    }
  })
  it('reports what the cron library reports', () => {
    assert.equal(cronScheduleError('* * *'), 'expected exactly 5 fields, found 3: [* * *]')
    assert.equal(cronScheduleError('60 * * * *'), 'end of range (60) above maximum (59): 60')
    assert.equal(cronScheduleError('* * 0 * *'), 'beginning of range (0) below minimum (1): 0')
    assert.equal(cronScheduleError('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1')
    assert.equal(cronScheduleError('*/0 * * * *'), 'step of range should be a positive number: */0')
    assert.equal(cronScheduleError('x * * * *'), 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax')
    assert.equal(cronScheduleError('@fortnightly'), 'unrecognized descriptor: @fortnightly')
  })
})

describe('cronjobs', () => {
  it('defaults as a 1.32 cluster does', () => {
    const cj = kubectlCreate()
    assert.deepEqual(create(cj), [])
    assert.equal(cj.spec!.concurrencyPolicy, 'Allow')
    assert.equal(cj.spec!.suspend, false)
    assert.equal(cj.spec!.successfulJobsHistoryLimit, 3)
    assert.equal(cj.spec!.failedJobsHistoryLimit, 1)
    assert.equal((cj.spec!.jobTemplate.metadata as Record<string, unknown>).creationTimestamp, null)
    // A job template is not a Job: it gets no Job defaults, only its pod template's.
    assert.equal(cj.spec!.jobTemplate.spec!.backoffLimit, undefined)
    assert.equal(cj.spec!.jobTemplate.spec!.template.spec!.dnsPolicy, 'ClusterFirst')
    assert.equal(cj.metadata?.generation, 1)
  })

  it('validates schedule, time zone, name length and the template selector', () => {
    const cj = kubectlCreate()
    cj.spec!.schedule = '61 * * * *'
    cj.spec!.timeZone = 'Mars/Olympus'
    cj.metadata!.name = 'x'.repeat(53)
    cj.spec!.jobTemplate.spec!.selector = { matchLabels: { a: 'b' } }
    assert.deepEqual(create(cj), [
      'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
      'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
      'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
      `metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`,
    ])
    const tz = kubectlCreate()
    tz.spec!.schedule = 'TZ=UTC 0 * * * *'
    assert.deepEqual(create(tz), ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'])
    const ok = kubectlCreate()
    ok.spec!.timeZone = 'Europe/Berlin'
    assert.deepEqual(create(ok), [])
  })

  it('prints its columns', () => {
    const cj = kubectlCreate()
    create(cj)
    const now = Date.parse('2024-01-01T01:00:00Z')
    cj.metadata = { ...cj.metadata, creationTimestamp: '2024-01-01T00:00:00Z' }
    ;(cj as { status?: CronJob['status'] }).status = { active: [{ name: 'tick-1' }], lastScheduleTime: '2024-01-01T00:55:00Z' }
    assert.deepEqual(cronJobs.columns.map((c) => c.name), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector'])
    assert.deepEqual(cronJobs.columns.map((c) => c.cell(cj, now)), ['tick', '*/5 * * * *', '<none>', 'False', 1, '5m', '60m', 'tick', 'busybox', '<none>'])
  })
})

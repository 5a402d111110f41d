import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Job } from 'kubernetes-types/batch/v1.js'
import type { Kube } from '../apps/index.js'
import { jobs } from './index.js'

/** The body `kubectl create job pi --image=perl` sends, with the uid the store then assigns. */
const kubectlCreate = (): Kube<Job> => ({
  kind: 'Job', apiVersion: 'batch/v1',
  metadata: { name: 'pi', namespace: 'default', uid: 'u-1' },
  spec: { template: { metadata: {}, spec: { containers: [{ name: 'pi', image: 'perl', resources: {} }], restartPolicy: 'Never' } } },
})

function create(job: Kube<Job>) {
  jobs.defaults(job)
  jobs.prepareForCreate(job)
  return jobs.validate(job).map((e) => e.error)
}

const generated = { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' }

describe('jobs', () => {
  it('defaults and generates the selector and labels as a 1.32 cluster does', () => {
    const job = kubectlCreate()
    assert.deepEqual(create(job), [])
    const { template, ...spec } = job.spec!
    assert.deepEqual(spec, {
      backoffLimit: 6, completionMode: 'NonIndexed', completions: 1, manualSelector: false, parallelism: 1,
      podReplacementPolicy: 'TerminatingOrFailed', selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } }, suspend: false,
    })
    assert.deepEqual(template.metadata?.labels, generated)
    assert.deepEqual(job.metadata?.labels, generated)
    assert.equal(template.spec!.dnsPolicy, 'ClusterFirst')
    assert.equal(job.metadata?.generation, 1)
    assert.deepEqual(job.status, {})
  })

  it('keeps the template labels a user gave and the Job labels a user gave', () => {
    const job = kubectlCreate()
    job.metadata!.labels = { team: 'a' }
    job.spec!.template.metadata = { labels: { app: 'pi' } }
    assert.deepEqual(create(job), [])
    assert.deepEqual(job.metadata!.labels, { team: 'a' })
    assert.deepEqual(job.spec!.template.metadata!.labels, { app: 'pi', ...generated })
  })

  it('copies template labels to a Job without labels, generated ones included', () => {
    const job = kubectlCreate()
    job.spec!.template.metadata = { labels: { app: 'pi' } }
    create(job)
    assert.deepEqual(job.metadata!.labels, { app: 'pi', ...generated })
  })

  it('leaves a manual selector alone', () => {
    const job = kubectlCreate()
    job.spec!.manualSelector = true
    job.spec!.selector = { matchLabels: { app: 'pi' } }
    job.spec!.template.metadata = { labels: { app: 'pi' } }
    assert.deepEqual(create(job), [])
    assert.deepEqual(job.spec!.template.metadata!.labels, { app: 'pi' })
  })

  it('defaults completions only when neither count is given', () => {
    const job = kubectlCreate()
    job.spec!.parallelism = 3
    jobs.defaults(job)
    assert.equal(job.spec!.completions, undefined)
    assert.equal(job.spec!.parallelism, 3)
  })

  it('requires restartPolicy OnFailure or Never', () => {
    const job = kubectlCreate()
    delete job.spec!.template.spec!.restartPolicy
    assert.deepEqual(create(job), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'])
  })

  it('rejects a selector that was not generated, and label conflicts', () => {
    const job = kubectlCreate()
    job.spec!.template.metadata = { labels: { 'job-name': 'other' } }
    assert.deepEqual(create(job), [
      'spec.template.metadata.labels[job-name]: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"u-1", "batch.kubernetes.io/job-name":"pi", "controller-uid":"u-1", "job-name":"other"}: must be \'pi\'',
    ])
  })

  it('keeps the template immutable and bumps generation on spec changes', () => {
    const old = kubectlCreate()
    create(old)
    const upd = structuredClone(old)
    upd.spec!.template.spec!.containers[0]!.image = 'perl:5'
    assert.deepEqual(jobs.validateUpdate(upd, old).map((e) => e.field), ['spec.template'])
    const suspended = structuredClone(old)
    suspended.spec!.activeDeadlineSeconds = 100
    jobs.prepareForUpdate(suspended, old)
    assert.equal(suspended.metadata?.generation, 2)
    assert.deepEqual(jobs.validateUpdate(suspended, old), [])
  })

  it('lets a suspended Job that never started change where it runs', () => {
    const old = kubectlCreate()
    old.spec!.suspend = true
    create(old)
    const upd = structuredClone(old)
    upd.spec!.template.spec!.nodeSelector = { zone: 'a' }
    assert.deepEqual(jobs.validateUpdate(upd, old), [])
  })

  it('prints status, completions and duration', () => {
    const job = kubectlCreate()
    create(job)
    const now = Date.parse('2024-01-01T00:10:00Z')
    const cells = () => jobs.columns.map((c) => c.cell(job, now))
    assert.deepEqual(jobs.columns.map((c) => c.name), ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector'])
    assert.deepEqual(cells().slice(1, 4), ['Running', '0/1', ''])
    ;(job as { status?: Job['status'] }).status = {
      startTime: '2024-01-01T00:00:00Z', completionTime: '2024-01-01T00:00:42Z', succeeded: 1,
      conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }],
    }
    assert.deepEqual(cells().slice(1, 4), ['Complete', '1/1', '42s'])
    job.spec!.completions = undefined
    job.spec!.parallelism = 3
    ;(job as { status?: Job['status'] }).status = { startTime: '2024-01-01T00:00:00Z', conditions: [{ type: 'Suspended', status: 'True' }] }
    assert.deepEqual(cells().slice(1, 4), ['Suspended', '0/1 of 3', '10m'])
    assert.equal(cells()[7], 'batch.kubernetes.io/controller-uid=u-1')
    assert.deepEqual(jobs.selectableFields(job), { 'status.successful': '0' })
  })
})

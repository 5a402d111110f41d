import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Job } from 'kubernetes-types/batch/v1.js'
import { harness, indexOf, newJob } from './testing.js'

const FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count'
const IGNORED_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count'

/** An Indexed Job with per-index limits, as the server defaults it (the global limit off). */
const perIndexJob = (name: string, spec: Partial<Job['spec']>) =>
  newJob(name, { completionMode: 'Indexed', backoffLimit: 2147483647, ...spec })

describe('job controller: backoffLimitPerIndex', () => {
  it('retries a failing index once per backoffLimitPerIndex, then fails it and ends Failed with FailedIndexes', async () => {
    const h = harness(perIndexJob('per', { completions: 3, parallelism: 3, backoffLimitPerIndex: 1 }))
    await h.sync()
    assert.deepEqual(h.pods().map((p) => p.metadata?.annotations?.[FAILURE_COUNT]), ['0', '0', '0'])
    assert.equal(h.job().status?.failedIndexes, '', 'set, empty, from the first sync')
    const first = h.activeAt(1)!
    h.finish(first, 'Failed')
    h.finish(h.activeAt(0)!, 'Succeeded')
    assert.deepEqual(await h.sync(), { requeueAfterMs: 10_000 }, 'the index waits out its own backoff')
    assert.equal(h.activeAt(1), undefined)
    const held = h.pods().find((p) => p.metadata?.uid === first.metadata?.uid)!
    assert.deepEqual(held.metadata?.finalizers, ['batch.kubernetes.io/job-tracking'], 'kept until its replacement exists')
    assert.equal(h.job().status?.completedIndexes, '0')
    h.clock.ms += 10_000
    await h.sync()
    const second = h.activeAt(1)!
    assert.equal(second.metadata?.annotations?.[FAILURE_COUNT], '1', 'the replacement carries the count on')
    assert.equal(second.metadata?.annotations?.[IGNORED_COUNT], undefined)
    await h.sync()
    assert.deepEqual(h.pods().find((p) => p.metadata?.uid === first.metadata?.uid)!.metadata?.finalizers, [])
    assert.equal(h.job().status?.failed, 1)
    h.finish(second, 'Failed')
    await h.sync()
    assert.equal(h.job().status?.failedIndexes, '1')
    assert.equal(h.activeAt(1), undefined, 'a failed index is not retried')
    assert.deepEqual(h.conditions(), [], 'index 2 still runs')
    h.clock.ms += 60_000
    await h.sync()
    assert.equal(h.activeAt(1), undefined, 'not even after the backoff')
    h.finish(h.activeAt(2)!, 'Succeeded')
    await h.sync()
    assert.deepEqual(h.conditions(), ['FailureTarget=True:FailedIndexes', 'Failed=True:FailedIndexes'])
    const status = h.job().status!
    assert.equal(status.conditions?.at(-1)?.message, 'Job has failed indexes')
    assert.equal(status.completedIndexes, '0,2')
    assert.equal(status.failedIndexes, '1')
    assert.equal(status.succeeded, 2)
    assert.equal(status.failed, 2)
    assert.ok(h.pods().every((p) => !p.metadata?.finalizers?.length))
    assert.equal(h.recorder.events.at(-1), 'Warning FailedIndexes Job has failed indexes')
  })

  it('fails with MaxFailedIndexesExceeded once more indexes failed than maxFailedIndexes, deleting the running pods', async () => {
    const h = harness(perIndexJob('max', { completions: 4, parallelism: 4, backoffLimitPerIndex: 0, maxFailedIndexes: 1 }))
    await h.sync()
    h.finish(h.activeAt(0)!, 'Failed')
    await h.sync()
    assert.equal(h.job().status?.failedIndexes, '0')
    assert.equal(h.active().length, 3, 'one failed index is allowed; it is not retried')
    h.finish(h.activeAt(3)!, 'Failed')
    await h.sync()
    assert.equal(h.job().status?.failedIndexes, '0,3')
    assert.equal(h.active().length, 0, 'the running indexes were deleted')
    assert.deepEqual(h.conditions(), ['FailureTarget=True:MaxFailedIndexesExceeded'], 'Failed waits for the pods to terminate')
    await h.sync()
    assert.deepEqual(h.conditions(), ['FailureTarget=True:MaxFailedIndexesExceeded', 'Failed=True:MaxFailedIndexesExceeded'])
    assert.equal(h.job().status?.conditions?.at(-1)?.message, 'Job has exceeded the specified maximal number of failed indexes')
  })

  it('backs each index off on its own: a failing index holds back neither the others nor itself longer than its count says', async () => {
    const h = harness(perIndexJob('own', { completions: 2, parallelism: 2, backoffLimitPerIndex: 5 }))
    await h.sync()
    h.finish(h.activeAt(0)!, 'Failed')
    assert.deepEqual(await h.sync(), { requeueAfterMs: 10_000 })
    h.clock.ms += 4_000
    h.finish(h.activeAt(1)!, 'Failed')
    assert.deepEqual(await h.sync(), { requeueAfterMs: 6_000 }, 'the soonest index decides')
    h.clock.ms += 6_000
    assert.deepEqual(await h.sync(), { requeueAfterMs: 4_000 }, 'index 0 is back, index 1 still waits')
    assert.equal(h.activeAt(0)?.metadata?.annotations?.[FAILURE_COUNT], '1')
    assert.equal(h.activeAt(1), undefined)
    h.finish(h.activeAt(0)!, 'Failed')
    h.clock.ms += 4_000
    assert.deepEqual(await h.sync(), { requeueAfterMs: 16_000 }, 'a second failure of index 0 doubles its delay to 20 s')
    assert.equal(h.activeAt(1)?.metadata?.annotations?.[FAILURE_COUNT], '1')
    assert.equal(h.activeAt(0), undefined)
  })

  it('fails an index at once on a FailIndex rule, and keeps failures an Ignore rule skips out of the count', async () => {
    const h = harness(perIndexJob('rules', {
      completions: 2, parallelism: 2, backoffLimitPerIndex: 1, podReplacementPolicy: 'Failed',
      podFailurePolicy: { rules: [
        { action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } },
        { action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } },
      ] },
    }))
    await h.sync()
    h.finish(h.activeAt(0)!, 'Failed', 7)
    h.finish(h.activeAt(1)!, 'Failed', 42)
    await h.sync()
    assert.equal(h.job().status?.failedIndexes, '1', 'FailIndex: no retry, whatever the limit')
    h.clock.ms += 10_000 // ignored failures still back off
    await h.sync()
    const retry = h.activeAt(0)!
    assert.equal(retry.metadata?.annotations?.[FAILURE_COUNT], '0')
    assert.equal(retry.metadata?.annotations?.[IGNORED_COUNT], '1')
    assert.equal(h.activeAt(1), undefined)
    await h.sync()
    assert.equal(h.job().status?.failed, 1, 'only the FailIndex failure counts')
    h.finish(retry, 'Succeeded')
    await h.sync()
    assert.deepEqual(h.conditions(), ['FailureTarget=True:FailedIndexes', 'Failed=True:FailedIndexes'])
    assert.equal(h.job().status?.completedIndexes, '0')
    assert.ok(h.pods().every((p) => indexOf(p) !== undefined && !p.metadata?.finalizers?.length))
  })
})

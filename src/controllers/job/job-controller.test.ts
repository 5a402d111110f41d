import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KubeObject } from '../../api/index.js'
import { rfc3339 } from '../util/index.js'
import { harness, newJob, NS } from './testing.js'

describe('job controller', () => {
  it('runs completions 5 with parallelism 2 to Complete, counting every pod once', async () => {
    const h = harness(newJob('pi', { completions: 5, parallelism: 2 }))
    await h.sync()
    assert.equal(h.pods().length, 2)
    const first = h.pods()[0]!
    assert.equal(first.metadata?.generateName, 'pi-')
    assert.deepEqual(first.metadata?.finalizers, ['batch.kubernetes.io/job-tracking'])
    assert.equal(first.metadata?.labels?.['batch.kubernetes.io/job-name'], 'pi')
    assert.equal(first.metadata?.ownerReferences?.[0]?.uid, 'uid-pi')
    assert.equal(h.job().status?.active, 2)
    assert.equal(h.job().status?.startTime, rfc3339(h.clock.ms))
    for (let round = 0; round < 5 && !h.conditions().includes('Complete=True:CompletionsReached'); round++) {
      h.clock.ms += 10_000
      for (const p of h.active()) h.finish(p, 'Succeeded')
      await h.sync()
      assert.ok(h.active().length <= 2, 'never more than parallelism')
    }
    const status = h.job().status!
    assert.equal(status.succeeded, 5)
    assert.equal(status.active, undefined)
    assert.equal(status.ready, 0)
    assert.equal(status.terminating, 0)
    assert.deepEqual(status.uncountedTerminatedPods, {})
    assert.deepEqual(h.conditions(), ['SuccessCriteriaMet=True:CompletionsReached', 'Complete=True:CompletionsReached'])
    assert.equal(status.completionTime, rfc3339(h.clock.ms))
    assert.equal(h.pods().length, 5)
    assert.ok(h.pods().every((p) => !p.metadata?.finalizers?.length), 'finalizers removed once counted')
    assert.equal(h.recorder.events.filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: pi-')).length, 5)
    assert.equal(h.recorder.events.at(-1), 'Normal Completed Job completed')
    // A finished Job is left alone.
    const writes = h.client.actions.length
    await h.sync()
    assert.equal(h.client.actions.length, writes)
  })

  it('waits 10 s, then 20 s before replacing failed pods', async () => {
    const h = harness(newJob('flaky'))
    await h.sync()
    h.finish(h.active()[0]!, 'Failed')
    assert.deepEqual(await h.sync(), { requeueAfterMs: 10_000 })
    assert.equal(h.job().status?.failed, 1)
    assert.equal(h.active().length, 0, 'no replacement during the backoff')
    h.clock.ms += 10_000
    await h.sync()
    assert.equal(h.active().length, 1)
    h.finish(h.active()[0]!, 'Failed')
    assert.deepEqual(await h.sync(), { requeueAfterMs: 20_000 })
    h.clock.ms += 19_000
    assert.deepEqual(await h.sync(), { requeueAfterMs: 1000 })
    assert.equal(h.active().length, 0)
    h.clock.ms += 1000
    await h.sync()
    assert.equal(h.active().length, 1)
    assert.equal(h.job().status?.failed, 2)
  })

  it('fails with BackoffLimitExceeded once failures exceed backoffLimit', async () => {
    const h = harness(newJob('doomed', { backoffLimit: 1 }), { podFailureBackoffMs: 0 })
    await h.sync()
    h.finish(h.active()[0]!, 'Failed')
    await h.sync()
    assert.equal(h.active().length, 1, 'replaced: one failure is within the limit')
    h.finish(h.active()[0]!, 'Failed')
    await h.sync()
    assert.deepEqual(h.conditions(), ['FailureTarget=True:BackoffLimitExceeded', 'Failed=True:BackoffLimitExceeded'])
    const failed = h.job().status?.conditions?.find((c) => c.type === 'Failed')
    assert.equal(failed?.message, 'Job has reached the specified backoff limit')
    assert.equal(h.job().status?.failed, 2)
    assert.equal(h.job().status?.completionTime, undefined)
    assert.ok(h.recorder.events.includes('Warning BackoffLimitExceeded Job has reached the specified backoff limit'))
  })

  it('fails with DeadlineExceeded after activeDeadlineSeconds, deleting the running pod', async () => {
    const h = harness(newJob('slow', { activeDeadlineSeconds: 30 }))
    assert.deepEqual(await h.sync(), { requeueAfterMs: 30_000 })
    assert.equal(h.active().length, 1)
    h.clock.ms += 30_000
    await h.sync()
    assert.deepEqual(h.client.verbs().slice(-4), ['delete pods', 'update jobs/status', 'patch pods', 'update jobs/status'])
    assert.deepEqual(h.conditions(), ['FailureTarget=True:DeadlineExceeded'], 'Failed waits for the pod to terminate')
    await h.sync()
    assert.deepEqual(h.conditions(), ['FailureTarget=True:DeadlineExceeded', 'Failed=True:DeadlineExceeded'])
    assert.equal(h.job().status?.failed, 1)
    assert.ok(h.recorder.events.includes('Warning DeadlineExceeded Job was active longer than specified deadline'))
  })

  it('suspends (deleting active pods) and resumes (restarting the clock)', async () => {
    const h = harness(newJob('sleepy', { suspend: true, parallelism: 2, completions: 2 }))
    await h.sync()
    assert.equal(h.pods().length, 0)
    assert.deepEqual(h.conditions(), ['Suspended=True:JobSuspended'])
    assert.equal(h.job().status?.startTime, undefined, 'a suspended Job has not started')
    h.clock.ms += 60_000
    h.updateJob({ suspend: false })
    await h.sync()
    assert.equal(h.active().length, 2)
    assert.deepEqual(h.conditions(), ['Suspended=False:JobResumed'])
    assert.equal(h.job().status?.startTime, rfc3339(h.clock.ms))
    h.updateJob({ suspend: true })
    await h.sync()
    assert.equal(h.pods().length, 0)
    assert.deepEqual(h.conditions(), ['Suspended=True:JobSuspended'])
    assert.equal(h.job().status?.active, undefined)
    assert.equal(h.recorder.events.filter((e) => e.startsWith('Normal SuccessfulDelete Deleted pod: sleepy-')).length, 2)
    assert.deepEqual(h.recorder.events.filter((e) => /Suspended|Resumed/.test(e)),
      ['Normal Suspended Job suspended', 'Normal Resumed Job resumed', 'Normal Suspended Job suspended'])
    assert.equal(h.job().status?.failed, undefined, 'pods removed by suspension are not failures')
  })

  it('gives Indexed pods their index and records completedIndexes', async () => {
    const h = harness(newJob('idx', { completionMode: 'Indexed', completions: 3, parallelism: 3 }), { podFailureBackoffMs: 0 })
    await h.sync()
    const byIndex = new Map(h.pods().map((p) => [p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], p]))
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2'])
    const p1 = byIndex.get('1')!
    assert.equal(p1.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], '1')
    assert.equal(p1.metadata?.generateName, 'idx-1-')
    assert.equal(p1.spec?.hostname, 'idx-1')
    assert.deepEqual(p1.spec?.containers[0]?.env, [{ name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } } }])
    h.finish(p1, 'Succeeded')
    h.finish(byIndex.get('2')!, 'Failed')
    await h.sync()
    assert.equal(h.job().status?.completedIndexes, '1')
    assert.equal(h.job().status?.succeeded, 1)
    const replacement = h.active().find((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] === '2')
    assert.ok(replacement, 'the failed index is recreated')
    for (const p of h.active()) h.finish(p, 'Succeeded')
    await h.sync()
    assert.equal(h.job().status?.completedIndexes, '0-2')
    assert.equal(h.job().status?.succeeded, 3)
    assert.ok(h.conditions().includes('Complete=True:CompletionsReached'))
  })

  it('completes a work queue (no completions) when one pod succeeded and the others finished', async () => {
    const h = harness(newJob('queue', { completions: undefined, parallelism: 2 }))
    await h.sync()
    const [a, b] = h.active()
    h.finish(a!, 'Succeeded')
    await h.sync()
    assert.equal(h.active().length, 1, 'after a success no new pods start')
    assert.deepEqual(h.conditions(), [])
    h.finish(b!, 'Succeeded')
    await h.sync()
    assert.ok(h.conditions().includes('Complete=True:CompletionsReached'))
    assert.equal(h.job().status?.succeeded, 2)
  })

  it('fails at once when a podFailurePolicy FailJob rule matches', async () => {
    const h = harness(newJob('strict', {
      podReplacementPolicy: 'Failed',
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
    }))
    await h.sync()
    h.finish(h.active()[0]!, 'Failed', 42)
    await h.sync()
    const pod = h.pods()[0]!.metadata!.name
    const failed = h.job().status?.conditions?.find((c) => c.type === 'Failed')
    assert.equal(failed?.reason, 'PodFailurePolicy')
    assert.equal(failed?.message, `Container c for pod default/${pod} failed with exit code 42 matching FailJob rule at index 0`)
  })

  it('removes the tracking finalizer from the pods of a deleted Job', async () => {
    const h = harness(newJob('gone'))
    await h.sync()
    const pod = h.pods()[0]!
    h.queued.length = 0
    h.informers.remove(h.job() as KubeObject)
    const orphanKey = h.queued.find((k) => k.startsWith('pod:'))
    assert.equal(orphanKey, `pod:${NS}/${pod.metadata!.name}`)
    await h.sync(orphanKey)
    assert.deepEqual(h.pods()[0]!.metadata?.finalizers, [])
    await h.sync() // the Job's own key: nothing left to do
  })

  it('never creates more pods while its own creations are not yet in the cache', async () => {
    const h = harness(newJob('lag', { completions: 3, parallelism: 3 }))
    // Stand in for a lagging informer: the server accepts the pods, the cache never shows them.
    let creates = 0
    h.client.create = async (obj) => {
      creates++
      return { ...obj, metadata: { ...obj.metadata, name: `lag-${creates}`, uid: `u${creates}` } }
    }
    await h.sync()
    assert.equal(creates, 3)
    await h.sync()
    assert.equal(creates, 3, 'expectations hold the second sync back')
  })
})

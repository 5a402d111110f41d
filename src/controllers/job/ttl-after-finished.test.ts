import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Job } from 'kubernetes-types/batch/v1.js'
import type { KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { rfc3339 } from '../util/index.js'
import { ttlAfterFinishedController } from './ttl-after-finished.js'

function finishedJob(finishedMs: number, ttl: number | undefined, type = 'Complete'): Job {
  const t = rfc3339(finishedMs)
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'done', namespace: 'default', uid: 'uid-done', resourceVersion: '5' },
    spec: { ttlSecondsAfterFinished: ttl, template: {} },
    status: { conditions: [{ type, status: 'True', lastProbeTime: t, lastTransitionTime: t }] },
  }
}

describe('ttl-after-finished controller', () => {
  it('deletes a finished Job once its TTL has passed, and not before', async () => {
    const f = fakeContext()
    f.informers.set(finishedJob(f.clock.ms, 60) as KubeObject)
    const ttl = ttlAfterFinishedController(f.ctx)
    assert.deepEqual(await ttl.sync('default/done', AbortSignal.timeout(1000)), { requeueAfterMs: 60_000 })
    assert.deepEqual(f.client.verbs(), [])
    f.clock.ms += 60_000
    await ttl.sync('default/done', AbortSignal.timeout(1000))
    assert.deepEqual(f.client.verbs(), ['get jobs', 'delete jobs'])
    const { propagationPolicy, preconditions } = f.client.actions[1]!.body as Record<string, unknown>
    assert.deepEqual({ propagationPolicy, preconditions }, { propagationPolicy: 'Foreground', preconditions: { uid: 'uid-done' } })
  })

  it('leaves running Jobs and Jobs without a TTL alone', async () => {
    const running: Job = { ...finishedJob(0, 0), status: {} }
    const f = fakeContext([running as KubeObject])
    const ttl = ttlAfterFinishedController(f.ctx)
    assert.equal(await ttl.sync('default/done', AbortSignal.timeout(1000)), undefined)
    const g = fakeContext([finishedJob(0, undefined, 'Failed') as KubeObject])
    assert.equal(await ttlAfterFinishedController(g.ctx).sync('default/done', AbortSignal.timeout(1000)), undefined)
    assert.deepEqual([...f.client.verbs(), ...g.client.verbs()], [])
  })

  it('deletes a failed Job with a zero TTL at once', async () => {
    const f = fakeContext()
    const job = finishedJob(f.clock.ms, 0, 'Failed')
    f.informers.set(job as KubeObject)
    await ttlAfterFinishedController(f.ctx).sync('default/done', AbortSignal.timeout(1000))
    assert.deepEqual(f.client.verbs(), ['get jobs', 'delete jobs'])
    assert.equal(f.informers.of('batch/v1', 'Job').get('default/done'), undefined)
  })
})

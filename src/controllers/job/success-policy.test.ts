import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { harness, newJob } from './testing.js'

describe('job controller: successPolicy', () => {
  it('meets a succeededIndexes rule: SuccessCriteriaMet (SuccessPolicy), the other pods terminated, then Complete', async () => {
    const h = harness(newJob('leader', {
      completionMode: 'Indexed', completions: 5, parallelism: 5,
      successPolicy: { rules: [{ succeededIndexes: '4' }, { succeededIndexes: '0-2', succeededCount: 2 }] },
    }))
    await h.sync()
    h.finish(h.activeAt(0)!, 'Succeeded')
    await h.sync()
    assert.deepEqual(h.conditions(), [], 'one of the two indexes rule 1 asks for')
    assert.equal(h.active().length, 4)
    h.finish(h.activeAt(2)!, 'Succeeded')
    await h.sync()
    assert.equal(h.active().length, 0, 'the remaining pods were deleted')
    assert.deepEqual(h.conditions(), ['SuccessCriteriaMet=True:SuccessPolicy'], 'Complete waits for them to terminate')
    assert.equal(h.job().status?.conditions?.[0]?.message, 'Matched rules at index 1')
    await h.sync()
    assert.deepEqual(h.conditions(), ['SuccessCriteriaMet=True:SuccessPolicy', 'Complete=True:SuccessPolicy'])
    const status = h.job().status!
    assert.equal(status.conditions?.at(-1)?.message, 'Matched rules at index 1')
    assert.equal(status.completedIndexes, '0,2')
    assert.equal(status.succeeded, 2)
    assert.equal(status.failed, undefined, 'pods ended by the success policy are not failures')
    assert.equal(status.completionTime, status.conditions?.at(-1)?.lastTransitionTime)
    assert.equal(h.recorder.events.at(-1), 'Normal Completed Job completed')
  })

  it('meets a succeededCount rule with any indexes; a pod failing meanwhile counts, but does not fail the Job', async () => {
    const h = harness(newJob('any', {
      completionMode: 'Indexed', completions: 4, parallelism: 4, successPolicy: { rules: [{ succeededCount: 2 }] },
    }))
    await h.sync()
    h.finish(h.activeAt(1)!, 'Succeeded')
    h.finish(h.activeAt(3)!, 'Succeeded')
    h.finish(h.activeAt(0)!, 'Failed')
    await h.sync()
    assert.deepEqual(h.conditions(), ['SuccessCriteriaMet=True:SuccessPolicy'])
    assert.equal(h.job().status?.conditions?.[0]?.message, 'Matched rules at index 0')
    assert.equal(h.activeAt(0), undefined, 'no retry once the policy is met')
    await h.sync()
    assert.deepEqual(h.conditions(), ['SuccessCriteriaMet=True:SuccessPolicy', 'Complete=True:SuccessPolicy'])
    assert.equal(h.job().status?.completedIndexes, '1,3')
    assert.equal(h.job().status?.failed, 1)
  })
})

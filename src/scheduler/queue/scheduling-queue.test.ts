import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import type { ClusterEvent } from '../framework/types.js'
import { makePod } from '../testing.js'
import { schedulingQueue } from './scheduling-queue.js'

const P = (p: Pod) => p as Cached<Pod>
const events = new Map<string, ClusterEvent[]>([
  ['NodeResourcesFit', [{ resource: 'Pod', actions: ['Delete'] }, { resource: 'Node', actions: ['Add', 'Update'] }]],
  ['NodeAffinity', [{ resource: 'Node', actions: ['Add', 'Update'] }]],
])
function setup() {
  const clock = { ms: 1_000_000 }
  const q = schedulingQueue({ now: () => clock.ms, pluginEvents: events })
  return { q, clock }
}
/** Pops a pod and fails it as rejected by `plugins`. */
function fail(q: ReturnType<typeof setup>['q'], plugins: string[], isError = false) {
  const popped = q.tryPop()!
  popped.queued.unschedulablePlugins = new Set(plugins)
  q.addUnschedulableIfNotPresent(popped.queued, popped.cycle, isError)
  return popped.queued.podInfo.key
}

describe('scheduling queue', () => {
  it('orders activeQ by priority, then by time added', () => {
    const { q, clock } = setup()
    q.add(P(makePod('low', { priority: 1 })))
    clock.ms += 10
    q.add(P(makePod('high-late', { priority: 100 })))
    q.add(P(makePod('low-later', { priority: 1 })))
    clock.ms -= 20
    q.add(P(makePod('high-early', { priority: 100 })))
    const order: string[] = []
    for (let p = q.tryPop(); p; p = q.tryPop()) order.push(p.queued.podInfo.pod.metadata!.name!)
    assert.deepEqual(order, ['high-early', 'high-late', 'low', 'low-later'])
  })

  it('parks a rejected pod until an event its plugin cares about', () => {
    const { q, clock } = setup()
    q.add(P(makePod('p')))
    const key = fail(q, ['NodeAffinity'])
    assert.equal(q.where(key), 'unschedulable')
    q.moveAllToActiveOrBackoffQueue({ resource: 'Pod', action: 'Delete' }) // NodeAffinity ignores pod deletions
    assert.equal(q.where(key), 'unschedulable')
    q.moveAllToActiveOrBackoffQueue({ resource: 'Node', action: 'Add' })
    assert.equal(q.where(key), 'backoff', 'still inside its 1 s backoff')
    clock.ms += 999
    q.flushBackoffQCompleted()
    assert.equal(q.where(key), 'backoff')
    clock.ms += 1
    q.flushBackoffQCompleted()
    assert.equal(q.where(key), 'active')
  })

  it('doubles the backoff per attempt up to 10 s', () => {
    const { q } = setup()
    q.add(P(makePod('p')))
    const durations: number[] = []
    for (let i = 0; i < 6; i++) {
      const popped = q.tryPop()!
      durations.push(q.backoffDurationMs(popped.queued))
      q.addUnschedulableIfNotPresent(popped.queued, popped.cycle, true)
      assert.equal(q.where(popped.queued.podInfo.key), 'backoff', 'errors go straight to backoff')
      popped.queued.timestamp -= 60_000 // its backoff is long over
      q.flushBackoffQCompleted()
    }
    assert.deepEqual(durations, [1000, 2000, 4000, 8000, 10000, 10000])
  })

  it('sends a pod to backoff when an event arrived during its attempt', () => {
    const { q } = setup()
    q.add(P(makePod('p')))
    const popped = q.tryPop()!
    q.moveAllToActiveOrBackoffQueue({ resource: 'Node', action: 'Update' }) // while in flight
    q.addUnschedulableIfNotPresent(popped.queued, popped.cycle)
    assert.equal(q.where(popped.queued.podInfo.key), 'backoff')
  })

  it('flushes pods parked longer than 5 minutes', () => {
    const { q, clock } = setup()
    q.add(P(makePod('p')))
    const key = fail(q, ['NodeAffinity'])
    clock.ms += 5 * 60_000 - 1
    q.flushUnschedulablePodsLeftover()
    assert.equal(q.where(key), 'unschedulable')
    clock.ms += 1
    q.flushUnschedulablePodsLeftover()
    assert.equal(q.where(key), 'active')
  })

  it('moves a parked pod when its spec changes, and forgets deleted pods', () => {
    const { q } = setup()
    const pod = makePod('p')
    q.add(P(pod))
    const key = fail(q, ['NodeAffinity'])
    q.update(P(pod), P({ ...pod, status: { phase: 'Pending', conditions: [] } }))
    assert.equal(q.where(key), 'unschedulable', 'a status change is not a reason to retry')
    q.update(P(pod), P({ ...pod, spec: { ...pod.spec!, nodeSelector: { a: 'b' } } }))
    assert.notEqual(q.where(key), 'unschedulable')
    q.delete(P(pod))
    assert.equal(q.where(key), undefined)
  })

  it('wakes a waiting popper when a pod arrives', async () => {
    const { q } = setup()
    const waiting = q.waitForPod(AbortSignal.timeout(5000))
    q.add(P(makePod('p')))
    await waiting
    assert.ok(q.tryPop())
  })
})

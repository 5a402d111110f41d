import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../api/index.js'
import { fakeContext } from '../client/testing.js'
import { newScheduler, startScheduler, type Scheduler } from './scheduler.js'
import { makeNode, makePod } from './testing.js'

const K = (o: unknown) => o as KubeObject

function setup(objects: unknown[]) {
  const f = fakeContext(objects.map(K))
  const abort = new AbortController()
  let seed = 1
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
  const scheduler = newScheduler(f.ctx, { signal: abort.signal, random, bindTimeoutMs: 5000 })
  const pod = (name: string) => f.informers.of<Pod>('v1', 'Pod').get(`default/${name}`)
  return { ...f, scheduler, pod, abort }
}
/** Runs scheduling cycles until the queue has nothing ready, waiting for bindings in between. */
async function drain(s: Scheduler) {
  for (let progress = true; progress;) {
    progress = false
    while (s.scheduleOne()) progress = true
    await s.idle()
  }
}

describe('scheduler (scheduleOne end to end)', () => {
  it('binds a pod through pods/binding and records Scheduled', async () => {
    const t = setup([makeNode('n1'), makePod('web')])
    await drain(t.scheduler)
    assert.equal(t.pod('web')?.spec?.nodeName, 'n1')
    assert.ok(t.client.verbs().includes('create pods/binding'))
    assert.deepEqual(t.recorder.events, ['Normal Scheduled Successfully assigned default/web to n1'])
    assert.deepEqual(t.scheduler.cache.stats(), { nodes: 1, pods: 1, assumed: 0 }, 'the watch confirmed the assumed pod')
  })

  it('spreads 3 pods over 3 equal nodes', async () => {
    const t = setup([makeNode('a'), makeNode('b'), makeNode('c'), makePod('p1'), makePod('p2'), makePod('p3')])
    await drain(t.scheduler)
    const placed = ['p1', 'p2', 'p3'].map((n) => t.pod(n)?.spec?.nodeName)
    assert.deepEqual([...placed].sort(), ['a', 'b', 'c'])
  })

  it('ignores pods for other schedulers, and pods already bound', async () => {
    const t = setup([makeNode('a'), makePod('other', { schedulerName: 'my-scheduler' }), makePod('bound', { nodeName: 'a' })])
    await drain(t.scheduler)
    assert.equal(t.pod('other')?.spec?.nodeName, undefined)
    assert.deepEqual(t.client.verbs(), [])
  })

  it('reports FailedScheduling and PodScheduled=False, then retries when a node arrives', async () => {
    const t = setup([makeNode('small', { cpu: '1' }), makePod('big', { cpu: '2' })])
    await drain(t.scheduler)
    const msg = '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..'
    assert.deepEqual(t.recorder.events, [`Warning FailedScheduling ${msg}`])
    const cond = t.pod('big')?.status?.conditions?.find((c) => c.type === 'PodScheduled')
    assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['False', 'Unschedulable', msg])
    assert.equal(t.scheduler.queue.where('default/big'), 'unschedulable')
    t.informers.set(K(makeNode('large', { cpu: '4' })))
    t.clock.ms += 1000 // past the first backoff
    t.scheduler.queue.flushBackoffQCompleted()
    await drain(t.scheduler)
    assert.equal(t.pod('big')?.spec?.nodeName, 'large')
  })

  it('preempts a lower-priority pod, nominates the node, and schedules there once the victim is gone', async () => {
    const victim = makePod('victim', { nodeName: 'n1', cpu: '1', priority: 1 })
    const t = setup([makeNode('n1', { cpu: '1' }), victim, makePod('vip', { cpu: '1', priority: 100 })])
    await drain(t.scheduler)
    assert.equal(t.pod('victim'), undefined, 'the victim was deleted')
    assert.ok(t.recorder.events.includes(`Normal Preempted Preempted by pod ${t.pod('vip')?.metadata?.uid} on node n1`))
    assert.equal(t.pod('vip')?.status?.nominatedNodeName, 'n1')
    assert.deepEqual(t.client.actions.filter((a) => a.name === 'victim').map((a) => `${a.verb} ${a.resource}`),
      ['patch pods/status', 'delete pods'])
    t.clock.ms += 2000
    t.scheduler.queue.flushBackoffQCompleted()
    await drain(t.scheduler)
    assert.equal(t.pod('vip')?.spec?.nodeName, 'n1')
  })

  it('WaitForFirstConsumer: selects a node on the claim, waits for it to bind, then binds the pod', async () => {
    const sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'kubelite.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer' }
    const pvc: PersistentVolumeClaim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default', uid: 'pvc-uid' },
      spec: { storageClassName: 'local', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }
    const pod = makePod('db', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] })
    const t = setup([makeNode('n1'), sc, pvc, pod])
    assert.equal(t.scheduler.scheduleOne(), true)
    const binding = t.scheduler.idle()
    await new Promise((r) => setImmediate(r))
    const claim = () => t.informers.of<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim').get('default/data')
    assert.equal(claim()?.metadata?.annotations?.['volume.kubernetes.io/selected-node'], 'n1')
    assert.equal(t.pod('db')?.spec?.nodeName, undefined, 'the pod waits for its volume')
    // What the provisioner and the PV controller would do:
    const pv: PersistentVolume = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' },
      spec: { capacity: { storage: '1Gi' }, claimRef: { name: 'data', namespace: 'default', uid: 'pvc-uid' } } }
    t.informers.set(K(pv))
    t.informers.set(K({ ...claim(), spec: { ...claim()!.spec, volumeName: 'pv-1' } }))
    await binding
    assert.equal(t.pod('db')?.spec?.nodeName, 'n1')
  })

  it('reports unbound immediate claims', async () => {
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { storageClassName: 'none' } }
    const t = setup([makeNode('n1'), pvc, makePod('db', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] })])
    await drain(t.scheduler)
    assert.deepEqual(t.recorder.events, ['Warning FailedScheduling 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. ' +
      'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..'])
  })
})

describe('startScheduler', () => {
  it('schedules pods as they arrive and stops when aborted', async () => {
    const f = fakeContext([K(makeNode('n1'))])
    const abort = new AbortController()
    const { done } = startScheduler(f.ctx, { signal: abort.signal })
    const pods = f.informers.of<Pod>('v1', 'Pod')
    const bound = new Promise<string | undefined>((resolve) => {
      pods.subscribe((ev) => { if (ev.obj.spec?.nodeName) resolve(ev.obj.spec.nodeName) })
    })
    await f.client.create(K(makePod('late')))
    assert.equal(await bound, 'n1')
    abort.abort()
    await done
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { copy, type KubeObject } from '../../api/index.js'
import { harness, webSet } from './testing.js'

describe('statefulset controller: identity and ordering', () => {
  it('creates web-0 first and web-1 only once web-0 is Running and Ready', async () => {
    const h = harness()
    await h.sync()
    assert.deepEqual(h.pods(), ['web-0'])
    await h.sync()
    assert.deepEqual(h.pods(), ['web-0'], 'web-1 must wait for web-0')
    h.ready('web-0')
    await h.sync()
    assert.deepEqual(h.pods(), ['web-0', 'web-1'])
    assert.ok(h.recorder.events.includes('Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful'))
    assert.ok(h.recorder.events.includes('Normal SuccessfulCreate create Claim data-web-0 Pod web-0 in StatefulSet web success'))
  })

  it('waits for minReadySeconds before the next ordinal', async () => {
    const h = harness(webSet({ minReadySeconds: 10 }))
    await h.sync()
    h.ready('web-0')
    assert.deepEqual(await h.sync(), { requeueAfterMs: 10_000 })
    assert.deepEqual(h.pods(), ['web-0'])
    h.clock.ms += 10_000
    await h.sync()
    assert.deepEqual(h.pods(), ['web-0', 'web-1'])
  })

  it('gives each pod its claim, hostname, subdomain and identity labels, claim first', async () => {
    const h = harness()
    await h.sync()
    assert.deepEqual(h.writes().slice(0, 3), ['create controllerrevisions', 'create persistentvolumeclaims', 'create pods'])
    const [claim] = h.claims()
    assert.equal(claim?.metadata?.name, 'data-web-0')
    assert.deepEqual(claim?.metadata?.labels, { app: 'web' })
    const pod = h.pod('web-0')!
    assert.deepEqual(pod.spec?.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }])
    assert.equal(pod.spec?.hostname, 'web-0')
    assert.equal(pod.spec?.subdomain, 'web')
    assert.equal(pod.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'web-0')
    assert.equal(pod.metadata?.labels?.['apps.kubernetes.io/pod-index'], '0')
    assert.equal(pod.metadata?.labels?.['controller-revision-hash'], h.set().status?.updateRevision)
    assert.equal(pod.metadata?.ownerReferences?.[0]?.uid, 'uid-web')
  })

  it('numbers pods from spec.ordinals.start', async () => {
    const h = harness(webSet({ replicas: 2, ordinals: { start: 3 } }))
    await h.settle()
    assert.deepEqual(h.pods(), ['web-3', 'web-4'])
    assert.deepEqual(h.claims().map((c) => c.metadata?.name).sort(), ['data-web-3', 'data-web-4'])
  })

  it('scales down from the highest ordinal, one pod at a time, waiting for termination', async () => {
    const h = harness()
    await h.settle()
    h.edit((s) => { s.spec!.replicas = 1 })
    // Graceful deletion: the pod lingers with a deletionTimestamp until its kubelet is done.
    const web2 = copy(h.pod('web-2')!)
    h.client.delete = async (_k, name) => {
      const p = copy(h.pod(name)!)
      p.metadata!.deletionTimestamp = '2026-01-01T00:00:00Z'
      h.informers.set(p as KubeObject)
      h.client.actions.push({ verb: 'delete', resource: 'pods', name })
      return p as KubeObject
    }
    await h.sync()
    await h.sync()
    assert.deepEqual(h.client.actions.filter((a) => a.verb === 'delete').map((a) => a.name), ['web-2'], 'web-1 waits for web-2 to go')
    assert.ok(h.recorder.events.includes('Normal SuccessfulDelete delete Pod web-2 in StatefulSet web successful'))
    h.informers.remove(web2 as KubeObject)
    await h.sync()
    assert.deepEqual(h.client.actions.filter((a) => a.verb === 'delete').map((a) => a.name), ['web-2', 'web-1'])
    assert.equal(h.claims().length, 3, 'claims are retained')
  })

  it('recreates a deleted pod with the same name and claim', async () => {
    const h = harness()
    await h.settle()
    await h.client.delete({ apiVersion: 'v1', kind: 'Pod' }, 'web-1', 'default')
    const before = h.claims().length
    await h.sync()
    assert.deepEqual(h.pods(), ['web-0', 'web-1', 'web-2'])
    assert.equal(h.claims().length, before, 'no new claim')
    assert.equal(h.pod('web-1')?.spec?.volumes?.[0]?.persistentVolumeClaim?.claimName, 'data-web-1')
  })

  it('deletes a failed pod and creates it again', async () => {
    const h = harness()
    await h.settle()
    const failed = copy(h.pod('web-1')!)
    failed.status = { phase: 'Failed' }
    h.informers.set(failed as KubeObject)
    const oldUid = failed.metadata?.uid
    await h.sync()
    assert.equal(h.pod('web-1'), undefined)
    await h.sync()
    assert.notEqual(h.pod('web-1')?.metadata?.uid, oldUid)
  })

  it('creates and deletes all at once with podManagementPolicy Parallel', async () => {
    const h = harness(webSet({ podManagementPolicy: 'Parallel' }))
    await h.sync()
    assert.deepEqual(h.pods(), ['web-0', 'web-1', 'web-2'])
    h.edit((s) => { s.spec!.replicas = 0 })
    await h.sync()
    assert.deepEqual(h.pods(), [])
  })

  it('reports replica counts and the observed generation', async () => {
    const h = harness()
    await h.settle()
    const s = h.set().status!
    assert.equal(s.replicas, 3)
    assert.equal(s.readyReplicas, 3)
    assert.equal(s.availableReplicas, 3)
    assert.equal(s.currentReplicas, 3)
    assert.equal(s.updatedReplicas, 3)
    assert.equal(s.observedGeneration, 1)
    assert.equal(s.collisionCount, 0)
  })

  it('adopts an orphan pod whose name and labels fit, and wakes the set for it', async () => {
    const h = harness(webSet({ replicas: 1 }))
    const keys: string[] = []
    for (const t of h.controller.triggers) t.subscribe((k) => keys.push(k))
    h.informers.set({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', uid: 'orphan', labels: { app: 'web' } },
      spec: { containers: [] } } as KubeObject)
    assert.ok(keys.includes('default/web'))
    await h.sync()
    assert.equal(h.pod('web-0')?.metadata?.ownerReferences?.[0]?.uid, 'uid-web')
    assert.equal(h.pod('web-0')?.metadata?.uid, 'orphan')
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { harness, webSet } from './testing.js'

const image = (h: ReturnType<typeof harness>, name: string) => h.pod(name)?.spec?.containers[0]?.image
const setImage = (h: ReturnType<typeof harness>, img: string) =>
  h.edit((s) => { s.spec!.template.spec!.containers[0]!.image = img })

describe('statefulset controller: revisions and updates', () => {
  it('records a ControllerRevision <set>-<hash> and reports it as current and update revision', async () => {
    const h = harness()
    await h.sync()
    const [rev] = h.revisions()
    assert.match(rev!.metadata!.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/)
    assert.equal(rev!.revision, 1)
    assert.equal(rev!.metadata?.ownerReferences?.[0]?.uid, 'uid-web')
    assert.equal(rev!.metadata?.labels?.app, 'web')
    assert.ok(rev!.metadata?.labels?.['controller.kubernetes.io/hash'])
    assert.equal(h.set().status?.currentRevision, rev!.metadata!.name)
    assert.equal(h.set().status?.updateRevision, rev!.metadata!.name)
  })

  it('rolls pods from the highest ordinal down to the partition, each after the one above is ready', async () => {
    const h = harness()
    await h.settle()
    const oldRev = h.set().status!.currentRevision
    h.edit((s) => {
      s.spec!.template.spec!.containers[0]!.image = 'nginx:2'
      s.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1 } }
    })
    await h.sync()
    assert.equal(h.revisions().length, 2)
    assert.equal(h.pod('web-2'), undefined, 'web-2 is replaced first')
    assert.equal(h.pod('web-1')?.metadata?.labels?.['controller-revision-hash'], oldRev)
    await h.sync()
    assert.equal(image(h, 'web-2'), 'nginx:2')
    await h.sync()
    assert.equal(image(h, 'web-1'), 'nginx:1', 'web-1 waits for the new web-2 to be ready')
    await h.settle()
    assert.deepEqual(['web-0', 'web-1', 'web-2'].map((n) => image(h, n)), ['nginx:1', 'nginx:2', 'nginx:2'])
    const s = h.set().status!
    assert.equal(s.updatedReplicas, 2)
    assert.equal(s.currentRevision, oldRev, 'the partition keeps the update from completing')
    h.edit((x) => { x.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } })
    await h.settle()
    assert.equal(image(h, 'web-0'), 'nginx:2')
    assert.equal(h.set().status?.currentRevision, h.set().status?.updateRevision)
    assert.equal(h.set().status?.currentReplicas, 3)
  })

  it('leaves pods alone under OnDelete until they are deleted', async () => {
    const h = harness(webSet({ updateStrategy: { type: 'OnDelete' } }))
    await h.settle()
    setImage(h, 'nginx:2')
    await h.settle()
    assert.deepEqual(['web-0', 'web-1', 'web-2'].map((n) => image(h, n)), ['nginx:1', 'nginx:1', 'nginx:1'])
    await h.client.delete({ apiVersion: 'v1', kind: 'Pod' }, 'web-1', 'default')
    await h.settle()
    assert.equal(image(h, 'web-1'), 'nginx:2')
  })

  it('renumbers the earlier revision on a rollback instead of creating a new one', async () => {
    const h = harness(webSet({ replicas: 1 }))
    await h.settle()
    const first = h.revisions()[0]!.metadata!.name
    setImage(h, 'nginx:2')
    await h.settle()
    setImage(h, 'nginx:1')
    await h.settle()
    assert.equal(h.revisions().length, 2)
    const back = h.revisions().find((r) => r.metadata?.name === first)
    assert.equal(back?.revision, 3)
    assert.equal(h.set().status?.updateRevision, first)
  })

  it('deletes unused revisions beyond revisionHistoryLimit', async () => {
    const h = harness(webSet({ replicas: 1, revisionHistoryLimit: 1 }))
    for (const img of ['nginx:1', 'nginx:2', 'nginx:3', 'nginx:4']) {
      setImage(h, img)
      await h.settle()
    }
    // The live revision plus one of history.
    assert.deepEqual(h.revisions().map((r) => r.revision).sort(), [3, 4])
  })

  it('owns claims by the set under whenDeleted: Delete', async () => {
    const h = harness(webSet({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }))
    await h.settle()
    const refs = h.claims()[0]!.metadata?.ownerReferences
    assert.deepEqual(refs?.map((r) => [r.kind, r.name, r.controller]), [['StatefulSet', 'web', true]])
  })

  it('hands a scaled-down pod its claims under whenScaled: Delete', async () => {
    const h = harness(webSet({ replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } }))
    await h.settle()
    assert.deepEqual(h.claims().map((c) => c.metadata?.ownerReferences ?? []), [[], []])
    h.edit((s) => { s.spec!.replicas = 1 })
    await h.sync()
    const claim = h.claims().find((c) => c.metadata?.name === 'data-web-1')!
    assert.deepEqual(claim.metadata?.ownerReferences?.map((r) => [r.kind, r.name]), [['Pod', 'web-1']])
    assert.equal(h.pod('web-1'), undefined)
  })

  it('does not recreate a pod while its claim still belongs to the deleted pod (whenScaled: Delete)', async () => {
    const h = harness(webSet({ replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } }))
    await h.settle()
    h.edit((s) => { s.spec!.replicas = 1 })
    await h.sync()
    h.edit((s) => { s.spec!.replicas = 2 })
    await h.sync()
    assert.equal(h.pod('web-1'), undefined, 'the garbage collector must remove data-web-1 first')
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { DaemonSet } from 'kubernetes-types/apps/v1.js'
import { copy, type KubeObject } from '../../api/index.js'
import { daemonSet, harness, node } from './testing.js'

const three = () => [node('n1'), node('n2'), node('n3')]
const deletes = (h: ReturnType<typeof harness>) => h.client.verbs().filter((v) => v === 'delete pods').length

describe('daemonset controller: revisions and updates', () => {
  it('records the template as ControllerRevision ds-<hash>, and a new revision per template', async () => {
    const h = harness(daemonSet(), three())
    await h.settle()
    const [first] = h.revisions()
    const hash = first!.metadata!.labels!['controller-revision-hash']!
    assert.equal(first!.metadata!.name, `ds-${hash}`)
    assert.equal(first!.revision, 1)
    assert.equal(first!.metadata?.ownerReferences?.[0]?.uid, 'uid-ds')
    h.editTemplate('agent:2')
    await h.settle()
    const revs = h.revisions().sort((a, b) => a.revision - b.revision)
    assert.deepEqual(revs.map((r) => r.revision), [1, 2])
    assert.ok(h.pods().every((p) => p.metadata?.labels?.['controller-revision-hash'] === revs[1]!.metadata!.labels!['controller-revision-hash']))
    assert.ok(h.pods().every((p) => p.metadata?.labels?.['pod-template-generation'] === '2'))
  })

  it('rolls out one node at a time with maxUnavailable 1, waiting for each new pod', async () => {
    const h = harness(daemonSet(), three())
    await h.settle()
    h.editTemplate('agent:2')
    await h.sync()
    assert.equal(deletes(h), 1, 'one old pod goes')
    await h.sync()
    assert.equal(h.pods().filter((p) => p.spec?.containers[0]?.image === 'agent:2').length, 1)
    await h.sync()
    assert.equal(deletes(h), 1, 'no further deletion while the new pod is not available')
    await h.settle()
    assert.deepEqual(h.placement(), { n1: ['agent:2'], n2: ['agent:2'], n3: ['agent:2'] })
    assert.equal(deletes(h), 3)
    assert.equal(h.ds().status?.updatedNumberScheduled, 3)
  })

  it('deletes as many old pods as maxUnavailable allows', async () => {
    const h = harness(daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%', maxSurge: 0 } } }), three())
    await h.settle()
    h.editTemplate('agent:2')
    await h.sync()
    assert.equal(deletes(h), 3)
  })

  it('surges a new pod beside the old one and removes the old one once the new one is available', async () => {
    const h = harness(daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }), three())
    await h.settle()
    h.editTemplate('agent:2')
    await h.sync()
    const both = Object.values(h.placement()).filter((imgs) => imgs.length === 2)
    assert.deepEqual(both, [['agent:1', 'agent:2']], 'one node runs old and new side by side')
    assert.equal(deletes(h), 0)
    await h.sync()
    assert.equal(deletes(h), 0, 'the old pod stays while the new one is not ready')
    h.run()
    await h.sync()
    assert.equal(deletes(h), 1)
    await h.settle()
    assert.deepEqual(h.placement(), { n1: ['agent:2'], n2: ['agent:2'], n3: ['agent:2'] })
  })

  it('leaves old pods running under OnDelete until they are deleted', async () => {
    const h = harness(daemonSet({ updateStrategy: { type: 'OnDelete' } }), three())
    await h.settle()
    h.editTemplate('agent:2')
    await h.settle()
    assert.deepEqual(h.placement(), { n1: ['agent:1'], n2: ['agent:1'], n3: ['agent:1'] })
    assert.equal(h.ds().status?.updatedNumberScheduled, 0)
    const victim = h.pods().find((p) => p.spec?.nodeName === 'n2')!
    await h.client.delete({ apiVersion: 'v1', kind: 'Pod' }, victim.metadata!.name!, 'default')
    await h.settle()
    assert.deepEqual(h.placement().n2, ['agent:2'])
  })

  it('keeps at most revisionHistoryLimit unused old revisions', async () => {
    const h = harness(daemonSet({ revisionHistoryLimit: 1 }), [node('n1')])
    await h.settle()
    for (const img of ['agent:2', 'agent:3', 'agent:4']) {
      h.editTemplate(img)
      await h.settle()
    }
    assert.deepEqual(h.revisions().map((r) => r.revision).sort(), [3, 4])
  })

  it('renumbers the matching revision on a rollback', async () => {
    const h = harness(daemonSet(), [node('n1')])
    await h.settle()
    h.editTemplate('agent:2')
    await h.settle()
    h.editTemplate('agent:1')
    await h.settle()
    const revs = h.revisions().sort((a, b) => a.revision - b.revision)
    assert.deepEqual(revs.map((r) => [r.revision, (r.data as DaemonSet).spec?.template.spec?.containers[0]?.image]), [[2, 'agent:2'], [3, 'agent:1']])
  })

  it('warns and does nothing for a selector that selects everything', async () => {
    const ds = daemonSet()
    const h = harness(ds, [node('n1')])
    const all = copy(h.ds())
    all.spec!.selector = {}
    h.informers.set(all as KubeObject)
    await h.sync()
    assert.deepEqual(h.pods(), [])
    assert.ok(h.recorder.events.includes('Warning SelectingAll This daemon set is selecting all pods. A non-empty selector is required.'))
  })
})

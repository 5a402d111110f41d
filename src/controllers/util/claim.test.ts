import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { labelSelectorFromMeta, type KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { claimObjects } from './claim.js'

const parent = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 'uid-web' } } as KubeObject

describe('claiming by controller reference', () => {
  it('adopts matching orphans, releases owned non-matches, and leaves other controllers alone', async () => {
    const pod = (name: string, labels: Record<string, string>, owner?: string) => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: 'default', uid: `uid-${name}`, labels,
        ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: owner, uid: `uid-${owner}`, controller: true }] : undefined },
    }) as KubeObject
    const objs = [pod('orphan', { app: 'web' }), pod('mine', { app: 'web' }, 'web'), pod('stray', { app: 'db' }, 'web'),
      pod('theirs', { app: 'web' }, 'other'), pod('unmatched', { app: 'db' })]
    const f = fakeContext([parent, ...objs])
    const pods = f.informers.of<Pod>('v1', 'Pod')
    const claimed = await claimObjects(pods.list('default'), {
      client: f.client, owner: parent, kind: { apiVersion: 'v1', kind: 'Pod' }, selector: labelSelectorFromMeta({ matchLabels: { app: 'web' } }),
    })
    assert.deepEqual(claimed.map((p) => p.metadata?.name).sort(), ['mine', 'orphan'])
    assert.equal(pods.get('default/orphan')?.metadata?.ownerReferences?.[0]?.uid, 'uid-web')
    assert.equal(pods.get('default/stray')?.metadata?.ownerReferences, undefined)
    assert.equal(pods.get('default/theirs')?.metadata?.ownerReferences?.[0]?.uid, 'uid-other')
  })

  it('adopts nothing for an owner a fresh read shows deleted, and fails the pass', async () => {
    const orphan = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: 'default', uid: 'uid-orphan', labels: { app: 'web' } } } as KubeObject
    const dying = { ...parent, metadata: { ...parent.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } } as KubeObject
    const f = fakeContext([dying, orphan])
    await assert.rejects(claimObjects(f.informers.of<Pod>('v1', 'Pod').list('default'), {
      client: f.client, owner: parent, kind: { apiVersion: 'v1', kind: 'Pod' }, selector: labelSelectorFromMeta({ matchLabels: { app: 'web' } }),
    }), /can't adopt Pod default\/orphan \(uid-orphan\): default\/web has just been deleted/)
    assert.equal(f.informers.of<Pod>('v1', 'Pod').get('default/orphan')?.metadata?.ownerReferences, undefined)
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ReplicationController } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { replicationControllerController } from './index.js'
import { pod, podsOf } from './testing.js'

const rc = (replicas: number): ReplicationController & KubeObject => ({
  apiVersion: 'v1', kind: 'ReplicationController',
  metadata: { name: 'web', namespace: 'default', uid: 'uid-rc', generation: 2, resourceVersion: '1' },
  spec: { replicas, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  status: { replicas: 0 },
})

describe('replicationcontroller controller', () => {
  it('manages pods by a plain label map, owned as ReplicationController', async () => {
    const f = fakeContext([rc(2), pod('stray', { app: 'web' })])
    await replicationControllerController(f.ctx).sync('default/web', AbortSignal.timeout(5_000))
    assert.deepEqual(f.client.verbs(), ['get replicationcontrollers', 'patch pods', 'create pods', 'update replicationcontrollers/status'])
    const pods = podsOf(f.informers)
    assert.equal(pods.length, 2)
    for (const p of pods) assert.deepEqual(p.metadata?.ownerReferences?.map((r) => `${r.apiVersion}/${r.kind}/${r.uid}`), ['v1/ReplicationController/uid-rc'])
    assert.ok(f.recorder.events.some((e) => e.startsWith('Normal SuccessfulCreate Created pod: web-')))
    const status = f.informers.of<ReplicationController & KubeObject>('v1', 'ReplicationController').get('default/web')!.status
    // Status counts what the sync started from: the adopted pod, which lacks the template's tier label.
    assert.deepEqual(status, { replicas: 1, observedGeneration: 2 })
  })
})

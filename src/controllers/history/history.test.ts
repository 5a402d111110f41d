import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js'
import type { Cached, KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import {
  controllerRevisionName, createControllerRevision, hashControllerRevision, newControllerRevision,
  sortControllerRevisions, templatePatch,
} from './index.js'

const parent = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 'uid-web' } } as KubeObject
const data = templatePatch({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } })

describe('controller history', () => {
  it('hashes data stably into the vowel-free alphabet, and differently per collision probe', () => {
    const h = hashControllerRevision(data)
    assert.equal(hashControllerRevision(structuredClone(data)), h)
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/)
    assert.notEqual(hashControllerRevision(data, 1), hashControllerRevision(data, 0))
    assert.equal(controllerRevisionName('a'.repeat(300), 'h').length, 225)
  })

  it('names a revision <parent>-<hash>, owned by the parent, with the template labels and hash label', () => {
    const r = newControllerRevision(parent, { app: 'web' }, data, 4, 0)
    assert.equal(r.metadata?.name, `web-${hashControllerRevision(data, 0)}`)
    assert.equal(r.revision, 4)
    assert.deepEqual(r.metadata?.labels, { app: 'web', 'controller.kubernetes.io/hash': hashControllerRevision(data, 0) })
    assert.equal(r.metadata?.ownerReferences?.[0]?.controller, true)
  })

  it('sorts by revision, then creation time, then name', () => {
    const rev = (name: string, revision: number, ts = '2026-01-01T00:00:00Z') =>
      ({ metadata: { name, creationTimestamp: ts }, revision }) as Cached<ControllerRevision>
    const sorted = sortControllerRevisions([rev('c', 2), rev('b', 1, '2026-01-02T00:00:00Z'), rev('a', 1, '2026-01-02T00:00:00Z'), rev('z', 1)])
    assert.deepEqual(sorted.map((r) => r.metadata?.name), ['z', 'a', 'b', 'c'])
  })

  it('renames on a collision with different data and reuses identical data', async () => {
    const r = newControllerRevision(parent, { app: 'web' }, data, 1, 0)
    const squatter = { ...structuredClone(r), data: templatePatch({ spec: { containers: [] } }) }
    const { client } = fakeContext([squatter as KubeObject])
    const made = await createControllerRevision(client, parent, r, 0)
    assert.equal(made.collisionCount, 1)
    assert.equal(made.revision.metadata?.name, `web-${hashControllerRevision(data, 1)}`)
    const again = await createControllerRevision(client, parent, r, 1)
    assert.equal(again.revision.metadata?.uid, made.revision.metadata?.uid, 'an equal revision is reused')
  })
})

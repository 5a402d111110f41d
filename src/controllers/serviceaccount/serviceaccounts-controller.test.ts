import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { serviceAccountController } from './serviceaccounts-controller.js'

const signal = AbortSignal.timeout(5_000)
const ns = (name: string, phase = 'Active', extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `ns-${name}`, ...extra }, status: { phase } })
const sa = (namespace: string): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } })

describe('service account controller', () => {
  it('creates the default ServiceAccount in an active namespace', async () => {
    const f = fakeContext([ns('team')])
    await serviceAccountController(f.ctx).sync('team', signal)
    assert.deepEqual(f.client.verbs(), ['create serviceaccounts'])
    assert.ok(f.informers.of('v1', 'ServiceAccount').get('team/default'))
  })

  it('does nothing when it exists, or when the namespace is terminating', async () => {
    const f = fakeContext([ns('team'), sa('team'), ns('going', 'Terminating', { deletionTimestamp: '2026-01-01T00:00:00Z' })])
    const c = serviceAccountController(f.ctx)
    await c.sync('team', signal)
    await c.sync('going', signal)
    await c.sync('missing', signal)
    assert.deepEqual(f.client.verbs(), [])
  })

  it('recreates the account after it is deleted', async () => {
    const f = fakeContext([ns('team'), sa('team')])
    const c = serviceAccountController(f.ctx)
    const keys: string[] = []
    for (const t of c.triggers) t.subscribe((k) => keys.push(k))
    keys.length = 0
    f.informers.remove(sa('team'))
    assert.deepEqual(keys, ['team'])
    await c.sync('team', signal)
    assert.deepEqual(f.client.verbs(), ['create serviceaccounts'])
  })
})

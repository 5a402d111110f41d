import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ConfigMap } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { rootCACertPublisher } from './root-ca-cert-publisher.js'

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
const ns = (name: string, terminating = false) => ({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `uid-${name}`, ...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase: terminating ? 'Terminating' : 'Active' },
}) as KubeObject
const signal = AbortSignal.timeout(5000)

describe('root CA publisher', () => {
  it('publishes kube-root-ca.crt in an active namespace, and puts back an edited one', async () => {
    const f = fakeContext([ns('team')])
    const c = rootCACertPublisher(f.ctx, { caPem: PEM })
    await c.sync('team', signal)
    const cm = f.informers.of<ConfigMap>('v1', 'ConfigMap').get('team/kube-root-ca.crt')
    assert.deepEqual(cm?.data, { 'ca.crt': PEM })
    assert.match(cm?.metadata?.annotations?.['kubernetes.io/description'] ?? '', /^Contains a CA bundle that can be used to verify the kube-apiserver/)
    f.informers.set({ ...(cm as KubeObject), data: { 'ca.crt': 'tampered', extra: 'x' } })
    await c.sync('team', signal)
    assert.deepEqual(f.informers.of<ConfigMap>('v1', 'ConfigMap').get('team/kube-root-ca.crt')?.data, { 'ca.crt': PEM })
    f.client.actions.length = 0
    await c.sync('team', signal)
    assert.deepEqual(f.client.verbs(), [], 'nothing to do once it is right')
  })

  it('leaves terminating namespaces alone', async () => {
    const f = fakeContext([ns('gone', true)])
    await rootCACertPublisher(f.ctx, { caPem: PEM }).sync('gone', signal)
    assert.deepEqual(f.client.verbs(), [])
  })
})

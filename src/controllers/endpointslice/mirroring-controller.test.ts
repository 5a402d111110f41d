import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js'
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import type { KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { endpointSliceMirroringController } from './mirroring-controller.js'

const svc = (selector?: Record<string, string>): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default', uid: 'uid-svc' },
  spec: { clusterIP: '10.96.0.20', ports: [{ port: 5432 }], ...(selector ? { selector } : {}) },
})
const endpoints = (labels: Record<string, string> = {}): Endpoints => ({
  apiVersion: 'v1', kind: 'Endpoints',
  metadata: { name: 'db', namespace: 'default', uid: 'uid-ep', labels: { app: 'db', ...labels }, annotations: { note: 'external' } },
  subsets: [{ addresses: [{ ip: '192.0.2.1' }], notReadyAddresses: [{ ip: '192.0.2.2' }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }],
})

async function setup(objects: object[]) {
  const f = fakeContext(objects as KubeObject[])
  const c = endpointSliceMirroringController(f.ctx)
  const sync = () => c.sync('default/db', AbortSignal.timeout(5000))
  const slices = () => f.informers.of<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice').list('default')
  await sync()
  return { ...f, sync, slices }
}

describe('endpointSliceMirroringController', () => {
  it('mirrors the Endpoints of a selector-less Service into a slice owned by the Endpoints', async () => {
    const { slices, sync, client } = await setup([svc(), endpoints()])
    const [s] = slices()
    assert.equal(s?.metadata?.generateName, 'db-')
    assert.deepEqual(s?.metadata?.labels, {
      app: 'db', 'kubernetes.io/service-name': 'db', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io',
    })
    assert.deepEqual(s?.metadata?.annotations, { note: 'external' })
    assert.equal(s?.metadata?.ownerReferences?.[0]?.kind, 'Endpoints')
    assert.deepEqual(s?.ports, [{ name: 'pg', port: 5432, protocol: 'TCP' }])
    assert.deepEqual(s?.endpoints, [
      { addresses: ['192.0.2.1'], conditions: { ready: true } }, { addresses: ['192.0.2.2'], conditions: { ready: false } },
    ])
    await sync()
    assert.deepEqual(client.verbs(), ['create endpointslices'])
  })

  it('removes the mirrored slices when the Endpoints asks to skip mirroring or the Service gains a selector', async () => {
    const { sync, slices, informers } = await setup([svc(), endpoints()])
    assert.equal(slices().length, 1)
    informers.set(endpoints({ 'endpointslice.kubernetes.io/skip-mirror': 'true' }) as KubeObject)
    await sync()
    assert.equal(slices().length, 0)
    informers.set(endpoints() as KubeObject)
    await sync()
    assert.equal(slices().length, 1)
    informers.set(svc({ app: 'db' }) as KubeObject)
    await sync()
    assert.equal(slices().length, 0)
  })
})

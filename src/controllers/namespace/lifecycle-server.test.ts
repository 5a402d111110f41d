// The garbage collector, namespace and service account controllers against a real API
// server (memory storage, in-process transport): real deletion semantics, the finalize
// subresource and the server's refusal of new content in a terminating namespace.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js'
import { isNotFound, type KubeObject } from '../../api/index.js'
import { startControllersOnTestServer, until, type Client } from '../../client/index.js'
import { garbageCollector } from '../garbagecollector/index.js'
import { serviceAccountController } from '../serviceaccount/index.js'
import { namespaceController } from './namespace-controller.js'

const NS = { apiVersion: 'v1', kind: 'Namespace' }
const CM = { apiVersion: 'v1', kind: 'ConfigMap' }
const SA = { apiVersion: 'v1', kind: 'ServiceAccount' }

const gone = (client: Client, kind: { apiVersion: string; kind: string }, name: string, ns?: string) => async () => {
  try {
    await client.get(kind, name, ns)
    return undefined
  } catch (err) {
    return isNotFound(err) ? true : undefined
  }
}

describe('lifecycle controllers on a real API server', () => {
  let t: Awaited<ReturnType<typeof startControllersOnTestServer>>
  before(async () => {
    t = await startControllersOnTestServer((ctx) => [garbageCollector(ctx), namespaceController(ctx), serviceAccountController(ctx)])
  })
  after(() => t.close())

  it('collects a dependent once its owner is deleted', async () => {
    const owner = await t.client.create<KubeObject>({ ...CM, metadata: { name: 'owner', namespace: 'default' } })
    await t.client.create<KubeObject>({ ...CM, metadata: { name: 'dependent', namespace: 'default',
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! }] } })
    await new Promise((r) => setTimeout(r, 100))
    assert.ok(await t.client.get(CM, 'dependent', 'default'), 'kept while its owner lives')
    await t.client.delete(CM, 'owner', 'default', { propagationPolicy: 'Background' })
    await until('the dependent to be collected', gone(t.client, CM, 'dependent', 'default'))
  })

  it('gives a new namespace its default ServiceAccount, and drains it once deleted', async () => {
    await t.client.create<KubeObject>({ ...NS, metadata: { name: 'team' } })
    await until('the default ServiceAccount', async () => {
      try {
        return await t.client.get<ServiceAccount & KubeObject>(SA, 'default', 'team')
      } catch {
        return undefined
      }
    })
    await t.client.create<KubeObject>({ ...CM, metadata: { name: 'settings', namespace: 'team' } })
    await t.client.delete(NS, 'team')
    await until('the content to be deleted', gone(t.client, CM, 'settings', 'team'))
    await until('the default ServiceAccount to be deleted and stay so', gone(t.client, SA, 'default', 'team'))
  })

  // The server routes /api/v1/namespaces/{name}/finalize (and /status) as a resource named
  // "finalize" inside namespace {name}; upstream treats both as the namespace's subresources.
  it('removes a drained namespace through its finalize subresource', async () => {
    await t.client.create<KubeObject>({ ...NS, metadata: { name: 'short-lived' } })
    await t.client.create<KubeObject>({ ...CM, metadata: { name: 'settings', namespace: 'short-lived' } })
    await t.client.delete(NS, 'short-lived')
    await until('the namespace to be gone', gone(t.client, NS, 'short-lived'))
    const ns = await t.client.list<Namespace & KubeObject>(NS)
    assert.ok(!ns.items.some((n) => n.metadata?.name === 'short-lived'))
  })
})

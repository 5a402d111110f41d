// The garbage collector, namespace and service account controllers against a real API
// server (memory storage, in-process transport): real deletion semantics, the finalize
// subresource and the server's refusal of new content in a terminating namespace.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js'
import { isNotFound, type KubeObject } from '../../api/index.js'
import { createInformers, eventBroadcaster, runController, type Client, type ControllerContext } from '../../client/index.js'
import { startTestServer } from '../../client/test-server.js'
import { garbageCollector } from '../garbagecollector/index.js'
import { serviceAccountController } from '../serviceaccount/index.js'
import { namespaceController } from './namespace-controller.js'

const NS = { apiVersion: 'v1', kind: 'Namespace' }
const CM = { apiVersion: 'v1', kind: 'ConfigMap' }
const SA = { apiVersion: 'v1', kind: 'ServiceAccount' }

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const v = await probe()
    if (v !== undefined) return v
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`timed out waiting for ${what}`)
}
const gone = (client: Client, kind: { apiVersion: string; kind: string }, name: string, ns?: string) => async () => {
  try {
    await client.get(kind, name, ns)
    return undefined
  } catch (err) {
    return isNotFound(err) ? true : undefined
  }
}

describe('lifecycle controllers on a real API server', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>
  const ac = new AbortController()
  before(async () => {
    t = await startTestServer()
    // The Client has no finalize call yet; this stands in for `update(ns, {subresource})`.
    const transport = t.server.inProcess({ username: 'system:kube-controller-manager', groups: ['system:authenticated'] })
    const client: Client = {
      ...t.client,
      async update(obj, opts) {
        if ((opts as { subresource?: string } | undefined)?.subresource !== 'finalize') return t.client.update(obj, opts)
        const res = await transport.request({ method: 'PUT', path: `/api/v1/namespaces/${obj.metadata?.name}/finalize`,
          headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(obj) })
        assert.equal(res.status, 200, res.body.toString())
        return JSON.parse(res.body.toString()) as never
      },
    }
    const informers = createInformers(client)
    const ctx: ControllerContext = { client, informers, recorder: eventBroadcaster(client), now: Date.now }
    const loops = [garbageCollector(ctx), namespaceController(ctx), serviceAccountController(ctx)]
    informers.start(ac.signal)
    for (const c of loops) void runController(c, { workers: 2, signal: ac.signal, informers, onError: () => {} })
  })
  after(async () => {
    ac.abort()
    await t.close()
  })

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

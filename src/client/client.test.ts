import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js'
import { isConflict, isNotFound, isStatusError, type KubeObject } from '../api/index.js'
import { startTestServer } from './test-server.js'
import type { Client } from './types.js'

const CM = { apiVersion: 'v1', kind: 'ConfigMap' }
const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data })

for (const transport of ['in-process', 'http'] as const) {
  describe(`client over ${transport}`, () => {
    let t: Awaited<ReturnType<typeof startTestServer>>
    let c: Client
    before(async () => {
      t = await startTestServer()
      c = transport === 'http' ? t.http : t.client
    })
    after(() => t.close())

    it('creates, reads, updates, patches and deletes, each answer a fresh copy', async () => {
      const created = await c.create(cm(`a-${transport}`, { x: '1' })) as ConfigMap & KubeObject
      assert.ok(created.metadata?.uid)
      const got = await c.get<ConfigMap & KubeObject>(CM, `a-${transport}`, 'default')
      assert.deepEqual(got.data, { x: '1' })
      got.data!.x = '2'
      const updated = await c.update(got)
      assert.notEqual(updated.metadata?.resourceVersion, created.metadata?.resourceVersion)
      const patched = await c.patch<ConfigMap & KubeObject>(CM, `a-${transport}`, 'default', { data: { y: '3' } })
      assert.deepEqual(patched.data, { x: '2', y: '3' })
      const list = await c.list<ConfigMap & KubeObject>(CM, { namespace: 'default' })
      assert.ok(list.items.some((i) => i.metadata?.name === `a-${transport}`))
      await c.delete(CM, `a-${transport}`, 'default')
      await assert.rejects(c.get(CM, `a-${transport}`, 'default'), (err) => isNotFound(err))
    })

    it('a stale update is the server\'s Conflict, with its message', async () => {
      const a = await c.create(cm(`stale-${transport}`)) as ConfigMap & KubeObject
      await c.update({ ...a, data: { v: '1' } })
      await assert.rejects(c.update({ ...a, data: { v: '2' } }), (err) => {
        assert.ok(isConflict(err))
        assert.match((err as Error).message, /the object has been modified/)
        return true
      })
    })

    it('invalid objects are refused with 422 and the field in the message', async () => {
      await assert.rejects(c.create(cm('Bad_Name')), (err) => isStatusError(err) && err.status.code === 422 && /Bad_Name/.test(err.message))
    })

    it('watches stream events from a resourceVersion', async () => {
      const list = await c.list(CM, { namespace: 'default' })
      const ac = new AbortController()
      const seen: string[] = []
      const done = (async () => {
        for await (const ev of c.watch(CM, { namespace: 'default', resourceVersion: list.metadata.resourceVersion, signal: ac.signal })) {
          seen.push(`${ev.type} ${ev.object.metadata?.name}`)
          if (seen.length === 2) ac.abort()
        }
      })()
      await c.create(cm(`w-${transport}`))
      await c.delete(CM, `w-${transport}`, 'default')
      await done
      assert.deepEqual(seen, [`ADDED w-${transport}`, `DELETED w-${transport}`])
    })

    it('posts subresources: a binding sets the pod\'s node', async () => {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${transport}`, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }
      await c.create(pod)
      await c.createSubresource({ apiVersion: 'v1', kind: 'Pod' }, `p-${transport}`, 'default', 'binding',
        { apiVersion: 'v1', kind: 'Binding', metadata: { name: `p-${transport}` }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } } as KubeObject)
      const got = await c.get<Pod & KubeObject>({ apiVersion: 'v1', kind: 'Pod' }, `p-${transport}`, 'default')
      assert.equal(got.spec?.nodeName, 'n1')
    })
  })
}

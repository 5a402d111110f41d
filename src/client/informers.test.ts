import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { ConfigMap } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../api/index.js'
import { createInformers } from './informers.js'
import { runController } from './run-controller.js'
import { eventBroadcaster } from './event-recorder.js'
import { startTestServer } from './test-server.js'

const CM = { apiVersion: 'v1', kind: 'ConfigMap' }
const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data })

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setImmediate(r))
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20))
  assert.ok(cond(), `timed out waiting for ${what}`)
}

describe('informers and the reconcile loop against a real server', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>
  const ac = new AbortController()
  before(async () => {
    t = await startTestServer()
  })
  after(async () => {
    ac.abort()
    await t.close()
  })

  it('lists, then follows the watch; indexes follow changes', async () => {
    await t.client.create(cm('pre', { team: 'a' }))
    const informers = createInformers(t.client)
    const cms = informers.of<ConfigMap & KubeObject>('v1', 'ConfigMap')
    cms.addIndex('team', (o) => (o.data?.team ? [o.data.team] : []))
    informers.start(ac.signal)
    await informers.waitForSync(ac.signal)
    assert.equal(cms.get('default/pre')?.data?.team, 'a')
    assert.equal(cms.get('default/pre')?.kind, 'ConfigMap')
    await t.client.create(cm('post', { team: 'b' }))
    await until(() => cms.byIndex('team', 'b').length === 1, 'the watched create')
    await t.client.patch(CM, 'post', 'default', { data: { team: 'a' } })
    await until(() => cms.byIndex('team', 'a').length === 2 && cms.byIndex('team', 'b').length === 0, 'the index to move')
    await t.client.delete(CM, 'pre', 'default')
    await until(() => !cms.get('default/pre'), 'the delete')
  })

  it('a controller converges every key, and retries a failing sync', async () => {
    const informers = createInformers(t.client)
    const cms = informers.of<ConfigMap & KubeObject>('v1', 'ConfigMap')
    const attempts = new Map<string, number>()
    const loop = runController({
      name: 'stamper',
      triggers: [cms.on((ev) => [`${ev.obj.metadata?.namespace}/${ev.obj.metadata?.name}`])],
      async sync(key) {
        const n = (attempts.get(key) ?? 0) + 1
        attempts.set(key, n)
        const o = cms.get(key)
        if (!o || o.data?.stamped) return
        if (o.metadata?.name === 'flaky' && n < 3) throw new Error('not yet')
        await t.client.patch(CM, o.metadata!.name!, 'default', { data: { stamped: 'yes' } })
      },
    }, { signal: ac.signal, informers, onError: () => {} })
    informers.start(ac.signal)
    await t.client.create(cm('flaky'))
    await t.client.create(cm('steady'))
    await until(() => cms.get('default/flaky')?.data?.stamped === 'yes' && cms.get('default/steady')?.data?.stamped === 'yes', 'both stamped')
    assert.ok((attempts.get('default/flaky') ?? 0) >= 3)
    void loop
  })

  it('records events, counting repeats on one Event instead of writing new ones', async () => {
    const recorder = eventBroadcaster(t.client)('test-controller')
    const obj = await t.client.create(cm('noisy')) as ConfigMap & KubeObject
    for (let i = 0; i < 5; i++) recorder.event(obj, 'Normal', 'Poked', 'poked it')
    recorder.event(obj, 'Warning', 'Broke', 'it broke')
    let events: KubeObject[] = []
    for (let i = 0; i < 50; i++) {
      events = (await t.client.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default', fieldSelector: 'involvedObject.name=noisy' })).items
      const poked = events.find((e) => e.reason === 'Poked') as { count?: number } | undefined
      if (events.length === 2 && poked?.count === 5) break
      await new Promise((r) => setTimeout(r, 20))
    }
    assert.equal(events.length, 2)
    const poked = events.find((e) => e.reason === 'Poked') as KubeObject & { count?: number; source?: { component?: string }; involvedObject?: { kind?: string } }
    assert.equal(poked.count, 5)
    assert.equal(poked.source?.component, 'test-controller')
    assert.equal(poked.involvedObject?.kind, 'ConfigMap')
  })
})

describe('informer re-list', () => {
  it('a watch refused as too old (410) makes the informer list again and catch up', async () => {
    const t = await startTestServer()
    const ac = new AbortController()
    try {
      let lists = 0
      let refuseNextWatch = true
      const { statusErrorFrom } = await import('./client.js')
      const client = {
        ...t.client,
        list: ((kind, o) => {
          lists++
          return t.client.list(kind, o)
        }) as typeof t.client.list,
        watch: ((kind, o) => {
          if (refuseNextWatch) {
            refuseNextWatch = false
            // What the server answers for a compacted resourceVersion.
            // eslint-disable-next-line require-yield
            return (async function* () {
              throw statusErrorFrom(410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }, 'watch')
            })()
          }
          return t.client.watch(kind, o)
        }) as typeof t.client.watch,
      }
      await t.client.create(cm('before'))
      const informers = createInformers(client, { onError: () => {} })
      const cms = informers.of<ConfigMap & KubeObject>('v1', 'ConfigMap')
      informers.start(ac.signal)
      await informers.waitForSync(ac.signal)
      await t.client.create(cm('after'))
      await until(() => !!cms.get('default/after'), 'the object created after the 410')
      assert.equal(lists, 2, 'listed once at start and once after the 410')
      assert.ok(cms.get('default/before'))
    } finally {
      ac.abort()
      await t.close()
    }
  })
})

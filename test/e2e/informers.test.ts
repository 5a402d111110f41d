/**
 * Watch correctness as client libraries see it: a @kubernetes/client-node informer and a raw
 * watch must deliver every ADDED/MODIFIED/DELETED event exactly once, in order, while 20
 * clients write concurrently; after compaction, a watch from a compacted revision gets 410
 * and the informer re-lists.
 *
 * Compaction runs every 5 minutes by default, too slow here; the second suite starts the
 * server with `--compaction-interval`, which compacts each tick to the revision seen at the
 * previous tick (upstream's compactor semantics, at a test-sized interval).
 */
import assert from 'node:assert/strict'
import { request } from 'node:https'
import { after, before, describe, it } from 'node:test'
import * as k8s from '@kubernetes/client-node'
import { poll, startCluster, type Cluster } from './harness.js'

type Ev = { type: string; name: string; rv: number }

function client(c: Cluster): { kc: k8s.KubeConfig; api: k8s.CoreV1Api } {
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(c.kubeconfig)
  return { kc, api: kc.makeApiClient(k8s.CoreV1Api) }
}

/** Opens a raw watch and returns its HTTP status and every NDJSON line until the server ends it or `ms` pass. */
async function rawWatch(kc: k8s.KubeConfig, path: string, ms: number): Promise<{ status: number; events: { type: string; object: Record<string, unknown> }[] }> {
  const url = new URL(kc.getCurrentCluster()!.server + path)
  const opts: import('node:https').RequestOptions = { method: 'GET', hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers: {} }
  await kc.applyToHTTPSOptions(opts)
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      let buf = ''
      const timer = setTimeout(() => req.destroy(), ms)
      res.setEncoding('utf8')
      res.on('data', (d: string) => (buf += d))
      const finish = () => {
        clearTimeout(timer)
        resolve({ status: res.statusCode ?? 0, events: buf.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; object: Record<string, unknown> }) })
      }
      res.on('end', finish)
      res.on('close', finish)
    })
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)))
    req.end()
  })
}

/** Events grouped by object name, in delivery order. */
function byName(events: Ev[]): Map<string, Ev[]> {
  const m = new Map<string, Ev[]>()
  for (const e of events) m.set(e.name, [...(m.get(e.name) ?? []), e])
  return m
}

function watchInformer(kc: k8s.KubeConfig, api: k8s.CoreV1Api, ns: string) {
  let lists = 0
  const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => {
    lists++
    return api.listNamespacedConfigMap({ namespace: ns })
  })
  const events: Ev[] = []
  const rec = (type: string) => (o: k8s.V1ConfigMap) => events.push({ type, name: o.metadata!.name!, rv: Number(o.metadata!.resourceVersion) })
  informer.on('add', rec('ADDED'))
  informer.on('update', rec('MODIFIED'))
  informer.on('delete', rec('DELETED'))
  const errors: unknown[] = []
  informer.on('error', (err) => errors.push(err))
  return { informer, events, errors, lists: () => lists }
}

/** Waits until the informer's cache holds exactly what a fresh list returns. */
async function cacheMatchesList(informer: k8s.Informer<k8s.V1ConfigMap> & k8s.ObjectCache<k8s.V1ConfigMap>, api: k8s.CoreV1Api, ns: string) {
  const snapshot = (items: readonly k8s.V1ConfigMap[]) => items.map((o) => `${o.metadata!.name}@${o.metadata!.resourceVersion}`).sort().join(' ')
  await poll('informer cache to equal a fresh list', async () => {
    const fresh = snapshot((await api.listNamespacedConfigMap({ namespace: ns })).items)
    return snapshot(informer.list(ns)) === fresh ? true : undefined
  }, 30_000, 200)
}

describe('informers under concurrent writes', () => {
  let c: Cluster
  // Counts every event in its namespaces: no controllers adding kube-root-ca.crt there.
  before(async () => { c = await startCluster({ extraArgs: ['--disable-controller-manager', '--disable-scheduler'] }) })
  after(() => c?.stop())

  it('20 clients, 2,000 objects: every event once, in order', async () => {
    const { kc, api } = client(c)
    const ns = 'inf'
    await api.createNamespace({ body: { metadata: { name: ns } } })
    const start = await api.listNamespacedConfigMap({ namespace: ns })
    const raw: Ev[] = []
    const rawDone: unknown[] = []
    const rawReq = await new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: start.metadata!.resourceVersion },
      (type, obj: k8s.V1ConfigMap) => raw.push({ type, name: obj.metadata!.name!, rv: Number(obj.metadata!.resourceVersion) }),
      (err) => rawDone.push(err ?? 'closed'))
    const inf = watchInformer(kc, api, ns)
    await inf.informer.start()

    const expected = new Map<string, Ev[]>()
    const perClient = 100
    await Promise.all(Array.from({ length: 20 }, async (_, w) => {
      const { api: mine } = client(c) // each writer is its own client
      for (let i = 0; i < perClient; i++) {
        const name = `w${w}-${i}`
        const seq: Ev[] = []
        let obj = await mine.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name }, data: { v: '0' } } })
        seq.push({ type: 'ADDED', name, rv: Number(obj.metadata!.resourceVersion) })
        for (let u = 1; u <= i % 3; u++) {
          obj = await mine.replaceNamespacedConfigMap({ name, namespace: ns, body: { ...obj, data: { v: String(u) } } })
          seq.push({ type: 'MODIFIED', name, rv: Number(obj.metadata!.resourceVersion) })
        }
        if (i % 2 === 0) {
          await mine.deleteNamespacedConfigMap({ name, namespace: ns })
          seq.push({ type: 'DELETED', name, rv: NaN }) // the delete reply is a Status, without the revision
        }
        expected.set(name, seq)
      }
    }))
    const total = [...expected.values()].reduce((n, s) => n + s.length, 0)
    assert.equal(expected.size, 2000)

    await poll(`informer to deliver ${total} events (has ${inf.events.length})`, () => (inf.events.length >= total ? true : undefined), 60_000, 200)
    await poll(`raw watch to deliver ${total} events (has ${raw.length})`, () => (raw.length >= total ? true : undefined), 60_000, 200)
    await cacheMatchesList(inf.informer, api, ns)
    // Stopping aborts the watches, which client-node reports as errors: look before that.
    const errors = [...inf.errors]
    const rawEnded = [...rawDone]
    await inf.informer.stop()
    rawReq.abort()

    assert.deepEqual(errors, [])
    assert.deepEqual(rawEnded, [], 'the raw watch ended early')
    assert.equal(inf.lists(), 1, 'the informer should not have had to re-list')
    for (const [label, got] of [['informer', inf.events], ['raw watch', raw]] as const) {
      assert.equal(got.length, total, `${label}: ${got.length} events, expected ${total}`)
      const actual = byName(got)
      for (const [name, want] of expected) {
        const have = actual.get(name) ?? []
        assert.deepEqual(have.map((e) => e.type), want.map((e) => e.type), `${label}: event types for ${name}`)
        have.forEach((e, k) => {
          if (want[k]!.type === 'DELETED') assert.ok(e.rv > have[k - 1]!.rv, `${label}: ${name} DELETED rv ${e.rv} not after ${have[k - 1]!.rv}`)
          else assert.equal(e.rv, want[k]!.rv, `${label}: ${name} event ${k} (${e.type})`)
        })
      }
    }
    // A single watch delivers revisions in commit order.
    raw.slice(1).forEach((e, k) => assert.ok(e.rv > raw[k]!.rv, `raw watch out of order at ${k + 1}: ${raw[k]!.rv} then ${e.rv}`))
  })
})

describe('watch after compaction', () => {
  let c: Cluster
  before(async () => { c = await startCluster({ extraArgs: ['--compaction-interval', '200ms', '--disable-controller-manager', '--disable-scheduler'] }) })
  after(() => c?.stop())

  it('a raw watch from resourceVersion=1 gets an ERROR event: 410 Expired', async () => {
    const { kc, api } = client(c)
    for (let i = 0; i < 5; i++) await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `fill-${i}` }, data: { i: String(i) } } })
    const r = await poll('a watch from resourceVersion=1 to be refused', async () => {
      const w = await rawWatch(kc, '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1', 3_000)
      return w.events[0]?.type === 'ERROR' ? w : undefined
    }, 20_000, 200)
    assert.equal(r.status, 200)
    assert.equal(r.events.length, 1, 'the server ends the watch after the ERROR event')
    const st = r.events[0]!.object as { kind: string; apiVersion: string; status: string; reason: string; code: number; message: string }
    assert.equal(st.kind, 'Status')
    assert.equal(st.apiVersion, 'v1')
    assert.equal(st.status, 'Failure')
    assert.equal(st.reason, 'Expired')
    assert.equal(st.code, 410)
    assert.match(st.message, /^too old resource version: 1 \(\d+\)$/)
  })

  it('an informer whose revision was compacted re-lists and converges', async () => {
    const { kc, api } = client(c)
    const ns = 'cmp'
    await api.createNamespace({ body: { metadata: { name: ns } } })
    for (const n of ['keep', 'change', 'drop']) await api.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: n }, data: { v: '0' } } })
    const inf = watchInformer(kc, api, ns)
    await inf.informer.start()
    await cacheMatchesList(inf.informer, api, ns)
    // ListWatch has latestResourceVersion(); makeInformer's declared type leaves it out.
    const seenRv = (inf.informer as unknown as { latestResourceVersion(): string }).latestResourceVersion()
    assert.match(seenRv, /^\d+$/)
    await inf.informer.stop()

    // While it is stopped: one update, one delete, one create; then wait for compaction past seenRv.
    const change = await api.readNamespacedConfigMap({ name: 'change', namespace: ns })
    await api.replaceNamespacedConfigMap({ name: 'change', namespace: ns, body: { ...change, data: { v: '1' } } })
    await api.deleteNamespacedConfigMap({ name: 'drop', namespace: ns })
    await api.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'new' }, data: { v: '0' } } })
    await poll(`revision ${seenRv} to be compacted`, async () => {
      const w = await rawWatch(kc, `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${seenRv}`, 2_000)
      return w.events[0]?.type === 'ERROR' && (w.events[0].object as { code?: number }).code === 410 ? true : undefined
    }, 20_000, 200)

    const before = inf.events.length
    await inf.informer.start() // resumes from seenRv: 410, then a fresh list
    await cacheMatchesList(inf.informer, api, ns)
    await inf.informer.stop()
    assert.ok(inf.lists() >= 2, `the informer listed ${inf.lists()} time(s)`)
    const after = inf.events.slice(before).map((e) => `${e.type} ${e.name}`).sort()
    assert.deepEqual(after, ['ADDED new', 'DELETED drop', 'MODIFIED change'])
    assert.deepEqual(inf.informer.list(ns).map((o) => `${o.metadata!.name}=${o.data!.v}`).sort(), ['change=1', 'keep=0', 'new=0'])
  })
})

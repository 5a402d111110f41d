/**
 * Crash durability with sqlite: five concurrent clients create and update ConfigMaps, the
 * server is SIGKILLed mid-stream, and after a restart on the same data directory every
 * acknowledged write is there with its resourceVersion and content, and new writes get
 * higher resourceVersions than anything acknowledged before the crash.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import * as k8s from '@kubernetes/client-node'
import { poll, startCluster, type Cluster } from './harness.js'

type Write = { name: string; content: string; rv: number }

const api = (c: Cluster) => {
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(c.kubeconfig)
  return kc.makeApiClient(k8s.CoreV1Api)
}

describe('durability across SIGKILL (sqlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelite-e2e-dur-'))
  const clusters: Cluster[] = []
  after(async () => {
    for (const c of clusters) await c.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('every acknowledged write survives, and revisions keep increasing', async () => {
    const c1 = await startCluster({ datastore: 'sqlite', dataDir })
    clusters.push(c1)
    const acked = new Map<string, Write>() // last acknowledged write per name
    const unsure: Write[] = [] // the one request per client that was in flight at the kill
    let ackCount = 0
    let maxAckedRv = 0
    const ack = (w: Write) => {
      acked.set(w.name, w)
      ackCount++
      maxAckedRv = Math.max(maxAckedRv, w.rv)
    }

    const writers = Array.from({ length: 5 }, async (_, w) => {
      const client = api(c1)
      for (let i = 0; ; i++) {
        const name = `dur-${w}-${i}`
        let pending: Write = { name, content: `${name}:0`, rv: NaN }
        try {
          let obj = await client.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name }, data: { content: pending.content } } })
          ack({ ...pending, rv: Number(obj.metadata!.resourceVersion) })
          for (let u = 1; u <= 3; u++) {
            pending = { name, content: `${name}:${u}`, rv: NaN }
            obj = await client.replaceNamespacedConfigMap({ name, namespace: 'default', body: { ...obj, data: { content: pending.content } } })
            ack({ ...pending, rv: Number(obj.metadata!.resourceVersion) })
          }
        } catch {
          unsure.push(pending) // the server is gone: this write may or may not have committed
          return
        }
      }
    })
    await poll('300 acknowledged writes', () => (ackCount >= 300 ? true : undefined), 60_000, 5)
    await c1.kill()
    await Promise.all(writers)
    assert.equal(unsure.length, 5)

    const c2 = await startCluster({ datastore: 'sqlite', dataDir })
    clusters.push(c2)
    const client = api(c2)
    const stored = new Map<string, Write>()
    for (const o of (await client.listNamespacedConfigMap({ namespace: 'default' })).items) {
      if (o.metadata!.name!.startsWith('dur-')) stored.set(o.metadata!.name!, { name: o.metadata!.name!, content: o.data?.content ?? '', rv: Number(o.metadata!.resourceVersion) })
    }
    for (const [name, want] of acked) {
      const got = stored.get(name)
      assert.ok(got, `acknowledged ${name} (rv ${want.rv}) is missing after the crash`)
      const inFlight = unsure.find((u) => u.name === name && u.content === got.content)
      if (inFlight) assert.ok(got.rv > want.rv, `${name}: in-flight write stored at rv ${got.rv}, not after ${want.rv}`)
      else assert.deepEqual(got, want, `${name} after the crash`)
    }
    for (const [name, got] of stored) {
      if (!acked.has(name)) assert.ok(unsure.some((u) => u.name === name && u.content === got.content), `${name} was never written`)
    }

    const fresh = await client.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after-crash' }, data: { a: 'b' } } })
    const rv = Number(fresh.metadata!.resourceVersion)
    const maxStored = Math.max(...[...stored.values()].map((w) => w.rv))
    assert.ok(rv > maxAckedRv && rv > maxStored, `new write got rv ${rv}; acknowledged up to ${maxAckedRv}, stored up to ${maxStored}`)
    const list = await client.listNamespacedConfigMap({ namespace: 'default' })
    assert.ok(Number(list.metadata!.resourceVersion) >= rv)
  })
})

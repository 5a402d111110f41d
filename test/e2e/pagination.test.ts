/**
 * List pagination with @kubernetes/client-node: every page of one list reads the snapshot
 * of its first page, and a token whose revision was compacted gets 410 Expired.
 */
import * as k8s from '@kubernetes/client-node'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { poll, startCluster, type Cluster } from './harness.js'

describe('list pagination', () => {
  let c: Cluster
  let api: k8s.CoreV1Api
  before(async () => {
    // Counts the items of its namespace: no controllers adding kube-root-ca.crt there.
    c = await startCluster({ extraArgs: ['--compaction-interval', '300ms', '--disable-controller-manager', '--disable-scheduler'] })
    const kc = new k8s.KubeConfig()
    kc.loadFromFile(c.kubeconfig)
    api = kc.makeApiClient(k8s.CoreV1Api)
  })
  after(() => c?.stop())

  const cm = (name: string) => ({ metadata: { name }, data: { a: '1' } })

  it('continues from the first page’s snapshot', async () => {
    await api.createNamespace({ body: { metadata: { name: 'pages' } } })
    for (let i = 0; i < 5; i++) await api.createNamespacedConfigMap({ namespace: 'pages', body: cm(`cm-${i}`) })
    const first = await api.listNamespacedConfigMap({ namespace: 'pages', limit: 2 })
    assert.deepEqual(first.items.map((i) => i.metadata?.name), ['cm-0', 'cm-1'])
    assert.equal(first.metadata?.remainingItemCount, 3)
    // Changes after the first page do not show in the rest of this list.
    await api.deleteNamespacedConfigMap({ name: 'cm-3', namespace: 'pages' })
    await api.createNamespacedConfigMap({ namespace: 'pages', body: cm('cm-2a') })
    const names = first.items.map((i) => i.metadata?.name)
    let token = first.metadata?._continue
    while (token) {
      const page = await api.listNamespacedConfigMap({ namespace: 'pages', limit: 2, _continue: token })
      assert.equal(page.metadata?.resourceVersion, first.metadata?.resourceVersion)
      names.push(...page.items.map((i) => i.metadata?.name))
      token = page.metadata?._continue
    }
    assert.deepEqual(names, ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4'])
    const fresh = await api.listNamespacedConfigMap({ namespace: 'pages' })
    assert.deepEqual(fresh.items.map((i) => i.metadata?.name), ['cm-0', 'cm-1', 'cm-2', 'cm-2a', 'cm-4'])
  })

  it('answers 410 Expired for a token whose snapshot was compacted', async () => {
    const first = await api.listNamespacedConfigMap({ namespace: 'pages', limit: 1 })
    // Writes move the revision on; the compactor then passes the token's revision.
    const gone = await poll('the token revision to be compacted', async () => {
      await api.createNamespacedConfigMap({ namespace: 'pages', body: cm(`filler-${Date.now()}`) })
      const probe = await outcome(() => api.listNamespacedConfigMap({ namespace: 'pages', limit: 1, _continue: first.metadata?._continue }))
      return probe.code === 410 ? probe : undefined
    })
    const status = JSON.parse(gone.body)
    assert.equal(status.reason, 'Expired')
    assert.match(status.message, /^The provided continue parameter is too old to display a consistent list result/)
  })
})

async function outcome(call: () => Promise<unknown>): Promise<{ code: number; body: string }> {
  try {
    await call()
    return { code: 200, body: '' }
  } catch (err) {
    const e = err as { code?: number; body?: unknown }
    return { code: e.code ?? 0, body: typeof e.body === 'string' ? e.body : JSON.stringify(e.body) }
  }
}

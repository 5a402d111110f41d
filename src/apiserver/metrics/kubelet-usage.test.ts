import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { combinedUsage, kubeletUsage } from './kubelet-usage.js'

const node = (name: string, socket?: string): Node => ({ metadata: { name, ...(socket ? { annotations: { 'kubelite.io/kubelet-socket': socket } } : {}) } })
const pod = (name: string, nodeName: string): Pod => ({ metadata: { name, namespace: 'default' }, spec: { nodeName, containers: [{ name: 'c' }] } })

test('kubelet usage: annotated nodes are scraped on demand; their pods and themselves get the figures', async () => {
  const asked: string[] = []
  const scraped = kubeletUsage({
    listNodes: async () => [node('real', '/run/k.sock'), node('other')],
    annotation: 'kubelite.io/kubelet-socket',
    fetchSummary: async (path) => {
      asked.push(path)
      return {
        node: { cpu: { usageNanoCores: 2.5e8 }, memory: { workingSetBytes: 1048576 } },
        pods: [{ podRef: { name: 'p', namespace: 'default' }, containers: [{ name: 'c', cpu: { usageNanoCores: 5e6 }, memory: { workingSetBytes: 4096 } }] }],
      }
    },
  })
  try {
    assert.equal(scraped.source.pod(pod('p', 'real'), undefined), undefined)
    await scraped.ensure()
    await scraped.ensure() // once only while there are figures
    assert.deepEqual(asked, ['/run/k.sock'])
    assert.deepEqual(scraped.source.pod(pod('p', 'real'), undefined), [{ name: 'c', cpuNanoCores: 5_000_000n, memoryBytes: 4096n }])
    assert.deepEqual(scraped.source.node(node('real'), []), { cpuNanoCores: 250_000_000n, memoryBytes: 1048576n })
    assert.equal(scraped.source.pod(pod('q', 'real'), undefined), undefined)
    // Elsewhere the fallback answers.
    const both = combinedUsage(scraped.source, { pod: () => [{ name: 'sim', cpuNanoCores: 1n, memoryBytes: 1n }], node: () => undefined })
    assert.equal(both.pod(pod('x', 'other'), undefined)?.[0]?.name, 'sim')
    assert.equal(both.pod(pod('p', 'real'), undefined)?.[0]?.name, 'c')
  } finally {
    scraped.stop()
  }
})

test('kubelet usage: an unreachable kubelet has no figures', async () => {
  const scraped = kubeletUsage({
    listNodes: async () => [node('real', '/nope.sock')], annotation: 'kubelite.io/kubelet-socket',
    fetchSummary: async () => { throw new Error('ECONNREFUSED') },
  })
  await scraped.scrape()
  assert.equal(scraped.source.node(node('real'), []), undefined)
  scraped.stop()
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { isNotFound, type Cached } from '../../api/index.js'
import { metricsApi, type MetricsLookup } from './metrics-api.js'

const NOW = Date.parse('2026-01-01T00:00:07Z')

function node(name: string, sim: boolean, ready = true): Node {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(sim ? { 'kubelite.io/sim': 'true' } : {}) } },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown' }] },
  }
}

function pod(name: string, nodeName: string, opts: { phase?: string; annotations?: Record<string, string>; containers?: string[] } = {}): Pod {
  const containers = opts.containers ?? ['app']
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: name.startsWith('sys-') ? 'kube-system' : 'default', labels: { app: name }, annotations: opts.annotations },
    spec: { nodeName, containers: containers.map((c) => ({ name: c, image: 'nginx', resources: { requests: { cpu: '100m', memory: '128Mi' } } })) },
    status: {
      phase: opts.phase ?? 'Running',
      containerStatuses: containers.map((c) => ({ name: c, image: 'nginx', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } })),
    },
  }
}

const nodes = [node('sim-1', true), node('real', false), node('sim-0', true), node('sim-down', true, false)]
const pods = [
  pod('a', 'sim-0'),
  pod('b', 'sim-0', { containers: ['web', 'sidecar'], annotations: { 'sim.kubelite.io/cpu-usage': '250m', 'sim.kubelite.io/memory-usage': '100Mi' } }),
  pod('sys-dns', 'sim-1', { annotations: { 'kwok.x-k8s.io/usage-cpu': '1234567n', 'kwok.x-k8s.io/usage-memory': '10Mi' } }),
  pod('pending', 'sim-1', { phase: 'Pending' }),
  pod('on-real', 'real'),
  pod('on-down', 'sim-down'),
]

const lookup: MetricsLookup = {
  listPods: async (ns) => pods.filter((p) => ns === undefined || p.metadata?.namespace === ns) as Cached<Pod>[],
  getPod: async (ns, name) => pods.find((p) => p.metadata?.namespace === ns && p.metadata?.name === name) as Cached<Pod> | undefined,
  listNodes: async () => nodes as Cached<Node>[],
  getNode: async (name) => nodes.find((n) => n.metadata?.name === name) as Cached<Node> | undefined,
}

const api = metricsApi(lookup)
const get = (path: string, query = '') => api.handle(path, new URLSearchParams(query), NOW)
const base = { timestamp: '2026-01-01T00:00:00Z', window: '15s' }
const meta = (name: string, labels: Record<string, string>, namespace?: string) =>
  ({ name, ...(namespace ? { namespace } : {}), creationTimestamp: '2026-01-01T00:00:07Z', labels })

describe('metrics.k8s.io', () => {
  it('lists NodeMetrics of Ready sim nodes, sorted, with their pods and base usage', async () => {
    assert.deepEqual(await get('/apis/metrics.k8s.io/v1beta1/nodes'), {
      kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {},
      items: [
        // 50m + 25m (a quarter of a's request) + 250m (b); 256Mi + 64Mi + 100Mi.
        { metadata: meta('sim-0', { 'kubernetes.io/hostname': 'sim-0', 'kubelite.io/sim': 'true' }), ...base, usage: { cpu: '325m', memory: '420Mi' } },
        { metadata: meta('sim-1', { 'kubernetes.io/hostname': 'sim-1', 'kubelite.io/sim': 'true' }), ...base, usage: { cpu: '51234567n', memory: '266Mi' } },
      ],
    })
    const selected = await get('/apis/metrics.k8s.io/v1beta1/nodes', 'labelSelector=kubernetes.io/hostname%3Dsim-1') as { items: { metadata: { name: string } }[] }
    assert.deepEqual(selected.items.map((i) => i.metadata.name), ['sim-1'])
  })

  it('lists PodMetrics per container, by namespace or across all', async () => {
    assert.deepEqual(await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods'), {
      kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {},
      items: [
        { metadata: meta('a', { app: 'a' }, 'default'), ...base, containers: [{ name: 'app', usage: { cpu: '25m', memory: '64Mi' } }] },
        { metadata: meta('b', { app: 'b' }, 'default'), ...base, containers: [
          { name: 'web', usage: { cpu: '125m', memory: '50Mi' } }, { name: 'sidecar', usage: { cpu: '125m', memory: '50Mi' } }] },
      ],
    })
    const all = await get('/apis/metrics.k8s.io/v1beta1/pods', 'fieldSelector=metadata.namespace%3Dkube-system') as { items: { metadata: { name: string } }[] }
    assert.deepEqual(all.items.map((i) => i.metadata.name), ['sys-dns'])
  })

  it('gets one NodeMetrics or PodMetrics, NotFound when there are no figures', async () => {
    const one = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/a') as Record<string, unknown>
    assert.equal(one.kind, 'PodMetrics')
    assert.equal((one.metadata as { namespace: string }).namespace, 'default')
    assert.equal(((await get('/apis/metrics.k8s.io/v1beta1/nodes/sim-0')) as { kind: string }).kind, 'NodeMetrics')
    await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/pending'),
      (e: Error) => isNotFound(e) && e.message === 'podmetrics.metrics.k8s.io "default/pending" not found')
    await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/nodes/real'),
      (e: Error) => isNotFound(e) && e.message === 'nodemetrics.metrics.k8s.io "real" not found')
    await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/nodes/ghost'), (e: Error) => isNotFound(e))
  })

  it('serves its discovery documents and leaves other paths alone', async () => {
    assert.deepEqual(await get('/apis/metrics.k8s.io/v1beta1'), api.resourceList)
    assert.deepEqual(api.resourceList.resources.map((r) => `${r.name} ${r.kind} ${r.namespaced} ${r.verbs}`),
      ['nodes NodeMetrics false get,list', 'pods PodMetrics true get,list'])
    assert.equal(((await get('/apis/metrics.k8s.io')) as { preferredVersion: { groupVersion: string } }).preferredVersion.groupVersion, 'metrics.k8s.io/v1beta1')
    assert.equal(await get('/apis/apps/v1/deployments'), undefined)
    assert.equal(await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/services'), undefined)
  })
})

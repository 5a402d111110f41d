// The sim against a real API server (memory storage, in-process transport), with real timers:
// the server's validation of Node, Lease and pods/status writes, resourceVersion-guarded merge
// patches and graceful deletion, which the fakes only imitate; and the metrics API over it.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { isNotFound } from '../../api/index.js'
import { createInformers, startTestServer, until } from '../../client/index.js'
import { metricsApi } from '../../apiserver/metrics/index.js'
import { startSimNodes, type SimFleet } from './index.js'

const POD = { apiVersion: 'v1', kind: 'Pod' }
const NODE = { apiVersion: 'v1', kind: 'Node' }

const newPod = (name: string, nodeName: string, annotations?: Record<string, string>, restartPolicy = 'Always'): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', annotations },
  spec: { nodeName, restartPolicy, containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '200m', memory: '64Mi' } } }] },
})

describe('sim nodes on a real API server', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>
  let fleet: SimFleet
  let ac: AbortController
  // Each run of the sim has its own informers, stopped with it.
  const start = async () => {
    ac = new AbortController()
    const informers = createInformers(t.client)
    informers.start(ac.signal)
    return startSimNodes({ client: t.client, informers, count: 2, timings: { podStartMs: 0 }, signal: ac.signal, onError: (what, err) => console.error(what, err) })
  }
  before(async () => {
    t = await startTestServer()
    fleet = await start()
  })
  after(async () => {
    ac.abort()
    await fleet.close()
    await t.close()
  })

  it('registers Ready Nodes with their Leases', async () => {
    const node = await t.client.get<Node>(NODE, 'sim-node-1')
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True')
    assert.equal(node.spec?.podCIDR, '10.244.1.0/24')
    const lease = await t.client.get<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }, 'sim-node-1', 'kube-node-lease')
    assert.equal(lease.spec?.holderIdentity, 'sim-node-1')
  })

  it('runs a pod, reports its usage through metrics.k8s.io, and finalizes its deletion', async () => {
    await t.client.create(newPod('web', 'sim-node-1'))
    const running = await until('Running', async () => {
      const p = await t.client.get<Pod>(POD, 'web', 'default')
      return p.status?.phase === 'Running' ? p : undefined
    })
    assert.equal(running.status?.podIP, '10.244.1.2')
    assert.equal(running.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True')

    const metrics = metricsApi({
      listPods: async (namespace) => (await t.client.list<Pod>(POD, { namespace })).items,
      getPod: (ns, name) => t.client.get<Pod>(POD, name, ns),
      listNodes: async () => (await t.client.list<Node>(NODE)).items,
      getNode: (name) => t.client.get<Node>(NODE, name),
    })
    const pm = await metrics.handle('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web', new URLSearchParams(), Date.now()) as
      { containers: { name: string; usage: Record<string, string> }[] }
    assert.deepEqual(pm.containers, [{ name: 'app', usage: { cpu: '50m', memory: '32Mi' } }])
    const nm = await metrics.handle('/apis/metrics.k8s.io/v1beta1/nodes', new URLSearchParams(), Date.now()) as
      { items: { metadata: { name: string }; usage: Record<string, string> }[] }
    assert.deepEqual(nm.items.map((i) => `${i.metadata.name} ${i.usage.cpu} ${i.usage.memory}`),
      ['sim-node-0 50m 256Mi', 'sim-node-1 100m 288Mi'])

    await t.client.delete(POD, 'web', 'default')
    await until('pod gone', async () => t.client.get(POD, 'web', 'default').then(() => undefined, (err) => (isNotFound(err) ? true : undefined)))
  })

  it('runs a pod with run-duration 0s to Succeeded, and one that fails to Failed', async () => {
    await t.client.create(newPod('once', 'sim-node-0', { 'sim.kubelite.io/run-duration': '0s' }, 'Never'))
    await t.client.create(newPod('broken', 'sim-node-0', { 'sim.kubelite.io/fail': 'true' }, 'Never'))
    const phase = (name: string) => async () => {
      const p = await t.client.get<Pod>(POD, name, 'default')
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p.status.phase : undefined
    }
    assert.equal(await until('once done', phase('once')), 'Succeeded')
    assert.equal(await until('broken done', phase('broken')), 'Failed')
  })

  it('adopts its Nodes after a restart, keeping their ranges and the addresses of running pods', async () => {
    await t.client.create(newPod('stays', 'sim-node-1'))
    const podIP = (name: string) => until(`${name} Running`, async () => (await t.client.get<Pod>(POD, name, 'default')).status?.podIP)
    const kept = await podIP('stays')
    assert.equal(kept, '10.244.1.3') // .2 went to "web" above: addresses go round-robin
    ac.abort()
    await fleet.close()
    fleet = await start()
    assert.equal((await t.client.get<Node>(NODE, 'sim-node-1')).spec?.podCIDR, '10.244.1.0/24')
    // A fresh range would hand out .2 then .3: the second must skip the address "stays" holds.
    await t.client.create(newPod('next-a', 'sim-node-1'))
    assert.equal(await podIP('next-a'), '10.244.1.2')
    await t.client.create(newPod('next-b', 'sim-node-1'))
    assert.equal(await podIP('next-b'), '10.244.1.4')
  })
})

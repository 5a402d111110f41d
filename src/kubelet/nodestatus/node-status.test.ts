import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { currentConditions, initialNode, nodeStatus, type NodeFacts } from './node-status.js'
import { statusChanged } from './node-status.js'

const machine = {
  cpus: 2, memoryBytes: 4 * 1024 ** 3, ephemeralStorageBytes: 100 * 1024 ** 3, kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)',
  machineID: 'm', systemUUID: 'u', bootID: 'b', architecture: 'amd64',
}
const facts = (extra: Partial<NodeFacts> = {}): NodeFacts => ({
  name: 'n1', machine, runtime: { name: 'namespaces', version: '0.1.0', cgroups: { enforced: true } }, ...extra,
})

describe('node status', () => {
  it('is not Ready, with the network unavailable, until the node network is up', () => {
    const down = Object.fromEntries(currentConditions(facts()).map((c) => [c.type, [c.status, c.reason]]))
    assert.deepEqual(down.Ready, ['False', 'KubeletNotReady'])
    assert.deepEqual(down.NetworkUnavailable, ['True', 'NoRouteCreated'])
    const up = Object.fromEntries(currentConditions(facts({ nodeIP: '10.244.0.1' })).map((c) => [c.type, [c.status, c.reason]]))
    assert.deepEqual(up.Ready, ['True', 'KubeletReady'])
    assert.deepEqual(up.NetworkUnavailable, ['False', 'KubeliteNetworkReady'])
    assert.deepEqual(Object.keys(up), ['NetworkUnavailable', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'])
  })

  it('takes capacity from the machine and holds back the default eviction thresholds', () => {
    const node = initialNode(facts({ nodeIP: '10.244.0.1' }), Date.UTC(2026, 0, 1))
    assert.deepEqual(node.status?.capacity, {
      cpu: '2', 'ephemeral-storage': '104857600Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '4194304Ki', pods: '110',
    })
    assert.equal(node.status?.allocatable?.memory, '4091904Ki')
    assert.equal(node.status?.allocatable?.['ephemeral-storage'], String(Math.floor(100 * 1024 ** 3 * 0.9)))
    assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'kubelite://0.1.0')
    assert.deepEqual(node.status?.addresses, [{ type: 'InternalIP', address: '10.244.0.1' }, { type: 'Hostname', address: 'n1' }])
    assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], 'n1')
  })

  it('keeps transition times while a condition holds and sees only real changes', () => {
    const t0 = Date.UTC(2026, 0, 1)
    const s0 = nodeStatus(facts({ nodeIP: '10.244.0.1' }), undefined, t0)
    const s1 = nodeStatus(facts({ nodeIP: '10.244.0.1' }), s0, t0 + 60_000)
    const ready = (s: typeof s0) => s.conditions!.find((c) => c.type === 'Ready')!
    assert.equal(ready(s1).lastTransitionTime, ready(s0).lastTransitionTime)
    assert.notEqual(ready(s1).lastHeartbeatTime, ready(s0).lastHeartbeatTime)
    assert.equal(statusChanged(s0, s1), false)
    assert.equal(statusChanged(s0, nodeStatus(facts(), s0, t0 + 1000)), true)
  })

  it('says so when pods run with the host runtime', () => {
    const c = currentConditions(facts({ nodeIP: '127.0.0.1', runtime: { name: 'host', version: '0.1.0', cgroups: { enforced: false }, networkLimitation: 'pods share the host network' } }))
    assert.deepEqual(c.at(-1), { type: 'PodIsolation', status: 'False', reason: 'HostRuntime', message: 'pods share the host network' })
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { backendKey, createEndpointPicker } from './endpoint-picker.js'
import type { Backend, ServicePort } from './service-table.js'

const be = (ip: string, port = 8080): Backend => ({ ip, port })

function servicePort(over: Partial<ServicePort> = {}): ServicePort {
  return {
    id: 'ns/web:/TCP', namespace: 'ns', name: 'web', portName: '', protocol: 'TCP', port: 80,
    clusterIPs: ['10.96.0.20'], externalIPs: [], loadBalancerIPs: [],
    clusterEndpoints: [be('10.244.0.2'), be('10.244.0.3'), be('10.244.0.4')],
    externalEndpoints: [be('10.244.0.9')],
    ...over,
  }
}

const picks = (n: number, pick: () => Backend | undefined) =>
  Array.from({ length: n }, () => { const b = pick(); return b ? b.ip : 'none' })

describe('endpoint picker', () => {
  it('round-robins per service port and traffic kind', () => {
    const picker = createEndpointPicker()
    const sp = servicePort()
    const other = servicePort({ id: 'ns/other:/TCP' })
    assert.deepEqual(picks(4, () => picker.pick(sp, '1.1.1.1', 'cluster')),
      ['10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.2'])
    // Another port and the external kind keep their own positions.
    assert.equal(picker.pick(other, '1.1.1.1', 'cluster')?.ip, '10.244.0.2')
    assert.deepEqual(picks(2, () => picker.pick(sp, '1.1.1.1', 'external')), ['10.244.0.9', '10.244.0.9'])
    assert.equal(picker.pick(sp, '1.1.1.1', 'cluster')?.ip, '10.244.0.3')
  })

  it('answers undefined without endpoints, and follows a shrunk list', () => {
    const picker = createEndpointPicker()
    assert.equal(picker.pick(servicePort({ clusterEndpoints: [] }), '1.1.1.1', 'cluster'), undefined)
    const sp = servicePort()
    picker.pick(sp, '1.1.1.1', 'cluster')
    picker.pick(sp, '1.1.1.1', 'cluster')
    const shrunk = servicePort({ clusterEndpoints: [be('10.244.0.7')] })
    assert.deepEqual(picks(2, () => picker.pick(shrunk, '1.1.1.1', 'cluster')), ['10.244.0.7', '10.244.0.7'])
  })

  it('skips excluded endpoints and gives up when all are excluded', () => {
    const picker = createEndpointPicker()
    const sp = servicePort()
    const exclude = new Set([backendKey(be('10.244.0.2')), backendKey(be('10.244.0.3'))])
    assert.deepEqual(picks(2, () => picker.pick(sp, '1.1.1.1', 'cluster', exclude)), ['10.244.0.4', '10.244.0.4'])
    exclude.add('10.244.0.4:8080')
    assert.equal(picker.pick(sp, '1.1.1.1', 'cluster', exclude), undefined)
    // Same IP, other port: not excluded.
    assert.equal(picker.pick(servicePort({ clusterEndpoints: [be('10.244.0.2', 9090)] }), '1.1.1.1', 'cluster', exclude)?.port, 9090)
  })

  it('keeps a client on its endpoint while used within the timeout', () => {
    let t = 1_000_000
    const picker = createEndpointPicker({ now: () => t })
    const sp = servicePort({ affinityTimeoutSeconds: 10 })
    const first = picker.pick(sp, '1.1.1.1', 'cluster')?.ip
    assert.equal(picker.pick(sp, '2.2.2.2', 'cluster')?.ip, '10.244.0.3') // others still rotate
    for (let i = 0; i < 5; i++) {
      t += 9_000 // each use renews the affinity
      assert.equal(picker.pick(sp, '1.1.1.1', 'cluster')?.ip, first)
    }
    t += 10_000 // idle for the whole timeout: the next pick is a fresh round-robin choice
    assert.equal(picker.pick(sp, '1.1.1.1', 'cluster')?.ip, '10.244.0.4')
    assert.equal(picker.pick(sp, '1.1.1.1', 'cluster')?.ip, '10.244.0.4')
  })

  it('moves an affine client when its endpoint disappears or is excluded', () => {
    const t = 0
    const picker = createEndpointPicker({ now: () => t })
    const sp = servicePort({ affinityTimeoutSeconds: 60 })
    assert.equal(picker.pick(sp, '1.1.1.1', 'cluster')?.ip, '10.244.0.2')
    const gone = servicePort({ affinityTimeoutSeconds: 60, clusterEndpoints: [be('10.244.0.3'), be('10.244.0.4')] })
    const moved = picker.pick(gone, '1.1.1.1', 'cluster')?.ip
    assert.notEqual(moved, '10.244.0.2')
    assert.equal(picker.pick(gone, '1.1.1.1', 'cluster')?.ip, moved)
    const retry = picker.pick(gone, '1.1.1.1', 'cluster', new Set([`${moved}:8080`]))?.ip
    assert.notEqual(retry, moved)
    assert.ok(retry)
    assert.equal(picker.pick(gone, '1.1.1.1', 'cluster')?.ip, retry) // the retry's endpoint is the new affinity
  })

  it('forgets a removed port: round-robin and affinities start over', () => {
    const picker = createEndpointPicker({ now: () => 0 })
    const sp = servicePort({ affinityTimeoutSeconds: 60 })
    picker.pick(sp, '2.2.2.2', 'cluster')
    assert.equal(picker.pick(sp, '1.1.1.1', 'cluster')?.ip, '10.244.0.3')
    picker.forget(sp.id)
    assert.equal(picker.pick(sp, '1.1.1.1', 'cluster')?.ip, '10.244.0.2')
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Node } from 'kubernetes-types/core/v1.js'
import { nodes } from './nodes.js'
import { create, row, update } from './testing.js'
import { w } from './util.js'

const NOW = Date.parse('2024-05-01T12:00:00Z')

describe('nodes', () => {
  it('shows Go’s zero-valued status structs after a bare create', () => {
    const { obj, errors } = create(nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } } as Node)
    assert.deepEqual(errors, [])
    assert.deepEqual(obj.spec, {})
    assert.deepEqual(obj.status, {
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      nodeInfo: { architecture: '', bootID: '', containerRuntimeVersion: '', kernelVersion: '', kubeProxyVersion: '', kubeletVersion: '', machineID: '', operatingSystem: '', osImage: '', systemUUID: '' },
    })
  })
  it('keeps the status a kubelet registers with and copies capacity into allocatable', () => {
    const { obj } = create(nodes, { metadata: { name: 'n1' }, status: { capacity: { cpu: '4', pods: '110' } } } as Node)
    assert.deepEqual(obj.status!.allocatable, { cpu: '4', pods: '110' })
  })
  it('validates taints and podCIDR changes', () => {
    const n: Node = { metadata: { name: 'n1' }, spec: { taints: [{ key: 'a', effect: 'Bad' }, { key: 'b', effect: 'NoSchedule' }, { key: 'b', effect: 'NoSchedule' }], podCIDRs: ['10.244.0.0/24'] } }
    const errs = create(nodes, n).errors
    assert.ok(errs.includes('spec.taints[0].effect: Unsupported value: "Bad": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'))
    assert.ok(errs.some((e) => e.startsWith('spec.taints[2]: Duplicate value: ') && e.endsWith(': taints must be unique by key and effect pair')))
    const old = create(nodes, { metadata: { name: 'n1' }, spec: { podCIDRs: ['10.244.0.0/24'] } } as Node).obj
    const moved = structuredClone(old)
    moved.spec!.podCIDRs = ['10.244.1.0/24']
    assert.deepEqual(update(nodes, moved, old).errors, ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid'])
  })
  it('splits spec and status updates', () => {
    const old = create(nodes, { metadata: { name: 'n1' } } as Node).obj
    const next = structuredClone(old)
    next.spec!.unschedulable = true
    w(next).status = { ...next.status, conditions: [{ type: 'Ready', status: 'True' }] }
    const spec = update(nodes, next, old).obj
    assert.equal(spec.spec!.unschedulable, true)
    assert.equal(spec.status!.conditions, undefined)
    const st = update(nodes, next, old, { status: true }).obj
    assert.equal(st.spec!.unschedulable, undefined)
    assert.equal(st.status!.conditions![0]!.status, 'True')
  })
  it('prints status, sorted roles and wide addresses', () => {
    const n: Node = {
      metadata: { name: 'n1', creationTimestamp: '2024-04-29T12:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/': '', 'kubernetes.io/role': 'agent' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'False' }], addresses: [{ type: 'InternalIP', address: '10.0.0.2' }],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Ubuntu', kernelVersion: '6.8', containerRuntimeVersion: '', architecture: '', bootID: '', kubeProxyVersion: '', machineID: '', operatingSystem: '', systemUUID: '' },
      },
    }
    assert.deepEqual(row(nodes, n, NOW), {
      Name: 'n1', Status: 'NotReady,SchedulingDisabled', Roles: 'agent,control-plane', Age: '2d', Version: 'v1.32.0',
      'Internal-IP': '10.0.0.2', 'External-IP': '<none>', 'OS-Image': 'Ubuntu', 'Kernel-Version': '6.8', 'Container-Runtime': '<unknown>',
    })
    assert.equal(row(nodes, { metadata: { name: 'x' } }, NOW).Status, 'Unknown')
    assert.equal(row(nodes, { metadata: { name: 'x' } }, NOW).Roles, '<none>')
    assert.deepEqual(nodes.selectableFields(n), { 'spec.unschedulable': 'true' })
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Node } from 'kubernetes-types/core/v1.js'
import { fakeContext } from '../../client/testing.js'
import { cidrSet, nodeIpamController } from './range-allocator.js'

const signal = AbortSignal.timeout(10_000)
const node = (name: string, podCIDR?: string): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
})

describe('cidrSet', () => {
  it('hands out /24 blocks in order, skipping occupied ones, and reuses released ones', () => {
    const s = cidrSet('10.244.0.0/16', 24)
    s.occupy('10.244.1.0/24')
    assert.equal(s.allocate(), '10.244.0.0/24')
    assert.equal(s.allocate(), '10.244.2.0/24')
    s.release('10.244.0.0/24')
    assert.equal(s.allocate(), '10.244.3.0/24')
    const small = cidrSet('10.0.0.0/23', 24)
    assert.equal(small.allocate(), '10.0.0.0/24')
    assert.equal(small.allocate(), '10.0.1.0/24')
    assert.equal(small.allocate(), undefined)
  })

  it('rejects a cluster CIDR smaller than one block', () => {
    assert.throws(() => cidrSet('10.0.0.0/25', 24), /invalid cluster CIDR/)
  })
})

describe('nodeIpamController', () => {
  it('gives a node without a Pod CIDR the first block not taken by another node', async () => {
    const f = fakeContext([node('sim-0', '10.244.0.0/24'), node('real')] as never)
    const c = nodeIpamController(f.ctx)
    await c.sync('real', signal)
    const patch = f.client.actions.find((a) => a.verb === 'patch')
    assert.deepEqual(patch?.body, { spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] } })
    await c.sync('sim-0', signal)
    assert.equal(f.client.actions.filter((a) => a.verb === 'patch').length, 1)
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Node } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'
import { podIPPool, slotAllocator, slotCidr, slotNodeIP } from './addresses.js'

describe('sim addresses', () => {
  it('give node slots 10.244.N.0/24 first, then the rest of 10.128.0.0/9, with loopback node IPs', () => {
    assert.deepEqual([0, 1, 255, 256, 3071, 3072, 32767].map(slotCidr),
      ['10.244.0.0/24', '10.244.1.0/24', '10.244.255.0/24', '10.245.0.0/24', '10.255.255.0/24', '10.128.0.0/24', '10.243.255.0/24'])
    assert.deepEqual([0, 1, 255, 32767].map(slotNodeIP), ['127.1.0.1', '127.1.0.2', '127.1.1.0', '127.1.128.0'])
  })

  it('skip ranges other Nodes hold and claim back their own', () => {
    const other = { spec: { podCIDR: '10.244.1.0/24' } } as Cached<Node>
    const slots = slotAllocator(() => [other])
    assert.equal(slots.claim('10.245.0.0/24'), 256)
    assert.equal(slots.claim('192.168.0.0/24'), undefined)
    assert.deepEqual([slots.allocate(), slots.allocate(), slots.allocate()], [0, 2, 3])
  })

  it('hand out pod IPs round-robin, one per pod, reusing freed ones only after wrapping', () => {
    const pool = podIPPool('10.244.3.0/24')
    assert.equal(pool.allocate('a'), '10.244.3.2')
    assert.equal(pool.allocate('a'), '10.244.3.2')
    assert.equal(pool.allocate('b'), '10.244.3.3')
    pool.release('a')
    assert.equal(pool.allocate('c'), '10.244.3.4')
    pool.reserve('d', '10.244.3.5')
    assert.equal(pool.allocate('e'), '10.244.3.6')
    for (let i = 0; i < 248; i++) pool.allocate(`x${i}`)
    assert.equal(pool.allocate('wraps'), '10.244.3.2')
    assert.equal(pool.allocate('full'), undefined)
  })
})

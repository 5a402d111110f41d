import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Service } from 'kubernetes-types/core/v1.js'
import type { KubeObject } from '../api/index.js'
import { serviceAllocator } from './allocators.js'
import type { WriteContext } from './store/types.js'

const ctx = {} as WriteContext
const lb = (name: string, extra: Record<string, unknown> = {}): Service & KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...extra }, status: { loadBalancer: {} },
}) as Service & KubeObject
const ipOf = (s: Service) => s.status?.loadBalancer?.ingress?.[0]?.ip

describe('load-balancer addresses', () => {
  it('gives each LoadBalancer its own pool address at create, honours loadBalancerIP, and frees on delete', async () => {
    const a = serviceAllocator('10.96.0.0/12', [30000, 32767], '127.0.1.0/24')
    const one = lb('one')
    await a.beforeCreate!(one, ctx)
    assert.equal(ipOf(one), '127.0.1.2')
    assert.equal(one.status?.loadBalancer?.ingress?.[0]?.ipMode, 'VIP')
    const two = lb('two')
    await a.beforeCreate!(two, ctx)
    assert.equal(ipOf(two), '127.0.1.3')
    const fixed = lb('fixed', { loadBalancerIP: '127.0.1.50' })
    await a.beforeCreate!(fixed, ctx)
    assert.equal(ipOf(fixed), '127.0.1.50')
    await assert.rejects(async () => a.beforeCreate!(lb('dup', { loadBalancerIP: '127.0.1.50' }), ctx), /spec.loadBalancerIP: Invalid value: "127.0.1.50": provided IP is already allocated/)
    await assert.rejects(async () => a.beforeCreate!(lb('far', { loadBalancerIP: '10.0.0.5' }), ctx), /must be an address of the load-balancer pool 127.0.1.0\/24/)
    a.afterDelete!(one)
    const three = lb('three')
    await a.beforeCreate!(three, ctx)
    assert.equal(ipOf(three), '127.0.1.2')
  })

  it('keeps the address across updates, frees it when the type changes, and rebuilds from stored Services', async () => {
    const a = serviceAllocator('10.96.0.0/12')
    const svc = lb('web')
    await a.beforeCreate!(svc, ctx)
    const again = structuredClone(svc)
    await a.beforeUpdate!(again, svc, ctx)
    assert.equal(ipOf(again), ipOf(svc))
    const plain = structuredClone(svc) as Service & KubeObject
    plain.spec = { ...plain.spec, type: 'ClusterIP' }
    ;(plain as { status?: unknown }).status = { loadBalancer: {} }
    await a.beforeUpdate!(plain, svc, ctx)
    const next = lb('next')
    await a.beforeCreate!(next, ctx)
    assert.equal(ipOf(next), '127.0.1.2', 'the freed address is handed out again')
    const b = serviceAllocator('10.96.0.0/12')
    b.restore([next])
    const other = lb('other')
    await b.beforeCreate!(other, ctx)
    assert.equal(ipOf(other), '127.0.1.3')
  })

  it('leaves a Service of another loadBalancerClass alone', async () => {
    const a = serviceAllocator('10.96.0.0/12')
    const svc = lb('elsewhere', { loadBalancerClass: 'example.com/lb' })
    await a.beforeCreate!(svc, ctx)
    assert.equal(ipOf(svc), undefined)
  })
})

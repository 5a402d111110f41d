import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { emptyRuleState, planSync, portItems, resetLines, type RuleState } from './nftables-rules.js'
import type { Backend, ServicePort, ServiceTableDiff } from './service-table.js'

const T = 'ip kubelite'
const ep = (ip: string, port = 8080): Backend => ({ ip, port })

function port(name: string, over: Partial<ServicePort> = {}): ServicePort {
  return {
    id: `default/${name}:/TCP`, namespace: 'default', name, portName: '', protocol: 'TCP', port: 80,
    clusterIPs: ['10.96.0.10'], externalIPs: [], loadBalancerIPs: [],
    clusterEndpoints: [ep('10.244.0.2'), ep('10.244.0.3')], externalEndpoints: [ep('10.244.0.2'), ep('10.244.0.3')],
    ...over,
  }
}

const diff = (d: Partial<ServiceTableDiff>): ServiceTableDiff => ({ added: [], removed: [], changed: [], ...d })

/** Plans and commits, as the backend does once nft accepted the batch. */
function apply(state: RuleState, d: Partial<ServiceTableDiff>) {
  const plan = planSync(state, diff(d))
  plan.commit()
  return plan
}

const bucket2 = [
  `add map ${T} backends-2 { type ipv4_addr . inet_proto . inet_service . mark : ipv4_addr . inet_service ; }`,
  `add chain ${T} endpoints-2`,
  `add rule ${T} endpoints-2 meta mark set numgen random mod 2 dnat to ip daddr . meta l4proto . th dport . meta mark map @backends-2`,
]

describe('nftables rules', () => {
  it('resets the table in one batch: delete whatever was there, then the base layout', () => {
    const lines = resetLines({ bridge: 'kl0', masqueradeBridged: false })
    assert.deepEqual(lines.slice(0, 3), [`add table ${T}`, `delete table ${T}`, `add table ${T}`])
    assert.ok(lines.includes(`add rule ${T} nat-prerouting jump services`))
    assert.ok(!lines.some((l) => l.includes('iifname')))
    assert.ok(resetLines({ bridge: 'kl0', masqueradeBridged: true })
      .includes(`add rule ${T} nat-postrouting ct status dnat iifname "kl0" oifname "kl0" masquerade`))
  })

  it('adds a Service port as elements, making its bucket on first use only', () => {
    const state = emptyRuleState()
    const first = apply(state, { added: [port('web', { nodePort: 30080 })] })
    assert.deepEqual(first.nft, [
      ...bucket2,
      `add map ${T} nodeport-backends-2 { type inet_proto . inet_service . mark : ipv4_addr . inet_service ; }`,
      `add chain ${T} nodeport-endpoints-2`,
      `add rule ${T} nodeport-endpoints-2 meta mark set numgen random mod 2 dnat to meta l4proto . th dport . meta mark map @nodeport-backends-2`,
      `add element ${T} cluster-ips { 10.96.0.10 }`,
      `add element ${T} hairpin { 10.244.0.2 . 10.244.0.2, 10.244.0.3 . 10.244.0.3 }`,
      `add element ${T} service-ips { 10.96.0.10 . tcp . 80 : goto endpoints-2 }`,
      `add element ${T} backends-2 { 10.96.0.10 . tcp . 80 . 0 : 10.244.0.2 . 8080, 10.96.0.10 . tcp . 80 . 1 : 10.244.0.3 . 8080 }`,
      `add element ${T} service-nodeports { tcp . 30080 : goto nodeport-endpoints-2 }`,
      `add element ${T} nodeport-backends-2 { tcp . 30080 . 0 : 10.244.0.2 . 8080, tcp . 30080 . 1 : 10.244.0.3 . 8080 }`,
    ])
    assert.deepEqual(first.routesAdd, ['10.96.0.10'])

    // Same endpoints (hairpin elements are counted, not re-added), same bucket: only its own keys.
    const second = apply(state, { added: [port('dns', { protocol: 'UDP', port: 53, clusterIPs: ['10.96.0.11'] })] })
    assert.deepEqual(second.nft, [
      `add element ${T} cluster-ips { 10.96.0.11 }`,
      `add element ${T} service-ips { 10.96.0.11 . udp . 53 : goto endpoints-2 }`,
      `add element ${T} backends-2 { 10.96.0.11 . udp . 53 . 0 : 10.244.0.2 . 8080, 10.96.0.11 . udp . 53 . 1 : 10.244.0.3 . 8080 }`,
    ])

    // Removing one keeps the shared hairpin elements the other still needs.
    const removed = apply(state, { removed: [port('dns', { protocol: 'UDP', port: 53, clusterIPs: ['10.96.0.11'] })] })
    assert.deepEqual(removed.nft, [
      `delete element ${T} cluster-ips { 10.96.0.11 }`,
      `delete element ${T} service-ips { 10.96.0.11 . udp . 53 }`,
      `delete element ${T} backends-2 { 10.96.0.11 . udp . 53 . 0, 10.96.0.11 . udp . 53 . 1 }`,
    ])
    assert.deepEqual(removed.routesDel, ['10.96.0.11'])
  })

  it('moves a port to another bucket in one batch: old elements out, then new ones in', () => {
    const state = emptyRuleState()
    const old = port('web')
    apply(state, { added: [old] })
    const cur = port('web', { clusterEndpoints: [ep('10.244.0.2'), ep('10.244.0.3'), ep('10.244.0.4')] })
    const plan = apply(state, { changed: [{ old, cur }] })
    assert.deepEqual(plan.nft, [
      `add map ${T} backends-3 { type ipv4_addr . inet_proto . inet_service . mark : ipv4_addr . inet_service ; }`,
      `add chain ${T} endpoints-3`,
      `add rule ${T} endpoints-3 meta mark set numgen random mod 3 dnat to ip daddr . meta l4proto . th dport . meta mark map @backends-3`,
      `delete element ${T} backends-2 { 10.96.0.10 . tcp . 80 . 0, 10.96.0.10 . tcp . 80 . 1 }`,
      `delete element ${T} service-ips { 10.96.0.10 . tcp . 80 }`,
      `add element ${T} hairpin { 10.244.0.4 . 10.244.0.4 }`,
      `add element ${T} backends-3 { 10.96.0.10 . tcp . 80 . 0 : 10.244.0.2 . 8080, 10.96.0.10 . tcp . 80 . 1 : 10.244.0.3 . 8080, 10.96.0.10 . tcp . 80 . 2 : 10.244.0.4 . 8080 }`,
      `add element ${T} service-ips { 10.96.0.10 . tcp . 80 : goto endpoints-3 }`,
    ])
    assert.deepEqual([plan.routesAdd, plan.routesDel], [[], []])
  })

  it('rejects a port without endpoints, and stops rejecting once it has one', () => {
    const state = emptyRuleState()
    const none = port('web', { clusterEndpoints: [], externalEndpoints: [], nodePort: 30080 })
    assert.deepEqual(apply(state, { added: [none] }).nft, [
      `add element ${T} cluster-ips { 10.96.0.10 }`,
      `add element ${T} no-endpoints { 10.96.0.10 . tcp . 80 }`,
      `add element ${T} no-endpoint-nodeports { tcp . 30080 }`,
    ])
    const one = port('web', { clusterEndpoints: [ep('10.244.0.2')], externalEndpoints: [], nodePort: 30080 })
    const plan = apply(state, { changed: [{ old: none, cur: one }] })
    assert.deepEqual(plan.nft, [
      `add map ${T} backends-1 { type ipv4_addr . inet_proto . inet_service . mark : ipv4_addr . inet_service ; }`,
      `add chain ${T} endpoints-1`,
      `add rule ${T} endpoints-1 meta mark set numgen random mod 1 dnat to ip daddr . meta l4proto . th dport . meta mark map @backends-1`,
      `delete element ${T} no-endpoints { 10.96.0.10 . tcp . 80 }`,
      `add element ${T} hairpin { 10.244.0.2 . 10.244.0.2 }`,
      `add element ${T} service-ips { 10.96.0.10 . tcp . 80 : goto endpoints-1 }`,
      `add element ${T} backends-1 { 10.96.0.10 . tcp . 80 . 0 : 10.244.0.2 . 8080 }`,
    ])
  })

  it('serves external IPs from external endpoints and leaves load-balancer IPs to the relays', () => {
    const items = portItems(port('web', {
      externalIPs: ['192.0.2.7'], loadBalancerIPs: ['127.0.1.5'], externalEndpoints: [ep('10.244.0.9')],
    }))
    const ids = items.map((it) => JSON.stringify(it))
    assert.ok(ids.includes(JSON.stringify({ kind: 'element', set: 'backends-1', key: '192.0.2.7 . tcp . 80 . 0', value: '10.244.0.9 . 8080' })))
    assert.ok(!ids.some((s) => s.includes('127.0.1.5')))
    assert.deepEqual(items.filter((it) => it.kind === 'route'), [{ kind: 'route', ip: '10.96.0.10' }])
    const sctp = portItems(port('assoc', { protocol: 'SCTP', port: 9, nodePort: 30009 }))
    assert.ok(sctp.some((it) => it.kind === 'element' && it.set === 'service-ips' && it.key === '10.96.0.10 . sctp . 9'))
    assert.ok(sctp.some((it) => it.kind === 'element' && it.set === 'service-nodeports' && it.key === 'sctp . 30009'))
  })

  it('gives ClientIP affinity its own chains, and edits them in place when endpoints change', () => {
    const state = emptyRuleState()
    const old = port('sticky', { affinityTimeoutSeconds: 30 })
    const added = apply(state, { added: [old] }).nft
    const sets = added.filter((l) => l.startsWith('add set'))
    assert.equal(sets.length, 2)
    assert.match(sets[0]!, /^add set ip kubelite affinity-[0-9a-f]{12}-[0-9a-f]{8} \{ type ipv4_addr ; flags dynamic,timeout ; timeout 30s ; \}$/)
    const svcChain = /goto (affinity-[0-9a-f]{12}) \}$/.exec(added.find((l) => l.includes('service-ips'))!)![1]!
    const svcRules = added.filter((l) => l.startsWith(`add rule ${T} ${svcChain} `))
    // The remembered endpoint is checked before the random pick.
    assert.equal(svcRules.length, 3)
    assert.match(svcRules[0]!, /ip saddr @affinity-\w+-\w+ goto affinity-\w+-\w+$/)
    assert.match(svcRules[2]!, /numgen random mod 2 vmap \{ 0 : goto affinity-\w+-\w+, 1 : goto affinity-\w+-\w+ \}$/)
    assert.ok(added.some((l) => /update @affinity-\w+-\w+ \{ ip saddr \} meta l4proto tcp dnat to 10\.244\.0\.3:8080$/.test(l)))
    assert.ok(!added.some((l) => l.includes('backends-')))

    // One endpoint leaves: its chain and set go (after the Service chain stops naming them); the other's stay.
    const cur = port('sticky', { affinityTimeoutSeconds: 30, clusterEndpoints: [ep('10.244.0.2')], externalEndpoints: [ep('10.244.0.2')] })
    const changed = apply(state, { changed: [{ old, cur }] }).nft
    assert.deepEqual(changed.map((l) => l.replace(/affinity-[\w-]+/g, 'A').replace(/\{ .* \}/, '{…}')), [
      `delete element ${T} hairpin {…}`,
      `flush chain ${T} A`,
      `add rule ${T} A ip saddr @A goto A`,
      `add rule ${T} A numgen random mod 1 vmap {…}`,
      `flush chain ${T} A`,
      `delete chain ${T} A`,
      `delete set ${T} A`,
    ])
    // Removing the port removes every chain and set it made.
    const removed = apply(state, { removed: [cur] }).nft
    assert.equal(removed.filter((l) => l.startsWith('delete chain')).length, 2)
    assert.equal(removed.filter((l) => l.startsWith('delete set')).length, 1)
    assert.equal(state.items.size, 0)
  })

  it('does nothing for a change that programs the same thing', () => {
    const state = emptyRuleState()
    const old = port('web')
    apply(state, { added: [old] })
    const plan = planSync(state, diff({ changed: [{ old, cur: { ...old, loadBalancerIPs: ['127.0.1.9'] } }] }))
    assert.deepEqual([plan.nft, plan.routesAdd, plan.routesDel], [[], [], []])
  })
})

/**
 * @module
 * The nftables rule set for Services, as text for `nft -f`: the base layout, and the delta a
 * table diff needs. Pure: no processes, so the exact batches are unit-tested without root.
 *
 * Endpoints are map elements, not chains: a Service port with N endpoints is one `service-ips`
 * element (`ip . proto . port : goto endpoints-N`) plus N `backends-N` elements keyed by a
 * random pick (`numgen random mod N`, carried in the packet mark). nft fetches every chain
 * before each transaction, so a chain per Service would make each change cost tens of
 * milliseconds at 10,000 Services; elements keep a change at a few.
 */
import { createHash } from 'node:crypto'
import type { Backend, ServicePort, ServiceTableDiff } from './service-table.js'

export const TABLE = 'ip kubelite'

/** One thing a Service port puts in the rule set (or the routing table); shared ones are counted. */
export type Item =
  | { kind: 'element'; set: string; key: string; value?: string }
  | { kind: 'chain'; name: string; rules: string[] }
  | { kind: 'set'; name: string; spec: string }
  | { kind: 'route'; ip: string }

/** What the kernel holds now: every item with the number of Service ports that need it. */
export type RuleState = {
  items: Map<string, { item: Item; count: number }>
  /** Bucket names (`endpoints-3`, `nodeport-endpoints-1`) made so far; kept once made. */
  buckets: Set<string>
}

export type BaseOptions = {
  /** The node bridge. */
  bridge: string
  /**
   * Masquerade Service traffic that leaves on the bridge it came from. Needed only where the
   * bridge does not pass its frames through netfilter (br_netfilter off): a reply from one pod
   * to another on the same bridge would skip the node and never be un-DNATed.
   */
  masqueradeBridged: boolean
  /**
   * The Service range. A pod's packet to an address in it that is no cluster IP gets ICMP
   * host-unreachable from here: the node's unreachable route answers only 5, then 1 a second
   * (net.ipv4.route.error_cost is the host's, not the node's, to change).
   */
  serviceCIDR?: string
}

/** The batch for one sync, and how to record it once the kernel has accepted it. */
export type Plan = {
  nft: string[]
  /** Cluster IPs that need (or no longer need) a `/32 dev <bridge>` route. */
  routesAdd: string[]
  routesDel: string[]
  commit(): void
}

export const emptyRuleState = (): RuleState => ({ items: new Map(), buckets: new Set() })

/** Deletes any old table and makes the base layout: one transaction, so there is no gap. */
export function resetLines(opts: BaseOptions): string[] {
  const t = TABLE
  return [
    `add table ${t}`, // so the delete below cannot fail on a fresh node
    `delete table ${t}`,
    `add table ${t}`,
    `add map ${t} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; }`,
    `add map ${t} service-nodeports { type inet_proto . inet_service : verdict ; }`,
    `add set ${t} no-endpoints { type ipv4_addr . inet_proto . inet_service ; }`,
    `add set ${t} no-endpoint-nodeports { type inet_proto . inet_service ; }`,
    `add set ${t} hairpin { type ipv4_addr . ipv4_addr ; }`,
    `add set ${t} cluster-ips { type ipv4_addr ; }`,
    `add chain ${t} services`,
    `add rule ${t} services ip daddr . meta l4proto . th dport vmap @service-ips`,
    // Upstream's nftables mode does not serve node ports on 127.0.0.1 either (no route_localnet).
    `add rule ${t} services ip daddr != 127.0.0.0/8 fib daddr type local meta l4proto . th dport vmap @service-nodeports`,
    `add chain ${t} nat-prerouting { type nat hook prerouting priority dstnat ; policy accept ; }`,
    `add rule ${t} nat-prerouting jump services`,
    `add chain ${t} nat-output { type nat hook output priority -100 ; policy accept ; }`,
    `add rule ${t} nat-output jump services`,
    `add chain ${t} nat-postrouting { type nat hook postrouting priority srcnat ; policy accept ; }`,
    // A pod that reaches itself through its Service would see its own address as the source.
    `add rule ${t} nat-postrouting ct status dnat ip saddr . ip daddr @hairpin masquerade`,
    ...(opts.masqueradeBridged
      ? [`add rule ${t} nat-postrouting ct status dnat iifname "${opts.bridge}" oifname "${opts.bridge}" masquerade`]
      : []),
    // TCP gets a reset rather than ICMP: the kernel rate-limits ICMP errors per destination
    // (6, then 1 a second), and a refused connect must be refused every time.
    `add chain ${t} reject-chain`,
    `add rule ${t} reject-chain meta l4proto tcp reject with tcp reset`,
    `add rule ${t} reject-chain reject`,
    // Rejected at priority raw, before DNAT and without a conntrack entry: when the first
    // endpoint appears there is no un-NATed UDP flow to clear (upstream uses conntrack(8)).
    `add chain ${t} no-endpoints`,
    `add rule ${t} no-endpoints notrack goto reject-chain`,
    `add chain ${t} reject-prerouting { type filter hook prerouting priority raw ; policy accept ; }`,
    `add rule ${t} reject-prerouting ip daddr . meta l4proto . th dport @no-endpoints goto no-endpoints`,
    ...(opts.serviceCIDR
      ? [`add rule ${t} reject-prerouting ip daddr ${opts.serviceCIDR} ip daddr != @cluster-ips notrack reject with icmp type host-unreachable`]
      : []),
    // Every packet passes these raw-priority chains: the set lookups come first, the fib lookup
    // (a route lookup) only for what they match.
    `add rule ${t} reject-prerouting meta l4proto . th dport @no-endpoint-nodeports fib daddr type local goto no-endpoints`,
    `add chain ${t} reject-output { type filter hook output priority raw ; policy accept ; }`,
    `add rule ${t} reject-output ip daddr . meta l4proto . th dport @no-endpoints goto no-endpoints`,
    `add rule ${t} reject-output meta l4proto . th dport @no-endpoint-nodeports ip daddr != 127.0.0.0/8 fib daddr type local goto no-endpoints`,
    // After DNAT, a packet still addressed to a cluster IP asked for a port the Service lacks.
    // Upstream: pkg/proxy/nftables/proxier.go (cluster-ips-check); unallocated addresses are
    // left to the node's unreachable route instead of a drop rule.
    `add chain ${t} filter-forward { type filter hook forward priority filter ; policy accept ; }`,
    // Only a connection's first packet can ask for a missing port: established traffic skips the lookup.
    `add rule ${t} filter-forward ct state new ip daddr @cluster-ips goto reject-chain`,
    `add chain ${t} filter-output { type filter hook output priority filter ; policy accept ; }`,
    `add rule ${t} filter-output ct state new ip daddr @cluster-ips goto reject-chain`,
  ]
}

function bucketLines(bucket: string): string[] {
  const t = TABLE
  const n = Number(bucket.slice(bucket.lastIndexOf('-') + 1))
  return bucket.startsWith('nodeport-')
    ? [
        `add map ${t} nodeport-backends-${n} { type inet_proto . inet_service . mark : ipv4_addr . inet_service ; }`,
        `add chain ${t} ${bucket}`,
        `add rule ${t} ${bucket} meta mark set numgen random mod ${n} dnat to meta l4proto . th dport . meta mark map @nodeport-backends-${n}`,
      ]
    : [
        `add map ${t} backends-${n} { type ipv4_addr . inet_proto . inet_service . mark : ipv4_addr . inet_service ; }`,
        `add chain ${t} ${bucket}`,
        `add rule ${t} ${bucket} meta mark set numgen random mod ${n} dnat to ip daddr . meta l4proto . th dport . meta mark map @backends-${n}`,
      ]
}

const hash = (s: string, len: number) => createHash('sha256').update(s).digest('hex').slice(0, len)
const itemId = (it: Item): string =>
  it.kind === 'element' ? `e ${it.set} ${it.key}` : it.kind === 'route' ? `r ${it.ip}` : `${it.kind} ${it.name}`
const content = (it: Item): string =>
  it.kind === 'element' ? it.value ?? '' : it.kind === 'chain' ? it.rules.join('\n') : it.kind === 'set' ? it.spec : ''
const el = (set: string, key: string, value?: string): Item => ({ kind: 'element', set, key, ...(value ? { value } : {}) })

type Frontend = { set: 'service-ips' | 'service-nodeports'; key: string; eps: Backend[]; traffic: 'cluster' | 'external' }

/**
 * ClientIP affinity, for these ports only, as upstream lays it out: a chain per Service port and
 * traffic kind that sends a client its remembered endpoint, else a random one, and a chain per
 * endpoint that remembers the client in its own timed set. The timeout is part of the names, so
 * a new timeout is new chains rather than an edit of a set in use.
 * Upstream: pkg/proxy/nftables/proxier.go (affinity sets and endpoint chains).
 */
function affinityItems(sp: ServicePort, f: Frontend, proto: string, out: Item[]): string {
  const h = hash(`${sp.id} ${f.traffic} ${sp.affinityTimeoutSeconds}`, 12)
  const svcChain = `affinity-${h}`
  const picks: string[] = []
  const rules: string[] = []
  for (const ep of f.eps) {
    const e = hash(`${ep.ip}:${ep.port}`, 8)
    const set = `affinity-${h}-${e}`
    const chain = `affinity-${h}-${e}`
    out.push({ kind: 'set', name: set, spec: `{ type ipv4_addr ; flags dynamic,timeout ; timeout ${sp.affinityTimeoutSeconds}s ; }` })
    out.push({ kind: 'chain', name: chain, rules: [`update @${set} { ip saddr } meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`] })
    rules.push(`ip saddr @${set} goto ${chain}`)
    picks.push(`${picks.length} : goto ${chain}`)
  }
  rules.push(`numgen random mod ${f.eps.length} vmap { ${picks.join(', ')} }`)
  out.push({ kind: 'chain', name: svcChain, rules })
  return svcChain
}

/** Everything one Service port needs, each item once. LB IPs are left to the host relays. */
export function portItems(sp: ServicePort): Item[] {
  const proto = sp.protocol.toLowerCase()
  const frontends: Frontend[] = [
    ...sp.clusterIPs.map((ip): Frontend =>
      ({ set: 'service-ips', key: `${ip} . ${proto} . ${sp.port}`, eps: sp.clusterEndpoints, traffic: 'cluster' })),
    ...sp.externalIPs.map((ip): Frontend =>
      ({ set: 'service-ips', key: `${ip} . ${proto} . ${sp.port}`, eps: sp.externalEndpoints, traffic: 'external' })),
    ...(sp.nodePort
      ? [{ set: 'service-nodeports', key: `${proto} . ${sp.nodePort}`, eps: sp.externalEndpoints, traffic: 'external' } as Frontend]
      : []),
  ]
  const out: Item[] = sp.clusterIPs.flatMap((ip): Item[] => [{ kind: 'route', ip }, el('cluster-ips', ip)])
  for (const f of frontends) {
    const nodePort = f.set === 'service-nodeports'
    if (!f.eps.length) {
      out.push(el(nodePort ? 'no-endpoint-nodeports' : 'no-endpoints', f.key))
      continue
    }
    for (const ep of f.eps) out.push(el('hairpin', `${ep.ip} . ${ep.ip}`))
    if (sp.affinityTimeoutSeconds !== undefined) {
      out.push(el(f.set, f.key, `goto ${affinityItems(sp, f, proto, out)}`))
      continue
    }
    const n = f.eps.length
    const prefix = nodePort ? 'nodeport-' : ''
    out.push(el(f.set, f.key, `goto ${prefix}endpoints-${n}`))
    f.eps.forEach((ep, i) => out.push(el(`${prefix}backends-${n}`, `${f.key} . ${i}`, `${ep.ip} . ${ep.port}`)))
  }
  return [...new Map(out.map((it) => [itemId(it), it])).values()]
}

/** The bucket an element needs to exist first, if any. */
function bucketOf(it: Item): string | undefined {
  if (it.kind !== 'element') return undefined
  const m = /^(nodeport-)?backends-(\d+)$/.exec(it.set)
  return m ? `${m[1] ?? ''}endpoints-${m[2]}` : undefined
}

const CHUNK = 1000 // elements per line: keeps each line a sane size for nft's parser

function elementLines(verb: 'add' | 'delete', items: Item[]): string[] {
  const bySet = new Map<string, string[]>()
  for (const it of items) {
    if (it.kind !== 'element') continue
    const text = verb === 'add' && it.value ? `${it.key} : ${it.value}` : it.key
    let list = bySet.get(it.set)
    if (!list) bySet.set(it.set, (list = []))
    list.push(text)
  }
  const lines: string[] = []
  for (const [set, list] of bySet) {
    for (let i = 0; i < list.length; i += CHUNK) {
      lines.push(`${verb} element ${TABLE} ${set} { ${list.slice(i, i + CHUNK).join(', ')} }`)
    }
  }
  return lines
}

/**
 * The one batch that takes the kernel from `state` to `state` + `diff`. Order matters inside
 * the transaction: old elements go before new ones with the same key, chains exist before rules
 * name them, and chains and sets are deleted only after nothing refers to them.
 */
export function planSync(state: RuleState, diff: ServiceTableDiff): Plan {
  const delta = new Map<string, { d: number; cur?: Item }>()
  const touch = (sp: ServicePort, d: number) => {
    for (const it of portItems(sp)) {
      const id = itemId(it)
      const e = delta.get(id) ?? { d: 0 }
      e.d += d
      if (d > 0) e.cur = it
      delta.set(id, e)
    }
  }
  for (const sp of diff.removed) touch(sp, -1)
  for (const { old } of diff.changed) touch(old, -1)
  for (const { cur } of diff.changed) touch(cur, +1)
  for (const sp of diff.added) touch(sp, +1)

  const adds: Item[] = []
  const dels: Item[] = []
  const mods: Array<{ old: Item; cur: Item }> = []
  const updates: Array<[string, number, Item | undefined]> = []
  for (const [id, e] of delta) {
    const have = state.items.get(id)
    const before = have?.count ?? 0
    const after = Math.max(0, before + e.d)
    if (before === 0 && after > 0 && e.cur) adds.push(e.cur)
    else if (have && before > 0 && after === 0) dels.push(have.item)
    else if (have && after > 0 && e.cur && content(e.cur) !== content(have.item)) mods.push({ old: have.item, cur: e.cur })
    updates.push([id, after, e.cur ?? have?.item])
  }

  const newBuckets = new Set<string>()
  for (const it of [...adds, ...mods.map((m) => m.cur)]) {
    const b = bucketOf(it)
    if (b && !state.buckets.has(b)) newBuckets.add(b)
  }
  const t = TABLE
  const of = <K extends Item['kind']>(list: Item[], kind: K) => list.filter((it): it is Extract<Item, { kind: K }> => it.kind === kind)
  const modChains = of(mods.map((m) => m.cur), 'chain')
  const newChains = of(adds, 'chain')
  const goneChains = of(dels, 'chain')
  const nft = [
    ...[...newBuckets].sort().flatMap(bucketLines),
    ...elementLines('delete', [...dels, ...mods.map((m) => m.old)]),
    ...of(adds, 'set').map((s) => `add set ${t} ${s.name} ${s.spec}`),
    ...newChains.map((c) => `add chain ${t} ${c.name}`),
    ...modChains.map((c) => `flush chain ${t} ${c.name}`),
    ...[...newChains, ...modChains].flatMap((c) => c.rules.map((r) => `add rule ${t} ${c.name} ${r}`)),
    ...elementLines('add', [...adds, ...mods.map((m) => m.cur)]),
    ...goneChains.map((c) => `flush chain ${t} ${c.name}`),
    ...goneChains.map((c) => `delete chain ${t} ${c.name}`),
    ...of(dels, 'set').map((s) => `delete set ${t} ${s.name}`),
  ]
  return {
    nft,
    routesAdd: of(adds, 'route').map((r) => r.ip),
    routesDel: of(dels, 'route').map((r) => r.ip),
    commit() {
      for (const b of newBuckets) state.buckets.add(b)
      for (const [id, count, item] of updates) {
        if (count > 0 && item) state.items.set(id, { item, count })
        else state.items.delete(id)
      }
    },
  }
}

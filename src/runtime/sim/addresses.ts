/**
 * @module
 * Addresses for simulated nodes and pods. No packet ever goes to them, and none may leave
 * the machine if something tries, so:
 * - a node's InternalIP is a loopback address, 127.1.0.1 upwards (one per node slot), which
 *   stays on this host whatever connects to it (kubectl logs through the API server, a
 *   NodePort relay, a hostNetwork pod's endpoint);
 * - a node's spec.podCIDR is a /24 taken in order from 10.244.0.0/24 (the cluster's default
 *   per-node ranges: the first 256 nodes get exactly those), continuing through
 *   10.255.255.0/24 and then 10.128.0.0/24 .. 10.243.255.0/24: 32,768 nodes within 10.128.0.0/9,
 *   which stays clear of the 10.96.0.0/12 Service range. A /24 any Node already holds is skipped.
 * - pod IPs come from the node's /24, .2 to .254 (.1 is the node's bridge in a real node), in
 *   host-local IPAM's round-robin order, so a freed address is reused only after the range wraps.
 */
import type { Node } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../../api/index.js'

const SLOTS = 32_768
// The /9 is 10.128.0.0; slot 0 is its 29,696th /24, 10.244.0.0.
const FIRST_BLOCK = (244 - 128) * 256
const BASE_10_128 = (10 << 24) | (128 << 16)
const LOOPBACK_BASE = (127 << 24) | (1 << 16)

const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
const parseIPv4 = (s: string) => {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s)
  return m ? ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0 : undefined
}

/** The /24 of a slot, e.g. slot 0 → "10.244.0.0/24". */
export const slotCidr = (slot: number) => `${dotted((BASE_10_128 + ((FIRST_BLOCK + slot) % SLOTS) * 256) >>> 0)}/24`
/** The node InternalIP of a slot, e.g. slot 0 → "127.1.0.1". */
export const slotNodeIP = (slot: number) => dotted((LOOPBACK_BASE + slot + 1) >>> 0)

/** Hands out node slots (a /24 and a loopback IP each), avoiding /24s any Node holds. */
export function slotAllocator(existing: () => readonly Cached<Node>[]) {
  const mine = new Set<number>()
  // Every slot below this one is known to be ours: allocation never rescans them.
  let lowest = 0
  return {
    /** The lowest slot free both here and among the stored Nodes; throws when none is left. */
    allocate(taken: ReadonlySet<string> = takenCidrs(existing())): number {
      for (let s = lowest; s < SLOTS; s++) {
        if (mine.has(s) || taken.has(slotCidr(s))) continue
        mine.add(s)
        if (s === lowest) lowest++
        return s
      }
      throw new Error('sim: no pod CIDR left in 10.128.0.0/9')
    },
    /** Claims the slot of an existing sim node's podCIDR, if it is one of ours. */
    claim(cidr: string | undefined): number | undefined {
      const base = cidr?.endsWith('/24') ? parseIPv4(cidr.slice(0, -3)) : undefined
      if (base === undefined || base >>> 23 !== BASE_10_128 >>> 23 || (base & 255) !== 0) return undefined
      const slot = ((((base - BASE_10_128) >>> 8) - FIRST_BLOCK) % SLOTS + SLOTS) % SLOTS
      mine.add(slot)
      return slot
    },
    /** The pod CIDRs the stored Nodes hold, for a batch of `allocate` calls. */
    taken: () => takenCidrs(existing()),
  }
}

function takenCidrs(nodes: readonly Cached<Node>[]): Set<string> {
  const taken = new Set<string>()
  for (const n of nodes) for (const c of n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])) taken.add(c)
  return taken
}

/** One node's pod IPs: addresses .2–.254 of its /24, one per pod uid. */
export function podIPPool(cidr: string) {
  const base = parseIPv4(cidr.split('/')[0] ?? '')
  if (base === undefined) throw new Error(`sim: bad pod CIDR ${cidr}`)
  const byUid = new Map<string, number>()
  const used = new Set<number>()
  let last = 1
  return {
    /** The pod's address: the one it already has, else the next free one; undefined when full. */
    allocate(uid: string): string | undefined {
      const have = byUid.get(uid)
      if (have !== undefined) return dotted(base + have)
      for (let i = 0; i < 253; i++) {
        const host = ((((last - 1 + i) % 253) + 253) % 253) + 2
        if (used.has(host)) continue
        used.add(host)
        byUid.set(uid, host)
        last = host
        return dotted(base + host)
      }
      return undefined
    },
    /** Records an address a pod already holds (after a restart of the sim). */
    reserve(uid: string, ip: string) {
      const n = parseIPv4(ip)
      if (n === undefined || n - base < 2 || n - base > 254 || byUid.has(uid)) return
      const host = n - base
      if (used.has(host)) return
      used.add(host)
      byUid.set(uid, host)
    },
    release(uid: string) {
      const host = byUid.get(uid)
      if (host === undefined) return
      byUid.delete(uid)
      used.delete(host)
    },
    size: () => used.size,
  }
}
export type PodIPPool = ReturnType<typeof podIPPool>

/**
 * @module
 * Pod IP addresses from the node's podCIDR: .2 upward (.1 is the node), never one in use,
 * and after a release the next allocation moves on rather than reusing the freed address
 * at once, so a stale endpoint or conntrack entry does not reach a new pod.
 */
import { addressAt, parseCidr } from './cidr.js'

export interface PodIpam {
  /** An unused address for `owner`; the same one again if `owner` already holds one. */
  allocate(owner: string): string
  release(owner: string): void
  /** owner → address, for what is handed out now. */
  readonly inUse: ReadonlyMap<string, string>
}

export function createPodIpam(podCIDR: string): PodIpam {
  const cidr = parseCidr(podCIDR)
  // Upstream's host-local IPAM also skips the network, gateway and broadcast addresses.
  const first = 2
  const last = cidr.size - 2
  if (last < first) throw new Error(`podCIDR ${podCIDR} has no room for pods`)
  const byOwner = new Map<string, string>()
  const taken = new Set<number>()
  const owners = new Map<string, number>()
  let next = first
  return {
    inUse: byOwner,
    allocate(owner) {
      const held = byOwner.get(owner)
      if (held) return held
      for (let i = 0; i <= last - first; i++) {
        const offset = first + ((next - first + i) % (last - first + 1))
        if (taken.has(offset)) continue
        taken.add(offset)
        owners.set(owner, offset)
        next = offset + 1 > last ? first : offset + 1
        const ip = addressAt(cidr, offset)
        byOwner.set(owner, ip)
        return ip
      }
      throw new Error(`no free pod IP left in ${podCIDR} (${byOwner.size} in use)`)
    },
    release(owner) {
      const offset = owners.get(owner)
      if (offset === undefined) return
      taken.delete(offset)
      owners.delete(owner)
      byOwner.delete(owner)
    },
  }
}

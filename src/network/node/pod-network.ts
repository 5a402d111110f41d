/**
 * @module
 * One network namespace per pod: loopback up, `eth0` (a veth whose other end is on the node
 * bridge) with an address from the podCIDR, and a default route via the node. Two `ip`
 * processes per pod: one batch in the node's namespace, one in the pod's.
 */
import { createHash } from 'node:crypto'
import { addressAt, parseCidr } from './cidr.js'
import { ipBatch } from './ip.js'
import { createPodIpam } from './ipam.js'

export interface PodNetwork {
  /** Creates the pod's network namespace: lo up, eth0 on the node bridge with an IP from the podCIDR, default route. */
  setUp(podUid: string, hostname: string): Promise<{ netnsPath: string; ip: string }>
  tearDown(podUid: string): Promise<void>
  /** The node's own address on the bridge (hostIP). */
  readonly nodeIP: string
}

export type PodNetworkOptions = {
  podCIDR: string
  /** The node bridge made by setUpNodeNetwork; 'kl0' unless set. */
  bridge?: string
}

/** The pod's network namespace name: stable, so a restarted agent finds what it made. */
export function podNetnsName(podUid: string): string {
  return `kl-${podUid.replace(/[^A-Za-z0-9_.-]/g, '')}`
}

/** The node side of the pod's veth: interface names have at most 15 characters. */
export function podVethName(podUid: string): string {
  return `klv${createHash('sha256').update(podUid).digest('hex').slice(0, 12)}`
}

/** Pod networking on the node bridge; call it inside the node's namespaces. */
export function createPodNetwork(opts: PodNetworkOptions): PodNetwork {
  const bridge = opts.bridge ?? 'kl0'
  const cidr = parseCidr(opts.podCIDR)
  const nodeIP = addressAt(cidr, 1)
  const ipam = createPodIpam(opts.podCIDR)
  // One operation per pod at a time: a tearDown racing a setUp would free a live address.
  const pending = new Map<string, Promise<unknown>>()
  const serialize = <T>(uid: string, op: () => Promise<T>): Promise<T> => {
    const result = (pending.get(uid) ?? Promise.resolve()).catch(() => {}).then(op)
    const tail = result.catch(() => {})
    pending.set(uid, tail)
    void tail.then(() => { if (pending.get(uid) === tail) pending.delete(uid) })
    return result
  }

  async function removeLinks(podUid: string): Promise<void> {
    // Deleting the veth first frees eth0 even while a process still holds the namespace open.
    await ipBatch([`link del ${podVethName(podUid)}`, `netns del ${podNetnsName(podUid)}`], { force: true })
  }

  return {
    nodeIP,
    setUp: (podUid, _hostname) => serialize(podUid, async () => {
      // The hostname belongs to the sandbox's UTS namespace, which the runtime owns.
      const netns = podNetnsName(podUid)
      const veth = podVethName(podUid)
      const existing = ipam.inUse.get(podUid)
      if (existing) await removeLinks(podUid) // a retried setUp starts clean, same address
      const ip = ipam.allocate(podUid)
      try {
        await ipBatch([
          `netns add ${netns}`,
          `link add ${veth} type veth peer name eth0 netns ${netns}`,
          `link set ${veth} master ${bridge} up`,
          // Hairpin: with br_netfilter, a pod's own Service traffic DNATed back to it leaves by its own port.
          `link set dev ${veth} type bridge_slave hairpin on`,
        ])
        await ipBatch([
          'link set lo up',
          `addr add ${ip}/${cidr.prefix} dev eth0`,
          'link set eth0 up',
          `route add default via ${nodeIP} dev eth0`,
        ], { netns })
      } catch (err) {
        await removeLinks(podUid)
        ipam.release(podUid)
        throw err
      }
      return { netnsPath: `/run/netns/${netns}`, ip }
    }),
    tearDown: (podUid) => serialize(podUid, async () => {
      await removeLinks(podUid)
      ipam.release(podUid)
    }),
  }
}

/**
 * @module
 * The node's network, set up inside its own network namespace: loopback, the bridge that
 * every pod's veth joins (holding the node's IP, the pods' gateway and hostIP), IPv4
 * forwarding, and an `unreachable` route over the Service range so that a cluster address
 * without a proxy rule fails at once instead of leaving the machine (map §1 rule 5).
 */
import { writeFile } from 'node:fs/promises'
import { addressAt, formatCidr, parseCidr } from './cidr.js'
import { ipBatch } from './ip.js'

/** The kernel's default net.ipv4.icmp_ratemask: dest-unreachable, source-quench, time-exceeded, parameter-problem. */
const ICMP_DEFAULT_RATEMASK = 6168

export type NodeNetworkOptions = {
  /** This node's pod range, e.g. 10.244.0.0/24. */
  podCIDR: string
  /** The cluster's Service range, e.g. 10.96.0.0/12. */
  serviceCIDR: string
  /** The bridge's name; 'kl0' unless set. */
  bridge?: string
}

export type NodeNetwork = {
  /** The node's address on the bridge: the first of the podCIDR. */
  nodeIP: string
  bridge: string
  teardown(): Promise<void>
}

/** Sets up the node's network; call it inside the node's network namespace, once. */
export async function setUpNodeNetwork(opts: NodeNetworkOptions): Promise<NodeNetwork> {
  const bridge = opts.bridge ?? 'kl0'
  const pods = parseCidr(opts.podCIDR)
  const services = formatCidr(parseCidr(opts.serviceCIDR))
  const nodeIP = addressAt(pods, 1)
  await ipBatch([
    'link set lo up',
    // No STP and no forward delay: a new pod's port forwards at once.
    `link add ${bridge} type bridge stp_state 0 forward_delay 0`,
    `addr add ${nodeIP}/${pods.prefix} dev ${bridge}`,
    `link set ${bridge} up`,
    `route add unreachable ${services}`,
  ])
  // Per network namespace: this never touches the host's setting.
  await writeFile('/proc/sys/net/ipv4/ip_forward', '1\n')
  // The Service proxy DNATs pod traffic back out of the bridge it came in on: ICMP redirects are
  // wrong there and spend the per-host ICMP budget that "unreachable"/"refused" answers need.
  for (const key of ['conf/all/send_redirects', `conf/${bridge}/send_redirects`, 'icmp_ratelimit']) {
    await writeFile(`/proc/sys/net/ipv4/${key}`, '0\n')
  }
  // Destination-unreachable leaves the rate-limited types (the default mask less bit 3), so
  // neither the per-host nor the 1000/s budget turns a refused or unreachable answer into a
  // silent drop when a client retries fast.
  await writeFile('/proc/sys/net/ipv4/icmp_ratemask', `${ICMP_DEFAULT_RATEMASK & ~(1 << 3)}\n`)
  return {
    nodeIP,
    bridge,
    async teardown() {
      await ipBatch([`link del ${bridge}`, `route del unreachable ${services}`], { force: true })
    },
  }
}

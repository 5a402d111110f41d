/**
 * @module
 * Run inside a fresh node namespace by userspace.test.ts: a node network with two pods, the
 * userspace backend driven through a series of tables, and probes from a pod and the node
 * after each step. Prints the findings as one JSON line; the test judges them. Everything it
 * makes lives in the node's namespaces, which vanish when it exits, also on failure.
 */
import { execFileSync } from 'node:child_process'
import { prepareNodeMounts } from '../../node/namespace.js'
import { setUpNodeNetwork } from '../../node/node-network.js'
import { createPodNetwork, podNetnsName } from '../../node/pod-network.js'
import { diffServiceTables, type Backend, type ServicePort, type ServiceTable } from '../service-table.js'
import { createUserspaceBackend } from '../userspace.js'
import { AGENT_PORT, probe, startPodAgent, whoAnswers, type PodAgent } from './nft-fixture.js'

const POD_CIDR = '10.244.9.0/24'
const r: Record<string, unknown> = {}
const logs: string[] = []
const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args).toString().trim()
/** The node's /32 addresses (Service addresses), as "device address/32". */
const svcAddrs = () => sh('ip', '-4', '-o', 'addr').split('\n').map((l) => l.split(/\s+/))
  .filter((f) => f[3]?.endsWith('/32')).map((f) => `${f[1]} ${f[3]}`).sort()

await prepareNodeMounts()
const node = await setUpNodeNetwork({ podCIDR: POD_CIDR, serviceCIDR: '10.96.0.0/12' })
const pods = createPodNetwork({ podCIDR: POD_CIDR })
const agents: PodAgent[] = []
const backend = createUserspaceBackend({ nodeIP: node.nodeIP, log: (m) => logs.push(m), udpIdleTimeoutMs: 200 })
try {
  const ips: Record<string, string> = {}
  for (const name of ['pod-a', 'pod-b', 'pod-c']) {
    ips[name] = (await pods.setUp(name, name)).ip
    agents.push(await startPodAgent(podNetnsName(name), name))
  }
  const [a] = agents as [PodAgent]
  const ep = (name: string): Backend => ({ ip: ips[name]!, port: AGENT_PORT })
  r.ips = ips
  r.nodeIP = node.nodeIP

  const svc = (name: string, ip: string, eps: Backend[], over: Partial<ServicePort> = {}): ServicePort => ({
    id: `default/${name}:/${over.protocol ?? 'TCP'}`, namespace: 'default', name, portName: '', protocol: 'TCP',
    port: 80, clusterIPs: [ip], externalIPs: [], loadBalancerIPs: [], clusterEndpoints: eps, externalEndpoints: eps, ...over,
  })
  let table: ServiceTable = new Map()
  const syncMs: number[] = []
  const sync = async (...ports: ServicePort[]) => {
    const next: ServiceTable = new Map(ports.map((sp) => [sp.id, sp]))
    const t0 = performance.now()
    await backend.sync(diffServiceTables(table, next), next)
    syncMs.push(performance.now() - t0)
    table = next
  }
  const fromA = (kind: 'tcp' | 'udp', host: string, port: number, n = 1) => whoAnswers(() => a.probe(kind, host, port), n)
  const fromNode = (kind: 'tcp' | 'udp', host: string, port: number, n = 1) => whoAnswers(() => probe(kind, host, port), n)

  const web = svc('web', '10.96.0.20', [ep('pod-b'), ep('pod-c')], { nodePort: 30080, externalIPs: ['192.0.2.10'] })
  const self = svc('self', '10.96.0.21', [ep('pod-a')])
  const dns = svc('dns', '10.96.0.22', [ep('pod-b'), ep('pod-c')], { protocol: 'UDP', port: 53, nodePort: 30053 })
  const sticky = svc('sticky', '10.96.0.23', [ep('pod-b'), ep('pod-c')], { affinityTimeoutSeconds: 60 })
  const empty = svc('empty', '10.96.0.24', [])
  await sync(web, self, dns, sticky, empty)
  r.addresses = svcAddrs()
  r.spread = await fromA('tcp', '10.96.0.20', 80, 20)
  r.clientSeen = (await a.probe('tcp', '10.96.0.20', 80)).split(' ')[1]
  r.nodePort = await fromA('tcp', node.nodeIP, 30080, 20)
  r.externalIP = await fromA('tcp', '192.0.2.10', 80, 20)
  r.hairpin = await a.probe('tcp', '10.96.0.21', 80)
  r.udp = await fromA('udp', '10.96.0.22', 53, 20) // each probe is a new flow (a new source port)
  r.udpNodePort = await fromA('udp', node.nodeIP, 30053, 20)
  r.sticky = await fromA('tcp', '10.96.0.23', 80, 20)
  r.fromNode = await fromNode('tcp', '10.96.0.20', 80, 20)
  r.noEndpoints = await fromA('tcp', '10.96.0.24', 80)
  r.unallocated = await fromA('tcp', '10.96.0.99', 80)
  r.otherPort = await fromA('tcp', '10.96.0.20', 81)

  // The listening socket's inode, to see that an endpoint change does not reopen it.
  const listenerInode = () => /ino:(\d+)/.exec(sh('ss', '-Hltne', 'src', '10.96.0.20:80'))?.[1]
  const inodeBefore = listenerInode()

  // Endpoints change: only pod-c is left; a UDP flow to pod-b is pruned, not left dangling.
  await sync({ ...web, clusterEndpoints: [ep('pod-c')], externalEndpoints: [ep('pod-c')] }, self,
    { ...dns, clusterEndpoints: [ep('pod-c')], externalEndpoints: [ep('pod-c')] }, sticky, empty)
  r.sameListener = inodeBefore !== undefined && listenerInode() === inodeBefore
  r.changed = await fromA('tcp', '10.96.0.20', 80, 10)
  r.changedNodePort = await fromA('tcp', node.nodeIP, 30080, 10)
  r.changedUdp = await fromA('udp', '10.96.0.22', 53, 10)

  // Removal: the address goes (unreachable at once), the node port closes (refused).
  await sync(self, dns, sticky)
  r.removed = {
    clusterIP: await fromA('tcp', '10.96.0.20', 80),
    nodePort: await fromA('tcp', node.nodeIP, 30080),
    externalIP: await fromA('tcp', '192.0.2.10', 80),
    empty: await fromA('tcp', '10.96.0.24', 80),
  }
  r.addressesAfterRemoval = svcAddrs()
  r.syncMs = syncMs
  await backend.close()
  r.afterClose = {
    links: sh('ip', '-o', 'link').split('\n').map((l) => l.split(':')[1]!.trim()).filter((l) => !l.startsWith('klv')),
    addresses: svcAddrs(),
    // Nothing of the proxy listens any more (the pods' servers are in their own namespaces).
    sockets: sh('ss', '-Hltun'),
    sticky: await fromA('tcp', '10.96.0.23', 80),
  }
  r.logs = logs
} finally {
  for (const agent of agents) agent.close()
  await backend.close()
  for (const name of ['pod-a', 'pod-b', 'pod-c']) await pods.tearDown(name)
  await node.teardown()
}
r.netnsAfter = sh('ip', 'netns', 'list')
console.log(JSON.stringify(r))

/**
 * @module
 * Run inside a fresh node namespace by userspace.test.ts: a node network with three pods, the
 * userspace backend driven through a series of tables, and probes from a pod and the node
 * after each step. Prints the findings as one JSON line; the test judges them. Everything it
 * makes lives in the node's namespaces, which vanish when it exits, also on failure.
 */
import { execFileSync } from 'node:child_process'
import { createUserspaceBackend } from '../userspace.js'
import { setUpProxyScenario } from './scenario-setup.js'

const r: Record<string, unknown> = {}
const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args).toString().trim()
/** The node's /32 addresses (Service addresses), as "device address/32". */
const svcAddrs = () => sh('ip', '-4', '-o', 'addr').split('\n').map((l) => l.split(/\s+/))
  .filter((f) => f[3]?.endsWith('/32')).map((f) => `${f[1]} ${f[3]}`).sort()

const scenario = await setUpProxyScenario(({ nodeIP, log }) => createUserspaceBackend({ nodeIP, log, udpIdleTimeoutMs: 200 }))
const { node, backend, logs, a, ep, svc, sync, syncMs, fromA, fromNode } = scenario
try {
  r.ips = scenario.ips
  r.nodeIP = node.nodeIP

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
  await scenario.close()
}
r.netnsAfter = sh('ip', 'netns', 'list')
console.log(JSON.stringify(r))

/**
 * @module
 * Run inside a fresh node namespace by nftables.test.ts: a node network with three pods, the
 * nftables backend driven through a series of tables, and probes from the pods and the node
 * after each step. Prints the findings as one JSON line; the test judges them.
 */
import { execFileSync } from 'node:child_process'
import { createNftablesBackend } from '../nftables.js'
import { setUpProxyScenario } from './scenario-setup.js'

/** 'off': the bridge skips netfilter (no br_netfilter), so the backend must masquerade. */
const bridgeNetfilter = process.argv[2] ?? 'on'
const r: Record<string, unknown> = {}
const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args).toString().trim()

const scenario = await setUpProxyScenario(({ log }) => createNftablesBackend({ log }), { bridgeNetfilter: bridgeNetfilter !== 'off' })
const { node, backend, logs, a, ep, svc, sync, syncMs, fromA, fromNode } = scenario
try {
  r.ips = scenario.ips
  r.nodeIP = node.nodeIP

  const web = svc('web', '10.96.0.20', [ep('pod-b'), ep('pod-c')], { nodePort: 30080 })
  const self = svc('self', '10.96.0.21', [ep('pod-a')])
  const dns = svc('dns', '10.96.0.22', [ep('pod-b'), ep('pod-c')], { protocol: 'UDP', port: 53 })
  const sticky = svc('sticky', '10.96.0.23', [ep('pod-b'), ep('pod-c')], { affinityTimeoutSeconds: 60 })
  await sync(web, self, dns, sticky)
  r.spread = await fromA('tcp', '10.96.0.20', 80, 30)
  r.clientSeen = (await a.probe('tcp', '10.96.0.20', 80)).split(' ')[1]
  r.nodePort = await fromA('tcp', node.nodeIP, 30080, 30)
  r.nodePortFromNode = await fromNode('tcp', node.nodeIP, 30080, 30)
  r.hairpin = await a.probe('tcp', '10.96.0.21', 80)
  r.udp = await fromA('udp', '10.96.0.22', 53, 30)
  r.sticky = await fromA('tcp', '10.96.0.23', 80, 20)
  r.fromNode = await fromNode('tcp', '10.96.0.20', 80, 30)
  r.unallocated = await fromA('tcp', '10.96.0.99', 80)
  r.unallocatedFromNode = await fromNode('tcp', '10.96.0.99', 80)
  r.otherPort = { pod: await fromA('tcp', '10.96.0.20', 81), node: await fromNode('tcp', '10.96.0.20', 81) }

  // Endpoints change: only pod-c is left (a move from bucket 2 to bucket 1).
  await sync({ ...web, clusterEndpoints: [ep('pod-c')], externalEndpoints: [ep('pod-c')] }, self, dns, sticky)
  r.changed = await fromA('tcp', '10.96.0.20', 80, 20)
  r.changedNodePort = await fromA('tcp', node.nodeIP, 30080, 10)

  // No endpoints: refused at once, from a pod and from the node, TCP and UDP, node port too.
  await sync({ ...web, clusterEndpoints: [], externalEndpoints: [] }, self, { ...dns, clusterEndpoints: [], externalEndpoints: [] }, sticky)
  r.noEndpoints = {
    // Ten in a row: a refusal must not fall to the kernel's ICMP rate limit.
    pod: await fromA('tcp', '10.96.0.20', 80, 10), node: await fromNode('tcp', '10.96.0.20', 80, 10),
    udp: await fromA('udp', '10.96.0.22', 53), nodePort: await fromA('tcp', node.nodeIP, 30080),
    udpFixedPort: await a.probe('udp', '10.96.0.22', 53, 40053),
  }
  // Endpoints come back: served again at once (no stale conntrack entry from the refusals).
  await sync(web, self, dns, sticky)
  r.back = {
    tcp: await fromA('tcp', '10.96.0.20', 80, 20), udp: await fromA('udp', '10.96.0.22', 53, 20),
    // The same UDP 5-tuple as the refused datagram above: no leftover conntrack entry holds it.
    udpFixedPort: (await a.probe('udp', '10.96.0.22', 53, 40053)).split(' ')[0],
  }

  // Removed: the address is unallocated again.
  await sync(self, dns, sticky)
  r.removed = { pod: await fromA('tcp', '10.96.0.20', 80), node: await fromNode('tcp', '10.96.0.20', 80) }

  // Someone deletes our table: the next incremental batch fails and the backend rebuilds it all.
  sh('nft', 'delete', 'table', 'ip', 'kubelite')
  await sync(self, dns, sticky, web)
  const logged = logs.find((l) => l.includes('resyncing the whole table')) ?? ''
  r.resynced = { logged: /failed[^]*batch of \d+ lines:\n1: add /.test(logged), web: await fromA('tcp', '10.96.0.20', 80, 20) }
  r.routes = sh('ip', 'route', 'show', 'proto', '177')
  r.syncMs = syncMs

  await backend.close()
  r.afterClose = { tables: sh('nft', 'list', 'tables'), routes: sh('ip', 'route', 'show', 'proto', '177') }
} finally {
  await scenario.close()
}
r.netnsAfter = sh('ip', 'netns', 'list')
r.logs = logs
console.log(JSON.stringify(r))

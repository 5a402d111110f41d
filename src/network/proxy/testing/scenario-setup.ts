/**
 * @module
 * The set-up the proxy backends' namespace scenarios share: inside a fresh node namespace, a
 * node network with pods pod-a, pod-b and pod-c (each with a pod agent), a backend, a builder
 * for Service ports, a `sync` that feeds the backend table by table, and probes from pod-a and
 * from the node.
 */
import { writeFile } from 'node:fs/promises'
import { prepareNodeMounts } from '../../node/namespace.js'
import { setUpNodeNetwork, type NodeNetwork } from '../../node/node-network.js'
import { createPodNetwork, podNetnsName } from '../../node/pod-network.js'
import { diffServiceTables, type Backend, type ProxyBackend, type ServicePort, type ServiceTable } from '../service-table.js'
import { AGENT_PORT, probe, startPodAgent, whoAnswers, type PodAgent, type ProbeKind } from './nft-fixture.js'

export const POD_NAMES = ['pod-a', 'pod-b', 'pod-c'] as const
export type PodName = (typeof POD_NAMES)[number]

export type ProxyScenarioOptions = {
  /** Sets the node namespace's bridge-nf-call-iptables; the kernel's default when unset. */
  bridgeNetfilter?: boolean
}

export type ProxyScenario = {
  node: NodeNetwork
  backend: ProxyBackend
  /** What the backend logged, in order. */
  logs: string[]
  ips: Record<PodName, string>
  agents: PodAgent[]
  /** pod-a's agent. */
  a: PodAgent
  /** The pod's agent as an endpoint. */
  ep(name: PodName): Backend
  /** A Service port `default/<name>` on `ip`:80/TCP, with `eps` as its endpoints, overridden by `over`. */
  svc(name: string, ip: string, eps: Backend[], over?: Partial<ServicePort>): ServicePort
  /** Makes `ports` the backend's whole table, through a diff from the previous one. */
  sync(...ports: ServicePort[]): Promise<void>
  /** How long each sync took, in ms. */
  syncMs: number[]
  /** Who answers `n` probes from pod-a (see whoAnswers). */
  fromA(kind: ProbeKind, host: string, port: number, n?: number): Promise<string[]>
  /** Who answers `n` probes from the node. */
  fromNode(kind: ProbeKind, host: string, port: number, n?: number): Promise<string[]>
  /** Stops the agents and the backend, removes the pods and the node network; once is enough. */
  close(): Promise<void>
}

const POD_CIDR = '10.244.9.0/24'

/** Sets the scenario up; call it inside a fresh node namespace. On failure it removes what it made. */
export async function setUpProxyScenario(
  makeBackend: (env: { nodeIP: string; log: (m: string) => void }) => ProxyBackend,
  opts: ProxyScenarioOptions = {},
): Promise<ProxyScenario> {
  await prepareNodeMounts()
  if (opts.bridgeNetfilter !== undefined) {
    // Per network namespace (this is the node's): the host's setting is untouched.
    await writeFile('/proc/sys/net/bridge/bridge-nf-call-iptables', opts.bridgeNetfilter ? '1\n' : '0\n')
  }
  const node = await setUpNodeNetwork({ podCIDR: POD_CIDR, serviceCIDR: '10.96.0.0/12' })
  const pods = createPodNetwork({ podCIDR: POD_CIDR })
  const agents: PodAgent[] = []
  const logs: string[] = []
  let backend: ProxyBackend | undefined
  const close = async () => {
    for (const agent of agents) agent.close()
    try {
      await backend?.close()
    } finally {
      for (const name of POD_NAMES) await pods.tearDown(name)
      await node.teardown()
    }
  }
  try {
    backend = makeBackend({ nodeIP: node.nodeIP, log: (m) => logs.push(m) })
    const ips = {} as Record<PodName, string>
    for (const name of POD_NAMES) {
      ips[name] = (await pods.setUp(name, name)).ip
      agents.push(await startPodAgent(podNetnsName(name), name))
    }
    const a = agents[0]!
    const proxy = backend
    let table: ServiceTable = new Map()
    const syncMs: number[] = []
    return {
      node, backend, logs, ips, agents, a, syncMs, close,
      ep: (name) => ({ ip: ips[name], port: AGENT_PORT }),
      svc: (name, ip, eps, over = {}) => ({
        id: `default/${name}:/${over.protocol ?? 'TCP'}`, namespace: 'default', name, portName: '', protocol: 'TCP',
        port: 80, clusterIPs: [ip], externalIPs: [], loadBalancerIPs: [], clusterEndpoints: eps, externalEndpoints: eps, ...over,
      }),
      sync: async (...ports) => {
        const next: ServiceTable = new Map(ports.map((sp) => [sp.id, sp]))
        const t0 = performance.now()
        await proxy.sync(diffServiceTables(table, next), next)
        syncMs.push(performance.now() - t0)
        table = next
      },
      fromA: (kind, host, port, n = 1) => whoAnswers(() => a.probe(kind, host, port), n),
      fromNode: (kind, host, port, n = 1) => whoAnswers(() => probe(kind, host, port), n),
    }
  } catch (err) {
    await close().catch(() => {}) // the set-up's failure is the one to report
    throw err
  }
}

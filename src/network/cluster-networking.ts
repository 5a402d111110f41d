/**
 * @module
 * A node's share of cluster networking, started by the node agent inside the node's network
 * namespace once the bridge is up: the Service proxy (nftables, or userspace where `nft` is
 * missing), cluster DNS at the kube-dns Service IP, the ingress controller, and the host
 * relays for NodePort, LoadBalancer and ingress ports. Two Services are special, as on a real
 * node: `default/kubernetes` leads to the API server (through the agent's socket, since the
 * host's 127.0.0.1 is not reachable from here) and `kube-system/kube-dns` to this node's own
 * DNS server, whatever their Endpoints say.
 */
import net from 'node:net'
import type { Endpoints } from 'kubernetes-types/core/v1.js'
import { compareStrings, isNotFound } from '../api/index.js'
import type { Client, Informers } from '../client/index.js'
import type { NodeNetworkFlags } from '../cli/agent-command.js'
import { createEndpointPicker } from './proxy/endpoint-picker.js'
import { startProxier, type Proxier } from './proxy/proxier.js'
import { joinSockets } from './proxy/splice.js'
import type { ProxyBackend, ServicePort } from './proxy/service-table.js'
import type { HostPortBroker } from './relay/host-ports.js'
import { startServiceRelays } from './relay/service-relays.js'

export type ClusterNetworkingOptions = {
  client: Client
  informers: Informers
  recorder: Parameters<typeof import('./ingress/index.js').startIngressController>[0]['recorder']
  nodeName: string
  /** The node's address on its bridge. */
  nodeIP: string
  bridge: string
  /** The API server's unix socket, for the `kubernetes` Service. */
  apiSocket?: string
  clusterDomain: string
  /** The kube-dns Service IP (the kubelet's --cluster-dns). */
  clusterDNS: string
  /** The Service range (10.96.0.0/12). */
  serviceCIDR: string
  flags: NodeNetworkFlags
  broker: HostPortBroker
  log: (msg: string) => void
}

export type ClusterNetworking = {
  readonly proxyMode: 'nftables' | 'userspace'
  /** Host addresses the ingress controller answers on, e.g. `http://127.0.0.1:8080`. */
  readonly ingressURLs: string[]
  readonly proxier: Proxier
  stop(): Promise<void>
}

/** The port the `kubernetes` Service leads to on the node: a relay to the API server's socket. */
export const API_RELAY_PORT = 6443
const DNS_PORT = 53

export async function startClusterNetworking(opts: ClusterNetworkingOptions): Promise<ClusterNetworking> {
  const { nodeIP, log } = opts
  const stops: Array<() => Promise<void> | void> = []
  const stopAll = async () => { for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => {}) }
  try {
    const backend = await chooseBackend(opts)
    const picker = createEndpointPicker()

    // The `kubernetes` Service: from pods, through this relay to the API server's socket.
    if (opts.apiSocket) {
      const relay = net.createServer((down) => joinSockets(down, net.connect(opts.apiSocket!)))
      await listen(relay, nodeIP, API_RELAY_PORT)
      stops.push(() => new Promise<void>((r) => relay.close(() => r())))
    }

    const { startClusterDns } = await import('./dns/index.js')
    const dns = await startClusterDns({
      informers: opts.informers, clusterDomain: opts.clusterDomain, listen: [{ host: nodeIP, port: DNS_PORT }],
      nameserverIPs: [opts.clusterDNS],
      upstream: opts.flags.dnsUpstream.length
        ? { servers: opts.flags.dnsUpstream, socket: await opts.broker.bindUdp('0.0.0.0', 0) }
        : undefined,
      log,
    })
    stops.push(() => dns.close())
    void publishDnsEndpoints(opts.client, opts.nodeName, nodeIP, log)

    const override = (sp: ServicePort): ServicePort => {
      if (sp.namespace === 'default' && sp.name === 'kubernetes' && opts.apiSocket) {
        const to = [{ ip: nodeIP, port: API_RELAY_PORT, nodeName: opts.nodeName }]
        return { ...sp, clusterEndpoints: to, externalEndpoints: to }
      }
      if (sp.namespace === 'kube-system' && sp.name === 'kube-dns' && sp.port === DNS_PORT) {
        const to = [{ ip: nodeIP, port: DNS_PORT, nodeName: opts.nodeName }]
        return { ...sp, clusterEndpoints: to, externalEndpoints: to }
      }
      return sp
    }
    const proxier = startProxier({ informers: opts.informers, backends: [backend], nodeName: opts.nodeName, override, log })
    stops.push(() => proxier.stop())
    const relays = startServiceRelays({ proxier, picker, broker: opts.broker, log })
    stops.push(() => relays.stop())

    const ingress = await startIngress(opts, stops)
    await proxier.ready
    return {
      proxyMode: backend.name,
      ingressURLs: ingress,
      proxier,
      stop: stopAll,
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}

async function chooseBackend(opts: ClusterNetworkingOptions): Promise<ProxyBackend> {
  const { nftAvailable, createNftablesBackend } = await import('./proxy/nftables.js')
  const mode = opts.flags.proxyMode
  if (mode !== 'userspace') {
    const nft = await nftAvailable()
    if (nft.ok) return createNftablesBackend({ bridge: opts.bridge, serviceCIDR: opts.serviceCIDR, log: opts.log })
    if (mode === 'nftables') throw new Error(`--proxy-mode nftables: ${nft.reason ?? 'nft does not work here'}`)
    opts.log(`Services use the userspace proxy: ${nft.reason ?? 'nftables is unavailable'}`)
  }
  const { createUserspaceBackend } = await import('./proxy/userspace.js')
  return createUserspaceBackend({ nodeIP: opts.nodeIP, bridge: opts.bridge })
}

/** The ingress controller on the host's ports (80/443 where allowed, else 8080/8443) and inside the node. */
async function startIngress(opts: ClusterNetworkingOptions, stops: Array<() => Promise<void> | void>): Promise<string[]> {
  const { startIngressController } = await import('./ingress/index.js')
  const urls: string[] = []
  const servers: Array<{ server: net.Server; kind: 'http' | 'https' }> = []
  let httpsHostPort: number | undefined
  for (const [kind, configured, preferred, fallback] of [
    ['http', opts.flags.ingressHttpPort, 80, 8080],
    ['https', opts.flags.ingressHttpsPort, 443, 8443],
  ] as const) {
    // Inside the node, the controller answers on the node IP's standard ports (pods, benchmarks).
    const inside = net.createServer({ allowHalfOpen: true })
    await listen(inside, opts.nodeIP, preferred).then(() => servers.push({ server: inside, kind }),
      (err: Error) => opts.log(`ingress inside the node on ${opts.nodeIP}:${preferred}: ${err.message}`))
    if (configured === 0) continue
    const candidates = configured === undefined ? [preferred, fallback] : [configured]
    for (const port of candidates) {
      try {
        servers.push({ server: await opts.broker.listenTcp('127.0.0.1', port), kind })
        urls.push(`${kind}://127.0.0.1${port === preferred ? '' : `:${port}`}`)
        if (kind === 'https') httpsHostPort = port
        break
      } catch (err) {
        if (port === candidates[candidates.length - 1]) {
          opts.log(`the ingress controller cannot serve ${kind.toUpperCase()} on the host: 127.0.0.1:${port}: ${(err as Error).message}`)
        }
      }
    }
  }
  const controller = startIngressController({
    informers: opts.informers, client: opts.client, recorder: opts.recorder,
    statusAddress: { ip: '127.0.0.1' }, log: opts.log,
    // ssl-redirect sends browsers to the HTTPS port the host really has.
    ...(httpsHostPort && httpsHostPort !== 443 ? { httpsRedirectPort: httpsHostPort } : {}),
  })
  stops.push(() => controller.stop())
  for (const { server, kind } of servers) {
    const detach = controller.attach(server, kind)
    stops.push(() => { detach(); server.close() })
  }
  return urls
}

/** Lists this node's DNS server in the kube-dns Endpoints (each node answers for itself). */
async function publishDnsEndpoints(client: Client, nodeName: string, nodeIP: string, log: (m: string) => void) {
  const kind = { apiVersion: 'v1', kind: 'Endpoints' }
  const ports = [
    { name: 'dns', port: DNS_PORT, protocol: 'UDP' as const },
    { name: 'dns-tcp', port: DNS_PORT, protocol: 'TCP' as const },
  ]
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const cur = await client.get<Endpoints>(kind, 'kube-dns', 'kube-system').catch((err: unknown) => {
        if (isNotFound(err)) return undefined
        throw err
      })
      const others = (cur?.subsets ?? []).flatMap((s) => s.addresses ?? []).filter((a) => a.nodeName !== nodeName && a.ip !== nodeIP)
      const addresses = [...others, { ip: nodeIP, nodeName }].sort((a, b) => compareStrings(a.ip, b.ip))
      const body: Endpoints = {
        apiVersion: 'v1', kind: 'Endpoints',
        metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ...(cur?.metadata?.resourceVersion ? { resourceVersion: cur.metadata.resourceVersion } : {}) },
        subsets: [{ addresses, ports }],
      }
      if (cur) await client.update(body)
      else await client.create(body)
      return
    } catch (err) {
      if (attempt === 4) log(`could not list this node's DNS server in the kube-dns Endpoints: ${(err as Error).message}`)
    }
  }
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port }, () => { server.off('error', reject); resolve() })
  })
}

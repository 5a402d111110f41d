/**
 * @module
 * Cluster DNS as the node agent runs it: the zone over the agent's informers, the server at
 * the node's address (which the kube-dns Service IP leads to), and forwarding of other names
 * to `--dns-upstream` through a socket from the host's network namespace.
 */
import type dgram from 'node:dgram'
import type net from 'node:net'
import type { Informers } from '../../client/index.js'
import { createForwarder, type Upstream } from './forwarder.js'
import { createClusterZone, type ClusterZone } from './records.js'
import { startDnsServer, type DnsAddress, type DnsServer } from './server.js'

export type ClusterDnsOptions = {
  informers: Informers
  clusterDomain?: string
  listen: DnsAddress[]
  /** The addresses pods reach this server at (the kube-dns Service IP): `ns.dns.<domain>`. */
  nameserverIPs?: string[]
  /** Without it, names outside the cluster zone get SERVFAIL. */
  upstream?: { servers: string[] | string; socket?: dgram.Socket; connect?: (to: Upstream) => net.Socket; timeoutMs?: number }
  log?: (msg: string) => void
}

export type ClusterDns = { readonly zone: ClusterZone; readonly server: DnsServer; close(): Promise<void> }

/** Starts the zone, the forwarder (when upstreams are given) and the server. */
export async function startClusterDns(opts: ClusterDnsOptions): Promise<ClusterDns> {
  const zone = createClusterZone({ informers: opts.informers, clusterDomain: opts.clusterDomain, nameserverIPs: opts.nameserverIPs })
  const up = opts.upstream
  const servers = up && (typeof up.servers === 'string' ? up.servers : up.servers.join(','))
  const forwarder = up && servers ? createForwarder({ upstreams: servers, socket: up.socket, connect: up.connect, timeoutMs: up.timeoutMs, log: opts.log }) : undefined
  try {
    const server = await startDnsServer({ zone, listen: opts.listen, forwarder, log: opts.log })
    return {
      zone, server,
      async close() {
        await server.close()
        forwarder?.close()
        zone.close()
      },
    }
  } catch (err) {
    forwarder?.close()
    zone.close()
    throw err
  }
}

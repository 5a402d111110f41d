/**
 * @module
 * The host side of NodePort and LoadBalancer Services: 127.0.0.1:<nodePort> and
 * <load-balancer IP>:<port> on the host, each connection spliced to an endpoint the picker
 * chooses (externalTrafficPolicy and session affinity applied, another endpoint tried when
 * one refuses). Frontends follow the proxy's table: opened when a Service gets them, closed
 * when it loses them; a connection looks up its Service port when it arrives, so endpoint
 * changes apply without reopening anything.
 */
import type dgram from 'node:dgram'
import type net from 'node:net'
import type { EndpointPicker } from '../proxy/endpoint-picker.js'
import type { Proxier } from '../proxy/proxier.js'
import type { ServicePort, ServiceTableDiff } from '../proxy/service-table.js'
import { proxyUdp, spliceTcp } from '../proxy/splice.js'
import type { HostPortBroker } from './host-ports.js'

/** Where a relay goes when its port is below 1024 and the host refuses it (rootless): 80 → 8080. */
export const PRIVILEGED_PORT_OFFSET = 8000

export type ServiceRelayOptions = {
  proxier: Proxier
  picker: EndpointPicker
  broker: HostPortBroker
  /** The host address NodePorts are relayed on (default 127.0.0.1). */
  nodePortAddress?: string
  log?: (msg: string) => void
}

type Frontend = {
  key: string
  protocol: 'tcp' | 'udp'
  host: string
  port: number
  /** The Service port it serves, looked up per connection. */
  id: string
  handle?: net.Server | dgram.Socket
  closeUdp?: () => void
  closed?: boolean
}

export type ServiceRelays = {
  /** `tcp:127.0.0.1:30080` style keys of the frontends open now. */
  open(): string[]
  stop(): Promise<void>
}

/** The host frontends a Service port should have. */
export function wantedFrontends(sp: ServicePort, nodePortAddress = '127.0.0.1'): Array<Omit<Frontend, 'handle'>> {
  if (sp.protocol === 'SCTP') return []
  const protocol = sp.protocol === 'UDP' ? 'udp' : 'tcp'
  const out: Array<Omit<Frontend, 'handle'>> = []
  if (sp.nodePort) out.push({ key: `${protocol}:${nodePortAddress}:${sp.nodePort}`, protocol, host: nodePortAddress, port: sp.nodePort, id: sp.id })
  for (const ip of sp.loadBalancerIPs) out.push({ key: `${protocol}:${ip}:${sp.port}`, protocol, host: ip, port: sp.port, id: sp.id })
  return out
}

export function startServiceRelays(opts: ServiceRelayOptions): ServiceRelays {
  const log = opts.log ?? (() => {})
  const frontends = new Map<string, Frontend>()
  const failed = new Set<string>()
  let stopped = false

  const current = (id: string) => opts.proxier.table.get(id)

  /** A low port an ordinary user may not bind goes to port + 8000 (80 → 8080), said once. */
  async function bindWithFallback<T>(f: Frontend, bind: (port: number) => Promise<T>): Promise<T> {
    try {
      return await bind(f.port)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EACCES' || f.port >= 1024) throw err
      const port = f.port + PRIVILEGED_PORT_OFFSET
      const handle = await bind(port)
      log(`${f.host}:${f.port} needs privileges on the host: relaying ${f.id} on ${f.host}:${port} instead`)
      return handle
    }
  }

  async function openFrontend(f: Frontend) {
    try {
      if (f.protocol === 'tcp') {
        const server = await bindWithFallback(f, (port) => opts.broker.listenTcp(f.host, port))
        if (f.closed) { server.close(); return }
        f.handle = server
        server.on('connection', (socket: net.Socket) => {
          const sp = current(f.id)
          const clientIP = socket.remoteAddress ?? ''
          spliceTcp(socket, {
            pick: (exclude) => (sp ? opts.picker.pick(sp, clientIP, 'external', exclude) : undefined),
          })
        })
        server.on('error', (err) => log(`relay ${f.host}:${f.port}: ${err.message}`))
      } else {
        const sock = await bindWithFallback(f, (port) => opts.broker.bindUdp(f.host, port))
        if (f.closed) { sock.close(); return }
        f.handle = sock
        const udp = proxyUdp(sock, {
          pick: (clientIP) => { const sp = current(f.id); return sp ? opts.picker.pick(sp, clientIP, 'external') : undefined },
        })
        f.closeUdp = () => udp.close()
      }
      failed.delete(f.key)
    } catch (err) {
      // Said once per frontend: another process (or another node) holds the host port.
      if (!failed.has(f.key)) log(`cannot relay ${f.protocol.toUpperCase()} ${f.host}:${f.port} on the host for ${f.id}: ${(err as Error).message}`)
      failed.add(f.key)
      frontends.delete(f.key)
    }
  }

  function closeFrontend(f: Frontend) {
    f.closed = true
    f.closeUdp?.()
    try { f.handle?.close() } catch { /* already closed */ }
    frontends.delete(f.key)
  }

  function open(sp: ServicePort) {
    for (const w of wantedFrontends(sp, opts.nodePortAddress)) {
      const f = frontends.get(w.key)
      if (f) { f.id = w.id; continue }
      const nf: Frontend = { ...w }
      frontends.set(w.key, nf)
      void openFrontend(nf)
    }
  }
  function close(sp: ServicePort, keep: ReadonlySet<string> = new Set()) {
    for (const w of wantedFrontends(sp, opts.nodePortAddress)) {
      const f = frontends.get(w.key)
      if (f && f.id === sp.id && !keep.has(w.key)) closeFrontend(f)
    }
  }

  // Only what a sync changed is looked at: with 10,000 Services a full pass per sync would cost more than the sync.
  function apply(diff: ServiceTableDiff) {
    if (stopped) return
    for (const sp of diff.removed) close(sp)
    for (const { old, cur } of diff.changed) {
      close(old, new Set(wantedFrontends(cur, opts.nodePortAddress).map((w) => w.key)))
      open(cur)
    }
    for (const sp of diff.added) open(sp)
  }

  const unsubscribe = opts.proxier.onSync((diff) => apply(diff))
  for (const sp of opts.proxier.table.values()) open(sp)
  return {
    open: () => [...frontends.values()].filter((f) => f.handle).map((f) => f.key),
    async stop() {
      stopped = true
      unsubscribe()
      for (const f of [...frontends.values()]) closeFrontend(f)
    },
  }
}

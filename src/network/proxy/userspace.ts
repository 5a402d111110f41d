/**
 * @module
 * The userspace Service data path, for nodes without nftables: every cluster IP and external
 * IP becomes a local /32 on a dummy link (on lo where the kernel has no dummy links), and a socket on each (address, port) — and on
 * 0.0.0.0 for node ports — hands connections and datagrams to a picked endpoint. Runs inside
 * the node's network namespace. Syncs are incremental: only frontends that appear or vanish
 * open or close sockets; a changed endpoint list takes effect with the next connection.
 */
import { execFile } from 'node:child_process'
import dgram from 'node:dgram'
import net from 'node:net'
import { promisify } from 'node:util'
import { ipBatch } from '../node/ip.js'
import { backendKey, createEndpointPicker, type EndpointPicker, type TrafficKind } from './endpoint-picker.js'
import type { ProxyBackend, ServicePort, ServiceTable, ServiceTableDiff } from './service-table.js'
import { proxyUdp, spliceTcp, type UdpProxy } from './splice.js'

export type UserspaceBackendOptions = {
  /** The node's address on the bridge: already local, so never added to the dummy link. */
  nodeIP: string
  /** The node bridge; accepted so both data paths take the same options (this one needs no bridge rules). */
  bridge?: string
  picker?: EndpointPicker
  /** The dummy link holding Service addresses; 'kl-svc' unless set. */
  link?: string
  /** Idle time after which a UDP flow is forgotten; 60 000 unless set. */
  udpIdleTimeoutMs?: number
  /** Per-attempt TCP connect timeout; see spliceTcp. */
  connectTimeoutMs?: number
  log?: (msg: string) => void
}

type Frontend = {
  proto: 'tcp' | 'udp'
  ip: string
  port: number
  /** Which Service port and endpoint list it serves; updated in place when only that changes. */
  spId: string
  traffic: TrafficKind
}
type Open = Frontend & { close(): void; udp?: UdpProxy }

const run = promisify(execFile)
const frontendKey = (f: { proto: string; ip: string; port: number }) => `${f.proto}/${f.ip}:${f.port}`

/** The frontends `table` asks for, by key. A key claimed twice goes to the first claimant. */
function wantedFrontends(table: ServiceTable): Map<string, Frontend> {
  const out = new Map<string, Frontend>()
  const add = (f: Frontend) => { if (!out.has(frontendKey(f))) out.set(frontendKey(f), f) }
  for (const sp of table.values()) {
    if (sp.protocol === 'SCTP') continue // Node has no SCTP sockets: the nftables path serves these
    const proto = sp.protocol === 'UDP' ? 'udp' : 'tcp'
    for (const ip of sp.clusterIPs) add({ proto, ip, port: sp.port, spId: sp.id, traffic: 'cluster' })
    for (const ip of sp.externalIPs) add({ proto, ip, port: sp.port, spId: sp.id, traffic: 'external' })
    // Load-balancer IPs are host addresses that the host relays serve; pods cannot reach them.
    if (sp.nodePort) add({ proto, ip: '0.0.0.0', port: sp.nodePort, spId: sp.id, traffic: 'external' })
  }
  return out
}

/** Runs the userspace data path; call it inside the node's network namespace. */
export function createUserspaceBackend(opts: UserspaceBackendOptions): ProxyBackend {
  const link = opts.link ?? 'kl-svc'
  const picker = opts.picker ?? createEndpointPicker()
  const log = opts.log ?? (() => {})
  const current = new Map<string, ServicePort>()
  const open = new Map<string, Open>()
  const addresses = new Set<string>()
  // Where the addresses live: the dummy link, or lo where the kernel has no dummy links.
  let device: string | undefined
  let closed = false
  let queue: Promise<unknown> = Promise.resolve()
  // Syncs and close run one at a time: an address deleted by one while another listens on it would fail.
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const run = queue.then(op)
    queue = run.catch(() => {})
    return run
  }

  async function setUpDevice(): Promise<string> {
    // A leftover from a killed agent goes first; -force carries on when there is none.
    const made = await ipBatch([`link del ${link}`, `link add ${link} type dummy`, `link set ${link} up`], { force: true })
    if (await run('ip', ['link', 'show', 'dev', link]).then(() => true, () => false)) return link
    const why = /Unknown device type/.test(made.stderr) ? 'this kernel has no dummy links' : made.stderr.trim()
    log(`Service addresses go on lo: ${why}`)
    return 'lo'
  }

  /** After a batch stopped part-way: what is on the device now, so the next sync repeats no failing line. */
  async function relearnAddresses(dev: string) {
    addresses.clear()
    const out = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', dev]).then((r) => r.stdout, () => '')
    for (const line of out.split('\n')) {
      const cidr = line.trim().split(/\s+/)[3]
      if (cidr?.endsWith('/32')) addresses.add(cidr.slice(0, -3))
    }
  }

  const endpointsOf = (f: Frontend) => {
    const sp = current.get(f.spId)
    return sp ? (f.traffic === 'cluster' ? sp.clusterEndpoints : sp.externalEndpoints) : []
  }

  function listenTcp(f: Frontend): Promise<Open> {
    const entry = { ...f } as Open
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
      const sp = current.get(entry.spId)
      const clientIP = client.remoteAddress ?? ''
      spliceTcp(client, {
        // No Service port or no endpoint: undefined, and the client is reset (refused).
        pick: (exclude) => (sp ? picker.pick(sp, clientIP, entry.traffic, exclude) : undefined),
        ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
        onError: (err, b) => log(`${entry.spId}: ${b ? `${backendKey(b)}: ` : ''}${err.message}`),
      })
    })
    entry.close = () => { server.close() } // stops accepting; connections in flight finish
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: f.ip, port: f.port, exclusive: true }, () => {
        server.removeListener('error', reject)
        server.on('error', (err) => log(`${frontendKey(f)}: ${err.message}`))
        resolve(entry)
      })
    })
  }

  function listenUdp(f: Frontend): Promise<Open> {
    const entry = { ...f } as Open
    const socket = dgram.createSocket('udp4')
    return new Promise((resolve, reject) => {
      socket.once('error', (err) => { socket.close(); reject(err) })
      socket.bind({ address: f.ip, port: f.port, exclusive: true }, () => {
        socket.removeAllListeners('error')
        entry.udp = proxyUdp(socket, {
          pick: (clientIP) => {
            const sp = current.get(entry.spId)
            return sp && picker.pick(sp, clientIP, entry.traffic)
          },
          ...(opts.udpIdleTimeoutMs ? { idleTimeoutMs: opts.udpIdleTimeoutMs } : {}),
          onError: (err) => log(`${frontendKey(f)}: ${err.message}`),
        })
        entry.close = () => entry.udp?.close()
        resolve(entry)
      })
    })
  }

  async function sync(diff: ServiceTableDiff, table: ServiceTable): Promise<void> {
    if (closed) throw new Error('the userspace proxy is closed')
    current.clear()
    for (const [id, sp] of table) current.set(id, sp)
    for (const sp of diff.removed) if (!table.has(sp.id)) picker.forget(sp.id)

    const wanted = wantedFrontends(table)
    for (const [key, o] of open) {
      const w = wanted.get(key)
      if (w) Object.assign(o, { spId: w.spId, traffic: w.traffic })
      else {
        o.close()
        open.delete(key)
      }
    }
    // Datagrams of a flow whose endpoint left would go nowhere: end it, so the next one picks again.
    for (const o of open.values()) {
      if (!o.udp?.sessions) continue
      const keep = new Set(endpointsOf(o).map(backendKey))
      o.udp.prune((b) => keep.has(backendKey(b)))
    }

    const wantedIPs = new Set<string>()
    for (const sp of table.values()) for (const ip of [...sp.clusterIPs, ...sp.externalIPs]) if (ip !== opts.nodeIP) wantedIPs.add(ip)
    const dev = (device ??= await setUpDevice())
    const lines: string[] = []
    for (const ip of addresses) if (!wantedIPs.has(ip)) lines.push(`addr del ${ip}/32 dev ${dev}`)
    for (const ip of wantedIPs) if (!addresses.has(ip)) lines.push(`addr replace ${ip}/32 dev ${dev}`)
    try {
      if (lines.length) await ipBatch(lines)
    } catch (err) {
      await relearnAddresses(dev)
      throw err
    }
    for (const ip of addresses) if (!wantedIPs.has(ip)) addresses.delete(ip)
    for (const ip of wantedIPs) addresses.add(ip)

    const failures: Error[] = []
    await Promise.all([...wanted].filter(([key]) => !open.has(key)).map(async ([key, f]) => {
      try {
        open.set(key, await (f.proto === 'tcp' ? listenTcp(f) : listenUdp(f)))
      } catch (err) {
        // Not recorded as open, so the next sync tries again.
        failures.push(new Error(`${f.spId}: listening on ${key}: ${(err as Error).message}`, { cause: err }))
      }
    }))
    if (failures.length) throw new AggregateError(failures, failures.map((e) => e.message).join('; '))
  }

  return {
    name: 'userspace',
    sync: (diff, table) => serial(() => sync(diff, table)),
    close: () => serial(async () => {
      if (closed) return
      closed = true
      for (const o of open.values()) o.close()
      open.clear()
      current.clear()
      if (device === link) await ipBatch([`link del ${link}`], { force: true })
      else if (device && addresses.size) await ipBatch([...addresses].map((ip) => `addr del ${ip}/32 dev ${device}`), { force: true })
      addresses.clear()
    }),
  }
}

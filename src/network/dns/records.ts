/**
 * @module
 * The cluster zone: which records a name under the cluster domain (and a reverse name for a
 * cluster address) has, by the Kubernetes DNS specification as CoreDNS's kubernetes plugin
 * answers it. Names are resolved against the incrementally kept index; nothing is scanned.
 *
 * Upstream: coredns plugin/kubernetes (parse.go parseRequest, kubernetes.go findServices and
 * findPods, reverse.go serviceRecordForIP) and plugin/backend_lookup.go (A, SRV, SOA). Pods
 * are answered as `pods insecure` does, from the name alone; TTL 30 (see RECORD_TTL).
 */
import { isIP } from 'node:net'
import type packet from 'dns-packet'
import type { Informers } from '../../client/index.js'
import { RCODE, TYPE } from './wire.js'
import { canonicalIP, createZoneIndex, type PortEntry, type ServiceEntry } from './zone-index.js'

// CoreDNS's kubernetes plugin defaults to 5 s; 30 s is what the stock Corefile's `cache 30`
// hands to pods. Without a kubelet-driven cache in front, we answer with the cached TTL.
export const RECORD_TTL = 30

export type ClusterZoneOptions = {
  informers: Informers
  clusterDomain?: string
  /** The DNS server's own addresses: `ns.dns.<domain>` and the glue of the apex NS record. */
  nameserverIPs?: string[]
  now?: () => number
}

export type ZoneAnswer = {
  rcode: number
  answers: packet.Answer[]
  authorities: packet.Answer[]
  additionals: packet.Answer[]
  /** An ExternalName target outside the zone: the server resolves it upstream and appends it. */
  chase?: string
}

export type ClusterZone = {
  readonly domain: string
  /** Bumps on every change to the zone's sources. */
  readonly generation: number
  /** The answer for a lower-case name without its final dot; undefined when the name is not ours. */
  lookup(name: string, qtype: number): ZoneAnswer | undefined
  close(): void
}

/** A record source, as CoreDNS's msg.Service: an address or an alias, a port, and its own name. */
type Rec = { host: string; alias: boolean; port: number; target: string }
const NO_PORT: PortEntry = { name: '', protocol: '', port: -1 }
const MAX_CNAME_DEPTH = 8

const dashed = (ip: string) => ip.replaceAll(ip.includes(':') ? ':' : '.', '-')
const stripUnderscore = (s: string) => (s.startsWith('_') ? s.slice(1) : s)
// An empty query label matches anything, as in CoreDNS's matchPortAndProtocol.
const portMatches = (port: string, proto: string, p: PortEntry) => (!port || port === p.name) && (!proto || proto === p.protocol)

/** Builds the zone for `clusterDomain` over the informers' Services, EndpointSlices and Namespaces. */
export function createClusterZone({ informers, clusterDomain = 'cluster.local', nameserverIPs = [], now = Date.now }: ClusterZoneOptions): ClusterZone {
  const domain = clusterDomain.toLowerCase().replace(/\.$/, '')
  const dotDomain = `.${domain}`
  const index = createZoneIndex(informers, now)
  const inZone = (name: string) => name === domain || name.endsWith(dotDomain)

  const soa = (): packet.Answer => ({
    type: 'SOA', name: domain, ttl: RECORD_TTL,
    data: {
      mname: `ns.dns.${domain}`, rname: `hostmaster.${domain}`, serial: Math.floor(index.changedMs / 1000) >>> 0,
      refresh: 7200, retry: 1800, expire: 86400, minimum: RECORD_TTL,
    },
  })
  const answer = (answers: packet.Answer[], additionals: packet.Answer[] = [], chase?: string): ZoneAnswer =>
    answers.length || chase ? { rcode: RCODE.noError, answers, authorities: [], additionals, chase } : noData()
  const noData = (): ZoneAnswer => ({ rcode: RCODE.noError, answers: [], authorities: [soa()], additionals: [] })
  const nxDomain = (): ZoneAnswer => ({ rcode: RCODE.nxDomain, answers: [], authorities: [soa()], additionals: [] })
  const address = (name: string, ip: string): packet.Answer =>
    ({ type: isIP(ip) === 6 ? 'AAAA' : 'A', name, ttl: RECORD_TTL, data: ip })

  /** The record sources of a name inside the zone: null for no such name, [] for a name without records. */
  function find(name: string): Rec[] | null {
    const base = name === domain ? '' : name.slice(0, -dotDomain.length)
    if (base === '' || base === 'svc' || base === 'pod') return []
    if (base === 'ns.dns') return nameserverIPs.map((ip) => ({ host: ip, alias: false, port: -1, target: name }))
    const segs = base.split('.')
    const kind = segs.pop()
    if (kind !== 'svc' && kind !== 'pod') return null
    const ns = segs.pop()!
    if (!index.namespaceExists(ns)) return null
    const svc = segs.pop()
    if (svc === undefined) return []
    if (kind === 'pod') return segs.length ? null : podRecords(svc, name)
    if (segs.length > 2) return null
    const [a = '', b] = segs
    return b === undefined ? serviceRecords(svc, ns, a, '', '') : serviceRecords(svc, ns, '', stripUnderscore(a), stripUnderscore(b))
  }

  function podRecords(label: string, name: string): Rec[] | null {
    const ip = label.split('-').length === 4 && !label.includes('--') ? label.replaceAll('-', '.') : label.replaceAll('-', ':')
    return isIP(ip) ? [{ host: ip, alias: false, port: -1, target: name }] : null
  }

  function serviceRecords(name: string, ns: string, endpoint: string, port: string, proto: string): Rec[] | null {
    const s = index.service(name, ns)
    if (!s) return null
    if (s.kind === 'externalName') {
      if (endpoint || !s.externalName || isIP(s.externalName)) return null
      return [{ host: s.externalName, alias: true, port: -1, target: '' }]
    }
    const svcName = `${s.name}.${s.namespace}.svc.${domain}`
    const recs: Rec[] = []
    if (s.kind === 'headless' || endpoint) {
      for (const slice of index.slicesOf(s.name, s.namespace)) {
        const ports = slice.ports.length ? slice.ports : [NO_PORT]
        for (const ep of slice.endpoints) {
          if (!ep.ready && !s.publishNotReadyAddresses) continue
          const host = ep.hostname || dashed(ep.ip)
          if (endpoint && endpoint !== host) continue
          for (const p of ports) if (portMatches(port, proto, p)) recs.push({ host: ep.ip, alias: false, port: p.port, target: `${host}.${svcName}` })
        }
      }
      // As CoreDNS: a headless Service without ready endpoints is NXDOMAIN, not NODATA.
      return recs.length ? recs : null
    }
    let matched = false
    for (const p of s.ports.length ? s.ports : [NO_PORT]) {
      if (!portMatches(port, proto, p)) continue
      matched = true
      for (const ip of s.clusterIPs) recs.push({ host: ip, alias: false, port: p.port, target: svcName })
    }
    return matched ? recs : null
  }

  /** A or AAAA answers, following aliases inside the zone; one alias leaving it is handed back as `chase`. */
  function addresses(name: string, family: 4 | 6, recs: Rec[], depth: number): { rrs: packet.Answer[]; chase?: string } {
    const rrs: packet.Answer[] = []
    const seen = new Set<string>()
    let chase: string | undefined
    for (const r of recs) {
      if (r.alias) {
        if (r.host === name || depth >= MAX_CNAME_DEPTH) continue // x CNAME x, or a loop: answer nothing
        const cname: packet.Answer = { type: 'CNAME', name, ttl: RECORD_TTL, data: r.host }
        if (!inZone(r.host)) {
          rrs.push(cname)
          chase = r.host
          continue
        }
        const next = find(r.host)
        const sub = next ? addresses(r.host, family, next, depth + 1) : { rrs: [] }
        // As CoreDNS: an alias to an in-zone name without addresses is left out altogether.
        if (sub.rrs.length) rrs.push(cname, ...sub.rrs)
        chase ??= sub.chase
      } else if (isIP(r.host) === family && !seen.has(r.host)) {
        seen.add(r.host)
        rrs.push(address(name, r.host))
      }
    }
    return { rrs, chase }
  }

  function srv(name: string, recs: Rec[]): ZoneAnswer {
    const targets = recs.filter((r) => !r.alias) // SRV for ExternalName is not implemented upstream either
    const weight = Math.max(1, Math.floor(100 / targets.length))
    const answers: packet.Answer[] = []
    const extra: packet.Answer[] = []
    const seen = new Set<string>()
    for (const r of targets) {
      if (r.port === -1) continue
      if (!seen.has(`${r.target} ${r.port}`)) {
        seen.add(`${r.target} ${r.port}`)
        answers.push({ type: 'SRV', name, ttl: RECORD_TTL, data: { priority: 0, weight, port: r.port, target: r.target } })
      }
      if (!seen.has(`${r.target} ${r.host}`)) {
        seen.add(`${r.target} ${r.host}`)
        extra.push(address(r.target, r.host))
      }
    }
    return answer(answers, extra)
  }

  function inZoneAnswer(name: string, qtype: number): ZoneAnswer {
    if (name === domain && qtype === TYPE.SOA) return answer([soa()])
    if (name === domain && qtype === TYPE.NS) {
      const ns = `ns.dns.${domain}`
      return answer([{ type: 'NS', name, ttl: RECORD_TTL, data: ns }], nameserverIPs.map((ip) => address(ns, ip)))
    }
    if (name === `dns-version${dotDomain}` && qtype === TYPE.TXT) {
      return answer([{ type: 'TXT', name, ttl: RECORD_TTL, data: '1.1.0' }]) // the schema version CoreDNS reports
    }
    const recs = find(name)
    if (!recs) return nxDomain()
    switch (qtype) {
      case TYPE.A:
      case TYPE.AAAA: {
        const { rrs, chase } = addresses(name, qtype === TYPE.A ? 4 : 6, recs, 0)
        return answer(rrs, [], chase)
      }
      case TYPE.SRV:
        return srv(name, recs)
      case TYPE.CNAME:
        return answer(recs[0]?.alias ? [{ type: 'CNAME', name, ttl: RECORD_TTL, data: recs[0].host }] : [])
      default:
        return noData()
    }
  }

  /** PTR for a cluster IP, else for the endpoints carrying the address; other names fall through. */
  function reverse(name: string, qtype: number): ZoneAnswer | undefined {
    const ip = reverseToIP(name)
    if (!ip || qtype !== TYPE.PTR) return undefined
    const names: string[] = []
    for (const s of index.servicesByClusterIP(ip)) {
      names.push(`${s.name}.${s.namespace}.svc.${domain}`)
      break
    }
    if (!names.length) {
      for (const slice of index.slicesByEndpointIP(ip)) {
        const svc: ServiceEntry | undefined = index.service(slice.service, slice.namespace)
        for (const ep of slice.endpoints) {
          if (canonicalIP(ep.ip) !== ip || (!ep.ready && !svc?.publishNotReadyAddresses)) continue
          const n = `${ep.hostname || dashed(ep.ip)}.${slice.service}.${slice.namespace}.svc.${domain}`
          if (!names.includes(n)) names.push(n)
        }
      }
    }
    if (!names.length) return undefined
    return answer(names.map((data) => ({ type: 'PTR', name, ttl: RECORD_TTL, data })))
  }

  return {
    domain,
    get generation() {
      return index.generation
    },
    lookup(name, qtype) {
      if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) return reverse(name, qtype)
      return inZone(name) ? inZoneAnswer(name, qtype) : undefined
    },
    close: index.close,
  }
}

/** The address a reverse name stands for (canonicalIP form), or undefined when it is not a whole address. */
export function reverseToIP(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.')
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) < 256)) return undefined
    return parts.reverse().join('.')
  }
  const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.')
  if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined
  const hex = nibbles.reverse().join('')
  return hex.match(/.{4}/g)!.join(':')
}

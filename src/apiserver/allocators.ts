/**
 * @module
 * Service ClusterIP, NodePort and load-balancer address allocation: no duplicates, released
 * on delete, and rebuilt from the stored Services at start, so allocations survive a restart.
 * A LoadBalancer Service gets its address from the pool in the same write that creates it, so
 * `kubectl get svc` never shows `<pending>` (map §7); a Service that names another
 * `loadBalancerClass` is left to that implementation.
 */
// Upstream: pkg/registry/core/service/ipallocator and portallocator, and
// pkg/registry/core/service/storage/alloc.go (what is allocated when, and its errors).
import { randomInt } from 'node:crypto'
import type { Service, ServicePort, ServiceStatus } from 'kubernetes-types/core/v1.js'
import { invalid, invalidValue, type FieldError, type KubeObject } from '../api/index.js'
import type { AdmissionHooks } from './store/types.js'

export type Cidr = { base: number; size: number; text: string }

export function parseCidr(text: string): Cidr {
  const [ip, bits] = text.split('/')
  const base = ipToInt(ip!)
  const prefix = Number(bits)
  const size = 2 ** (32 - prefix)
  return { base: base - (base % size), size, text }
}
export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number)
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return NaN
  return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!
}
export const intToIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')

/** The n-th address of a range: the first (n=1) is the kubernetes Service's. */
export const nthAddress = (cidr: Cidr, n: number) => intToIp(cidr.base + n)

export type ServiceAllocator = AdmissionHooks & { restore(services: KubeObject[]): void }

const needsClusterIP = (s: Service) => s.spec?.type !== 'ExternalName' && s.spec?.clusterIP !== 'None'
const needsNodePorts = (s: Service) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer'
const needsBalancerIP = (s: Service) => s.spec?.type === 'LoadBalancer' && !s.spec.loadBalancerClass
const balancerIPOf = (s: Service | undefined) => s?.status?.loadBalancer?.ingress?.find((i) => i.ip)?.ip

export const DEFAULT_LOAD_BALANCER_POOL = '127.0.1.0/24'

export function serviceAllocator(serviceCidr: string, nodePorts: [number, number] = [30000, 32767],
  loadBalancerPool = DEFAULT_LOAD_BALANCER_POOL): ServiceAllocator {
  const cidr = parseCidr(serviceCidr)
  const pool = parseCidr(loadBalancerPool)
  const ips = new Set<number>()
  const ports = new Set<number>()
  const balancerIPs = new Set<number>()
  const [portMin, portMax] = nodePorts

  /** A pool address: the requested one when it is free and in the pool, else the lowest free. */
  function takeBalancerIP(svc: Service): string | undefined {
    const requested = svc.spec?.loadBalancerIP
    // Upstream accepts any loadBalancerIP and a cloud controller later reports (by an event)
    // that it cannot have it, leaving the Service <pending>. Here the address is given in the
    // write itself, so an address that cannot be given is refused in the write, where kubectl shows it.
    if (requested) {
      const n = ipToInt(requested)
      const inPool = n > pool.base && n < pool.base + pool.size - 1
      if (!inPool) {
        throw invalid({ group: '', kind: 'Service' }, svc.metadata?.name ?? '', [invalidValue('spec.loadBalancerIP', requested,
          `must be an address of the load-balancer pool ${pool.text}`)])
      }
      if (balancerIPs.has(n)) {
        throw invalid({ group: '', kind: 'Service' }, svc.metadata?.name ?? '', [invalidValue('spec.loadBalancerIP', requested,
          'provided IP is already allocated')])
      }
      balancerIPs.add(n)
      return requested
    }
    // .1 is skipped: Debian's /etc/hosts gives 127.0.1.1 to the machine's own name.
    for (let off = 2; off < pool.size - 1; off++) {
      if (!balancerIPs.has(pool.base + off)) {
        balancerIPs.add(pool.base + off)
        return intToIp(pool.base + off)
      }
    }
    return undefined // pool exhausted: the Service stays <pending>, as it would in a cloud without capacity
  }

  function setBalancerIP(svc: Service, ip: string | undefined) {
    const status = ((svc as { status?: ServiceStatus }).status ??= {})
    status.loadBalancer = ip ? { ingress: [{ ip, ipMode: 'VIP' }] } : {}
  }

  function takeIp(requested: string | undefined, errs: FieldError[]): string | undefined {
    if (requested) {
      const n = ipToInt(requested)
      if (Number.isNaN(n) || n <= cidr.base || n >= cidr.base + cidr.size - 1) {
        errs.push(invalidValue('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${cidr.text}`))
        return undefined
      }
      if (ips.has(n)) {
        errs.push(invalidValue('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: provided IP is already allocated`))
        return undefined
      }
      ips.add(n)
      return requested
    }
    // Upstream prefers the upper part of the range for dynamic IPs, leaving the lower band
    // to users who pick their own; a random probe then a scan finds a free one.
    const low = Math.min(Math.max(16, Math.floor(cidr.size / 16)), cidr.size - 2)
    const span = cidr.size - 1 - low
    const start = randomInt(span)
    for (let i = 0; i < cidr.size - 2; i++) {
      const off = i < span ? low + ((start + i) % span) : 1 + (i - span)
      const n = cidr.base + off
      if (!ips.has(n)) {
        ips.add(n)
        return intToIp(n)
      }
    }
    errs.push(invalidValue('spec.clusterIPs', [], 'failed to allocate IP: range is full'))
    return undefined
  }

  function takePort(requested: number | undefined, path: string, errs: FieldError[]): number | undefined {
    if (requested) {
      if (requested < portMin || requested > portMax) {
        errs.push(invalidValue(path, requested, `provided port is not in the valid range. The range of valid ports is ${portMin}-${portMax}`))
        return undefined
      }
      if (ports.has(requested)) {
        errs.push(invalidValue(path, requested, 'provided port is already allocated'))
        return undefined
      }
      ports.add(requested)
      return requested
    }
    const span = portMax - portMin + 1
    const start = randomInt(span)
    for (let i = 0; i < span; i++) {
      const p = portMin + ((start + i) % span)
      if (!ports.has(p)) {
        ports.add(p)
        return p
      }
    }
    errs.push(invalidValue(path, 0, 'range is full'))
    return undefined
  }

  /** Allocates what `svc` needs and `old` did not have; returns an undo. */
  function allocate(svc: Service, old: Service | undefined): () => void {
    const errs: FieldError[] = []
    const takenIps: number[] = []
    const takenPorts: number[] = []
    const spec = (svc.spec ??= {})
    if (needsClusterIP(svc) && !(old && old.spec?.clusterIP && old.spec.clusterIP !== 'None')) {
      const ip = takeIp(spec.clusterIP || spec.clusterIPs?.[0], errs)
      if (ip) {
        spec.clusterIP = ip
        spec.clusterIPs = [ip]
        takenIps.push(ipToInt(ip))
      }
    } else if (!needsClusterIP(svc) && spec.clusterIP === 'None') {
      spec.clusterIPs = ['None']
    }
    if (needsNodePorts(svc)) {
      const oldPorts = new Set((old && needsNodePorts(old) ? old.spec?.ports ?? [] : []).map((p) => p.nodePort).filter(Boolean))
      ;(spec.ports ?? []).forEach((p: ServicePort, i) => {
        if (p.nodePort && oldPorts.has(p.nodePort)) return
        const port = takePort(p.nodePort, `spec.ports[${i}].nodePort`, errs)
        if (port) {
          p.nodePort = port
          takenPorts.push(port)
        }
      })
    }
    const takenBalancer: number[] = []
    const undo = () => {
      for (const n of takenIps) ips.delete(n)
      for (const p of takenPorts) ports.delete(p)
      for (const n of takenBalancer) balancerIPs.delete(n)
    }
    if (errs.length) {
      undo()
      throw invalid({ group: '', kind: 'Service' }, svc.metadata?.name ?? '', errs)
    }
    if (needsBalancerIP(svc)) {
      const had = old && needsBalancerIP(old) ? balancerIPOf(old) : undefined
      const wanted = spec.loadBalancerIP
      if (had && (!wanted || wanted === had)) {
        setBalancerIP(svc, had)
      } else {
        try {
          const ip = takeBalancerIP(svc)
          if (ip) takenBalancer.push(ipToInt(ip))
          setBalancerIP(svc, ip)
        } catch (err) {
          undo()
          throw err
        }
      }
    }
    return undo
  }

  /** Frees what `svc` holds and `keep` does not; returns a function that takes it back. */
  function release(svc: Service, keep?: Service): () => void {
    const freedIps: number[] = []
    const freedPorts: number[] = []
    const keepIp = keep && needsClusterIP(keep) ? keep.spec?.clusterIP : undefined
    if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' && svc.spec.clusterIP !== keepIp) {
      const n = ipToInt(svc.spec.clusterIP)
      if (ips.delete(n)) freedIps.push(n)
    }
    const keepPorts = new Set(keep && needsNodePorts(keep) ? (keep.spec?.ports ?? []).map((p) => p.nodePort) : [])
    for (const p of svc.spec?.ports ?? []) if (p.nodePort && !keepPorts.has(p.nodePort) && ports.delete(p.nodePort)) freedPorts.push(p.nodePort)
    const freedBalancer: number[] = []
    const lb = needsBalancerIP(svc) ? balancerIPOf(svc) : undefined
    const keepLb = keep && needsBalancerIP(keep) ? balancerIPOf(keep) : undefined
    if (lb && lb !== keepLb && balancerIPs.delete(ipToInt(lb))) freedBalancer.push(ipToInt(lb))
    return () => {
      for (const n of freedIps) ips.add(n)
      for (const p of freedPorts) ports.add(p)
      for (const n of freedBalancer) balancerIPs.add(n)
    }
  }

  return {
    restore(services) {
      for (const s of services as Service[]) {
        if (s.spec?.clusterIP && s.spec.clusterIP !== 'None') ips.add(ipToInt(s.spec.clusterIP))
        for (const p of s.spec?.ports ?? []) if (p.nodePort) ports.add(p.nodePort)
        const lb = needsBalancerIP(s) ? balancerIPOf(s) : undefined
        if (lb) balancerIPs.add(ipToInt(lb))
      }
    },
    // The store calls the returned undo when the write fails, is a dry run, or changes nothing.
    beforeCreate(obj) {
      return allocate(obj as Service, undefined)
    },
    beforeUpdate(obj, old) {
      const svc = obj as Service
      const prev = old as Service
      // Switching to a type without node ports drops them, as upstream does.
      if (!needsNodePorts(svc)) for (const p of svc.spec?.ports ?? []) delete p.nodePort
      if (svc.spec?.type === 'ExternalName') {
        delete svc.spec.clusterIP
        delete svc.spec.clusterIPs
      }
      const undoAllocate = allocate(svc, prev)
      const undoRelease = release(prev, svc)
      return () => {
        undoAllocate()
        undoRelease()
      }
    },
    afterDelete(obj) {
      release(obj as Service)
    },
  }
}

/**
 * @module
 * Service ClusterIP and NodePort allocation: no duplicates, released on delete, and rebuilt
 * from the stored Services at start, so allocations survive a restart.
 */
// Upstream: pkg/registry/core/service/ipallocator and portallocator, and
// pkg/registry/core/service/storage/alloc.go (what is allocated when, and its errors).
import { randomInt } from 'node:crypto'
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js'
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

export function serviceAllocator(serviceCidr: string, nodePorts: [number, number] = [30000, 32767]): ServiceAllocator {
  const cidr = parseCidr(serviceCidr)
  const ips = new Set<number>()
  const ports = new Set<number>()
  const [portMin, portMax] = nodePorts

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
    const undo = () => {
      for (const n of takenIps) ips.delete(n)
      for (const p of takenPorts) ports.delete(p)
    }
    if (errs.length) {
      undo()
      throw invalid({ group: '', kind: 'Service' }, svc.metadata?.name ?? '', errs)
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
    return () => {
      for (const n of freedIps) ips.add(n)
      for (const p of freedPorts) ports.add(p)
    }
  }

  return {
    restore(services) {
      for (const s of services as Service[]) {
        if (s.spec?.clusterIP && s.spec.clusterIP !== 'None') ips.add(ipToInt(s.spec.clusterIP))
        for (const p of s.spec?.ports ?? []) if (p.nodePort) ports.add(p.nodePort)
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

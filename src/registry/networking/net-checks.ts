/**
 * @module
 * Address and name checks the networking-flavoured kinds share (Ingress hosts, NetworkPolicy
 * CIDRs, EndpointSlice addresses), with upstream's messages.
 */
import { isIP } from 'node:net'
import { isDNS1123Subdomain } from '../../api/names.js'

// Upstream: staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go (IsWildcardDNS1123Subdomain).
const WILDCARD_FMT = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'
const WILDCARD = new RegExp(`^${WILDCARD_FMT}$`)

/** "*.example.com": a star label followed by a DNS subdomain. */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = []
  if (value.length > 253) errs.push('must be no more than 253 characters')
  if (!WILDCARD.test(value)) {
    errs.push(`a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '${WILDCARD_FMT}')`)
  }
  return errs
}

/** True when the string parses as an IPv4 or IPv6 address. */
export const isIPAddress = (value: string): boolean => isIP(value) !== 0

/** Bits of an address as a bigint, plus its width; undefined when it does not parse. */
function addressBits(ip: string): { bits: bigint; width: number } | undefined {
  const family = isIP(ip)
  if (family === 4) {
    return { bits: ip.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n), width: 32 }
  }
  if (family === 6) {
    let text = ip
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
    if (v4) {
      const n = v4[1]!.split('.').map(Number)
      text = text.slice(0, -v4[1]!.length) + `${((n[0]! << 8) | n[1]!).toString(16)}:${((n[2]! << 8) | n[3]!).toString(16)}`
    }
    const [head, tail] = text.split('::') as [string, string | undefined]
    const h = head ? head.split(':') : []
    const t = tail ? tail.split(':') : []
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
    return { bits: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), width: 128 }
  }
  return undefined
}

/** A parsed CIDR: network bits masked, prefix length, address width (32 or 128). */
export type Cidr = { network: bigint; prefix: number; width: number }

/** Parses "10.0.0.0/8" or "2001:db8::/64"; undefined when malformed. */
export function parseCidr(value: string): Cidr | undefined {
  const slash = value.indexOf('/')
  if (slash < 0) return undefined
  const addr = addressBits(value.slice(0, slash))
  const prefixText = value.slice(slash + 1)
  if (!addr || !/^\d{1,3}$/.test(prefixText)) return undefined
  const prefix = Number(prefixText)
  if (prefix > addr.width) return undefined
  const hostBits = BigInt(addr.width - prefix)
  return { network: (addr.bits >> hostBits) << hostBits, prefix, width: addr.width }
}

/** Upstream's IsValidCIDR message, or nothing when the CIDR parses. */
export function cidrErrors(value: string): string[] {
  return parseCidr(value) ? [] : ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']
}

/** Whether `inner` lies inside `outer` and is strictly smaller. */
export function isStrictSubset(inner: Cidr, outer: Cidr): boolean {
  if (inner.width !== outer.width || outer.prefix >= inner.prefix) return false
  const hostBits = BigInt(outer.width - outer.prefix)
  return (inner.network >> hostBits) === (outer.network >> hostBits)
}

/** Ingress hosts and TLS hosts: a DNS subdomain, or a wildcard one when it holds a star. */
export function hostErrors(host: string): string[] {
  return host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host)
}

/**
 * @module
 * Which names and addresses the serving certificate must cover, and whether an existing
 * certificate still covers them. Checks use Node's native X509Certificate: no signing, no
 * key generation, so a start with nothing to issue stays in the millisecond range.
 */
import { X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import { hostname } from 'node:os'
import type { SanSet } from './types.js'

/** The `kubernetes` Service's ClusterIP: the first address of the default range 10.96.0.0/12. */
export const DEFAULT_SERVICE_IP = '10.96.0.1'

// Upstream: cmd/kube-apiserver/app/options (the names of the in-cluster `kubernetes` Service).
const SERVICE_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']
const DAY_MS = 86_400_000
/** Certificates with less than this left are re-issued at start (k3s uses the same window). */
export const RENEW_BEFORE_DAYS = 90

const DNS_NAME = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*$/

/** One spelling per address ("::1", never "0:0::1"), so sets compare by string. */
export function canonicalIp(ip: string): string {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip
  const family = isIP(bare)
  if (family === 4) return bare
  if (family === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1)
  throw new Error(`invalid IP address for a certificate: ${JSON.stringify(ip)}`)
}

/** The default SANs plus `extra`, deduplicated; DNS entries that are really addresses move to `ip`. */
export function servingSans(extra: { dns?: string[]; ip?: string[] } = {}, host = hostname()): SanSet {
  const dns = new Set<string>(['localhost', ...SERVICE_NAMES])
  const ip = new Set<string>(['127.0.0.1', '::1', DEFAULT_SERVICE_IP])
  const localName = host.toLowerCase()
  // A host name that is not a valid DNS name would make Go clients reject the whole certificate.
  if (DNS_NAME.test(localName)) dns.add(localName)
  for (const name of extra.dns ?? []) {
    if (isIP(name.replace(/^\[|\]$/g, ''))) ip.add(canonicalIp(name))
    else if (DNS_NAME.test(name.toLowerCase())) dns.add(name.toLowerCase())
    else throw new Error(`invalid DNS name for a certificate: ${JSON.stringify(name)}`)
  }
  for (const addr of extra.ip ?? []) ip.add(canonicalIp(addr))
  return { dns: [...dns], ip: [...ip] }
}

/** The entries of `sans` that `certPem` does not cover (empty when it covers them all). */
export function missingSans(certPem: string, sans: SanSet): string[] {
  const cert = new X509Certificate(certPem)
  const opts = { subject: 'never' as const, wildcards: false }
  return [
    ...sans.dns.filter((name) => cert.checkHost(name, opts) === undefined),
    ...sans.ip.filter((addr) => cert.checkIP(addr) === undefined),
  ]
}

/** True when the certificate is not yet valid, expired, or expires within RENEW_BEFORE_DAYS. */
export function needsRenewal(cert: X509Certificate, now: Date): boolean {
  const notAfter = Date.parse(cert.validTo)
  const notBefore = Date.parse(cert.validFrom)
  return !(notBefore <= now.getTime() && now.getTime() + RENEW_BEFORE_DAYS * DAY_MS < notAfter)
}

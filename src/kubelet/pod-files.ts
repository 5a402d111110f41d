/**
 * @module
 * The files the kubelet writes for a pod and bind-mounts into each container: /etc/hosts,
 * /etc/hostname and /etc/resolv.conf (per dnsPolicy), and the termination-log file.
 */
// Upstream: pkg/kubelet/kubelet_pods.go (makeHostsFile, managedHostsFileContent,
// hostsEntriesFromHostAliases, GeneratePodHostNameAndDomain, truncatePodHostnameIfNeeded),
// pkg/kubelet/network/dns/dns.go (GetPodDNS, generateSearchesForDNSClusterFirst,
// appendDNSConfig, formatDNSConfig).
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../api/index.js'
import type { Mount } from '../runtime/types.js'

const MAX_HOSTNAME = 63
const MAX_NAMESERVERS = 3
const MAX_SEARCHES = 32

/** The pod's hostname and domain: spec.hostname or the (truncated) name; `<subdomain>.<ns>.svc.<domain>`. */
export function podHostnameAndDomain(pod: Cached<Pod>, clusterDomain: string): { hostname: string; domain: string } {
  let hostname = pod.spec?.hostname || pod.metadata?.name || ''
  if (hostname.length > MAX_HOSTNAME) hostname = hostname.slice(0, MAX_HOSTNAME).replace(/[-.]+$/, '')
  const sub = pod.spec?.subdomain
  const domain = sub ? `${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` : ''
  return { hostname, domain }
}

/** The UTS hostname: the FQDN with setHostnameAsFQDN, otherwise the short name. */
export function podUtsHostname(pod: Cached<Pod>, clusterDomain: string): string {
  const { hostname, domain } = podHostnameAndDomain(pod, clusterDomain)
  return pod.spec?.setHostnameAsFQDN && domain ? `${hostname}.${domain}` : hostname
}

/** The managed /etc/hosts: localhost lines, the pod's own IPs with its names, then hostAliases. */
export function hostsFile(pod: Cached<Pod>, podIPs: string[], clusterDomain: string, hostHosts?: string): string {
  const aliases = (pod.spec?.hostAliases ?? []).map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`).join('')
  const aliasBlock = aliases ? `\n# Entries added by HostAliases.\n${aliases}` : ''
  if (pod.spec?.hostNetwork) return `# Kubernetes-managed hosts file (host network).\n${hostHosts ?? ''}${aliasBlock}`
  const { hostname, domain } = podHostnameAndDomain(pod, clusterDomain)
  let out = '# Kubernetes-managed hosts file.\n' +
    '127.0.0.1\tlocalhost\n' +
    '::1\tlocalhost ip6-localhost ip6-loopback\n' +
    'fe00::0\tip6-localnet\n' +
    'fe00::0\tip6-mcastprefix\n' +
    'fe00::1\tip6-allnodes\n' +
    'fe00::2\tip6-allrouters\n'
  for (const ip of podIPs) out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`
  return out + aliasBlock
}

export type ResolvConf = { nameservers: string[]; searches: string[]; options: string[] }

/** Parses resolv.conf text (nameserver, search/domain, options). */
export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim()
    const [word, ...rest] = line.split(/\s+/)
    if (word === 'nameserver' && rest[0]) out.nameservers.push(rest[0])
    else if (word === 'search' || word === 'domain') out.searches = rest.filter(Boolean)
    else if (word === 'options') out.options.push(...rest.filter(Boolean))
  }
  return out
}

export type DnsSettings = { clusterDNS: string[]; clusterDomain: string; host: ResolvConf }

/** The pod's resolver configuration per spec.dnsPolicy and spec.dnsConfig. */
export function podDnsConfig(pod: Cached<Pod>, dns: DnsSettings): ResolvConf {
  let policy = pod.spec?.dnsPolicy ?? 'ClusterFirst'
  // A hostNetwork pod with ClusterFirst gets the node's resolver, as upstream's getPodDNSType.
  if (policy === 'ClusterFirst' && pod.spec?.hostNetwork) policy = 'Default'
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst'
  if (policy === 'ClusterFirst' && dns.clusterDNS.length === 0) policy = 'Default'
  let conf: ResolvConf
  if (policy === 'None') conf = { nameservers: [], searches: [], options: [] }
  else if (policy === 'Default') conf = { ...dns.host, options: [...dns.host.options] }
  else {
    const ns = pod.metadata?.namespace ?? 'default'
    const d = dns.clusterDomain
    conf = {
      nameservers: [...dns.clusterDNS],
      searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...dns.host.searches.filter((s) => s !== '.')],
      options: ['ndots:5'],
    }
  }
  const extra = pod.spec?.dnsConfig
  if (extra) {
    conf.nameservers = [...new Set([...conf.nameservers, ...(extra.nameservers ?? [])])]
    conf.searches = [...new Set([...conf.searches, ...(extra.searches ?? [])])]
    const opts = new Map(conf.options.map((o) => [o.split(':')[0], o] as const))
    for (const o of extra.options ?? []) opts.set(o.name ?? '', o.value !== undefined ? `${o.name}:${o.value}` : o.name ?? '')
    conf.options = [...opts.values()].filter(Boolean)
  }
  return { nameservers: conf.nameservers.slice(0, MAX_NAMESERVERS), searches: conf.searches.slice(0, MAX_SEARCHES), options: conf.options }
}

export function formatResolvConf(c: ResolvConf): string {
  let out = ''
  if (c.searches.length) out += `search ${c.searches.join(' ')}\n`
  for (const n of c.nameservers) out += `nameserver ${n}\n`
  if (c.options.length) out += `options ${c.options.join(' ')}\n`
  return out
}

/** Where a pod's own files live: `<rootDir>/pods/<uid>`. */
export const podDir = (rootDir: string, uid: string) => join(rootDir, 'pods', uid)

export type PodFileOptions = DnsSettings & { rootDir: string; podIPs: string[]; hostHostsPath?: string }

/** Writes hosts, hostname and resolv.conf for `pod`; returns the mounts every container gets. */
export async function writePodFiles(pod: Cached<Pod>, opts: PodFileOptions): Promise<Mount[]> {
  const dir = podDir(opts.rootDir, pod.metadata?.uid ?? '')
  await mkdir(dir, { recursive: true })
  const hostHosts = pod.spec?.hostNetwork ? await readFile(opts.hostHostsPath ?? '/etc/hosts', 'utf8').catch(() => '') : undefined
  const files: Array<[string, string, string]> = [
    ['etc-hosts', '/etc/hosts', hostsFile(pod, opts.podIPs, opts.clusterDomain, hostHosts)],
    ['etc-hostname', '/etc/hostname', `${podUtsHostname(pod, opts.clusterDomain)}\n`],
    ['resolv.conf', '/etc/resolv.conf', formatResolvConf(podDnsConfig(pod, opts))],
  ]
  const mounts: Mount[] = []
  for (const [name, containerPath, text] of files) {
    await writeFile(join(dir, name), text, { mode: 0o644 })
    mounts.push({ hostPath: join(dir, name), containerPath })
  }
  return mounts
}

/** Creates an empty termination-message file for one container run; the container writes it. */
export async function terminationLogFile(rootDir: string, uid: string, container: string, attempt: number): Promise<string> {
  const dir = join(podDir(rootDir, uid), 'containers', container)
  await mkdir(dir, { recursive: true })
  const path = join(dir, `termination-log-${attempt}`)
  // World-writable: the container may run as any user and must be able to write its message.
  await writeFile(path, '')
  await chmod(path, 0o666) // not subject to the umask
  return path
}

/** Reads the host's resolver configuration once; missing means an empty one. */
export async function readHostResolvConf(path = '/etc/resolv.conf'): Promise<ResolvConf> {
  return parseResolvConf(await readFile(path, 'utf8').catch(() => ''))
}

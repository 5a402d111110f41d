/**
 * @module
 * `kubelite agent`: flags, help and validation. The node agent itself (./agent-start.ts) is
 * imported only once the flags are good.
 */
import { resolve } from 'node:path'
import { helpText, parseFlags, UsageError } from './args.js'
import { defaultDataDir } from './defaults.js'

const FLAGS = {
  server: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  'ca-file': { type: 'string' },
  'node-name': { type: 'string' },
  'data-dir': { type: 'string' },
  runtime: { type: 'string', default: 'namespaces' },
  'image-fallback': { type: 'string', default: 'never' },
  'cluster-dns': { type: 'string', default: '10.96.0.10' },
  'cluster-domain': { type: 'string', default: 'cluster.local' },
  'service-cidr': { type: 'string', default: '10.96.0.0/12' },
  'max-pods': { type: 'string', default: '110' },
  'proxy-mode': { type: 'string', default: 'auto' },
  'ingress-http-port': { type: 'string', default: 'auto' },
  'ingress-https-port': { type: 'string', default: 'auto' },
  'dns-upstream': { type: 'string', default: '' },
  // Set by the launcher for the process it starts inside the node's namespaces.
  'api-socket': { type: 'string' },
  'in-node-namespace': { type: 'boolean', default: false },
} as const

export const NETWORK_FLAG_HELP: Array<[string, string]> = [
  ['--proxy-mode MODE', 'How Services are served: nftables, userspace, or auto (nftables where nft works; default)'],
  ['--ingress-http-port N', 'Host port of the ingress controller (default 80 where it can be bound, else 8080; 0: none)'],
  ['--ingress-https-port N', 'Its TLS port (default 443 where it can be bound, else 8443; 0: none)'],
  ['--dns-upstream LIST', 'Resolvers (host[:port],...) for names outside the cluster; default: none, such names fail'],
]

export const help = helpText('kubelite agent --server URL --token T [flags]',
  'Runs a node: registers it with the cluster at URL and runs the pods the scheduler binds to it,\n' +
  'each in its own network namespace with its own IP, inside a network, mount and PID namespace of\n' +
  'the node (and a user namespace when not run as root). `kubelite server` runs one itself unless\n' +
  'started with --disable-agent.', [
    ['--server URL', 'The API server, e.g. https://127.0.0.1:6443'],
    ['--token T', "A node token (the server's <data-dir>/node-token) or any bearer token"],
    ['--token-file FILE', 'Read the token from FILE'],
    ['--ca-file FILE', "The cluster CA (default: <data-dir>/pki/ca.crt when present)"],
    ['--node-name NAME', 'Name of the Node (default: the host name)'],
    ['--data-dir DIR', `State directory: images, pod files, logs (default ${defaultDataDir()})`],
    ['--runtime NAME', 'namespaces (default) or host (plain processes, no isolation)'],
    ['--image-fallback MODE', 'host: run an image that is not present on the host base; never: ErrImagePull (default never)'],
    ['--cluster-dns IP', 'The cluster DNS address written to pods\' resolv.conf (default 10.96.0.10)'],
    ['--cluster-domain D', 'The cluster domain (default cluster.local)'],
    ['--service-cidr CIDR', 'The Service range, routed inside the node only (default 10.96.0.0/12)'],
    ['--max-pods N', 'Pods this node takes (default 110)'],
    ...NETWORK_FLAG_HELP,
    ['-h, --help', 'Show this help'],
  ])

export type AgentFlags = {
  server: string
  token: string
  caFile?: string
  nodeName?: string
  dataDir: string
  runtime: 'namespaces' | 'host'
  imageFallback: 'host' | 'never'
  clusterDNS: string
  clusterDomain: string
  serviceCIDR: string
  maxPods: number
  apiSocket?: string
  inNodeNamespace: boolean
} & NodeNetworkFlags

/** How the node serves Services, DNS and Ingress (shared with `kubelite server`). */
export type NodeNetworkFlags = {
  /** auto: nftables where `nft` works, else the userspace proxy. */
  proxyMode: 'auto' | 'nftables' | 'userspace'
  /** Host ports of the ingress controller; undefined: 80/443 where they can be bound, else 8080/8443; 0: none. */
  ingressHttpPort?: number
  ingressHttpsPort?: number
  /** Resolvers for names outside the cluster (`host[:port]`); none: such names are not forwarded. */
  dnsUpstream: string[]
}

/** Parses the network flags; `cmd` names the command in usage errors. */
export function parseNetworkFlags(flags: { 'proxy-mode': string; 'ingress-http-port': string; 'ingress-https-port': string; 'dns-upstream': string }, cmd: string): NodeNetworkFlags {
  const mode = flags['proxy-mode']
  if (mode !== 'auto' && mode !== 'nftables' && mode !== 'userspace') {
    throw new UsageError(`invalid value "${mode}" for --proxy-mode: want auto, nftables or userspace`, cmd)
  }
  const port = (name: 'ingress-http-port' | 'ingress-https-port') => {
    const v = flags[name]
    if (v === 'auto') return undefined
    const n = Number(v)
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`invalid value "${v}" for --${name}: want a port, 0 or auto`, cmd)
    return n
  }
  const dnsUpstream = flags['dns-upstream'].split(',').map((x) => x.trim()).filter(Boolean)
  for (const u of dnsUpstream) {
    if (!/^(\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:]+\])(:\d+)?$/.test(u)) {
      throw new UsageError(`invalid value "${u}" for --dns-upstream: want IP[:port], e.g. 127.0.0.1:53`, cmd)
    }
  }
  return { proxyMode: mode, ingressHttpPort: port('ingress-http-port'), ingressHttpsPort: port('ingress-https-port'), dnsUpstream }
}

export async function run(args: string[]): Promise<void> {
  const flags = parseFlags('agent', args, FLAGS)
  if (flags.help) {
    process.stdout.write(help)
    return
  }
  if (!flags.server) throw new UsageError('--server is required', 'agent')
  let url: URL
  try {
    url = new URL(flags.server)
  } catch {
    throw new UsageError(`invalid value "${flags.server}" for --server: want a URL such as https://127.0.0.1:6443`, 'agent')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`invalid value "${flags.server}" for --server: want an http or https URL`, 'agent')
  }
  let token = flags.token
  if (!token && flags['token-file']) {
    const { readFile } = await import('node:fs/promises')
    token = (await readFile(flags['token-file'], 'utf8')).trim()
  }
  // A launcher hands the token to the agent it starts in the environment (see agent-defaults.ts).
  token ||= process.env.KUBELITE_AGENT_TOKEN
  delete process.env.KUBELITE_AGENT_TOKEN // nothing the agent starts inherits it
  if (!token) throw new UsageError('--token or --token-file is required', 'agent')
  const runtime = flags.runtime
  if (runtime !== 'namespaces' && runtime !== 'host') throw new UsageError(`invalid value "${runtime}" for --runtime: want namespaces or host`, 'agent')
  const fallback = flags['image-fallback']
  if (fallback !== 'host' && fallback !== 'never') throw new UsageError(`invalid value "${fallback}" for --image-fallback: want host or never`, 'agent')
  const maxPods = Number(flags['max-pods'])
  if (!Number.isInteger(maxPods) || maxPods < 1) throw new UsageError(`invalid value "${flags['max-pods']}" for --max-pods: want a whole number`, 'agent')
  const { startAgent } = await import('./agent-start.js')
  await startAgent({
    server: flags.server, token, caFile: flags['ca-file'], nodeName: flags['node-name'],
    dataDir: resolve(flags['data-dir'] ?? defaultDataDir()), runtime, imageFallback: fallback,
    clusterDNS: flags['cluster-dns'], clusterDomain: flags['cluster-domain'], serviceCIDR: flags['service-cidr'], maxPods,
    apiSocket: flags['api-socket'], inNodeNamespace: flags['in-node-namespace'],
    ...parseNetworkFlags(flags, 'agent'),
  })
}

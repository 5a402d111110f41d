/**
 * @module
 * `kubelite service NAME [-n NS] [--url]`: where a Service answers from this machine — its
 * load-balancer address on each port, or 127.0.0.1 on its node ports — as `minikube service`
 * prints it. A ClusterIP Service has no address on the host; the error says how to reach it.
 */
import { connect } from 'node:net'
import type { Service } from 'kubernetes-types/core/v1.js'
import { isNotFound } from '../api/index.js'
import { helpText, parseCommandLine, UsageError } from './args.js'
import { kubeconfigPath } from './kubeconfig-path.js'

const FLAGS = {
  namespace: { type: 'string', short: 'n', default: 'default' },
  url: { type: 'boolean', default: false },
  kubeconfig: { type: 'string' },
} as const

export const help = helpText('kubelite service NAME [-n NAMESPACE] [--url]',
  'Prints the URLs at which a LoadBalancer or NodePort Service answers on this machine: its\n' +
  'load-balancer address on each of its ports, or 127.0.0.1 on its node ports.', [
    ['-n, --namespace NS', 'The Service\'s namespace (default "default")'],
    ['--url', 'Print only the URLs, one per line'],
    ['--kubeconfig PATH', 'Cluster to ask (default $KUBECONFIG, else this machine\'s cluster, else ~/.kube/config)'],
    ['-h, --help', 'Show this help'],
  ])

export type ServiceURL = { port: string; targetPort: string; url: string; host?: string; hostPort?: number }

/** The URLs of a Service on the host; empty for a Service the host cannot reach. */
export function serviceURLs(svc: Service, nodePortAddress = '127.0.0.1'): ServiceURL[] {
  const spec = svc.spec ?? {}
  const lbIPs = spec.type === 'LoadBalancer'
    ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname).filter((x): x is string => !!x)
    : []
  const out: ServiceURL[] = []
  for (const p of spec.ports ?? []) {
    if ((p.protocol ?? 'TCP') !== 'TCP') continue
    const scheme = p.port === 443 || p.name === 'https' || p.appProtocol === 'https' ? 'https' : 'http'
    const portLabel = p.name ? `${p.name}/${p.port}` : String(p.port)
    const targetPort = String(p.targetPort ?? p.port)
    if (lbIPs.length) {
      for (const ip of lbIPs) out.push({ port: portLabel, targetPort, url: `${scheme}://${ip}${defaultPort(scheme, p.port) ? '' : `:${p.port}`}`, host: ip, hostPort: p.port })
    } else if (p.nodePort) {
      out.push({ port: portLabel, targetPort, url: `${scheme}://${nodePortAddress}:${p.nodePort}` })
    }
  }
  return out
}

/**
 * A node run by an ordinary user relays a load-balancer port below 1024 on port + 8000 (the
 * host refuses it the low one): print the port that answers.
 */
export async function withRelayFallbacks(urls: ServiceURL[]): Promise<ServiceURL[]> {
  const { PRIVILEGED_PORT_OFFSET } = await import('../network/relay/service-relays.js')
  return Promise.all(urls.map(async (u) => {
    if (!u.host || !u.hostPort || u.hostPort >= 1024 || await accepts(u.host, u.hostPort)) return u
    const alt = u.hostPort + PRIVILEGED_PORT_OFFSET
    if (!await accepts(u.host, alt)) return u
    const scheme = u.url.split(':')[0]!
    return { ...u, url: `${scheme}://${u.host}:${alt}`, hostPort: alt }
  }))
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 500 })
    const done = (ok: boolean) => { s.destroy(); resolve(ok) }
    s.once('connect', () => done(true)).once('error', () => done(false)).once('timeout', () => done(false))
  })
}

const defaultPort = (scheme: string, port: number) => (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443)

export async function run(args: string[]): Promise<void> {
  const { values: flags, positionals: names } = parseCommandLine('service', args, FLAGS)
  if (flags.help) {
    process.stdout.write(help)
    return
  }
  if (names.length !== 1) throw new UsageError(names.length ? 'one Service at a time' : 'a Service name is required', 'service')
  const name = names[0]!
  const ns = flags.namespace
  const { createClient, httpTransport, kubeconfigTransportOptions } = await import('../client/index.js')
  const client = createClient(httpTransport(await kubeconfigTransportOptions(kubeconfigPath(flags.kubeconfig))))
  let svc: Service
  try {
    svc = await client.get<Service>({ apiVersion: 'v1', kind: 'Service' }, name, ns)
  } catch (err) {
    throw new Error(isNotFound(err) ? `service ${ns}/${name} not found` : (err as Error).message)
  }
  const urls = await withRelayFallbacks(serviceURLs(svc))
  if (!urls.length) {
    const type = svc.spec?.type ?? 'ClusterIP'
    throw new Error(`service ${ns}/${name} has no address on this machine: it is of type ${type}` +
      (type === 'ClusterIP' || type === 'ExternalName'
        ? `; make it a LoadBalancer or NodePort, or use: kubectl port-forward -n ${ns} svc/${name} LOCAL:PORT`
        : ' and its load-balancer address is not assigned yet'))
  }
  if (flags.url) {
    process.stdout.write(urls.map((u) => u.url).join('\n') + '\n')
    return
  }
  const rows = [['NAMESPACE', 'NAME', 'PORT', 'TARGET PORT', 'URL'], ...urls.map((u) => [ns, name, u.port, u.targetPort, u.url])]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  process.stdout.write(rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')).join('\n') + '\n')
}

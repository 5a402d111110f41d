/**
 * @module
 * `kubelite server`: flags, help and validation. The server itself (./server-start.ts) is
 * imported only after the flags are known to be good, so usage errors and --help stay instant.
 */
import { resolve } from 'node:path'
import { helpText, parseFlags, parsePort, UsageError } from './args.js'
import { defaultDataDir } from './defaults.js'
import { parseGoDuration } from '../api/duration.js'
import { NETWORK_FLAG_HELP, parseNetworkFlags } from './agent-command.js'

const FLAGS = {
  'data-dir': { type: 'string' },
  bind: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '6443' },
  datastore: { type: 'string', default: 'sqlite' },
  'tls-san': { type: 'string', multiple: true },
  'write-kubeconfig': { type: 'boolean', default: false },
  'log-requests': { type: 'boolean', default: false },
  'compaction-interval': { type: 'string', default: '5m' },
  'sim-nodes': { type: 'string', default: '0' },
  controllers: { type: 'string', multiple: true },
  'disable-controller-manager': { type: 'boolean', default: false },
  'disable-scheduler': { type: 'boolean', default: false },
  'node-monitor-grace-period': { type: 'string', default: '40s' },
  'disable-agent': { type: 'boolean', default: false },
  'image-fallback': { type: 'string', default: 'never' },
  'max-pods': { type: 'string', default: '110' },
  'node-cidr-mask-size': { type: 'string', default: '24' },
  'load-balancer-pool': { type: 'string', default: '127.0.1.0/24' },
  'proxy-mode': { type: 'string', default: 'auto' },
  'ingress-http-port': { type: 'string', default: 'auto' },
  'ingress-https-port': { type: 'string', default: 'auto' },
  'dns-upstream': { type: 'string', default: '' },
} as const

export const help = helpText('kubelite server [flags]',
  'Runs the Kubernetes control plane: the API server, the controller manager and the scheduler,\n' +
  'a node agent that runs real pods on this machine (unless --disable-agent), and simulated\n' +
  'nodes with --sim-nodes. On first start it creates a CA, a serving certificate\n' +
  'and an admin identity under the data directory, and writes <data-dir>/kubeconfig.yaml.', [
    ['--data-dir DIR', `State directory (default ${defaultDataDir()})`],
    ['--bind ADDR', 'Address to listen on (default 127.0.0.1)'],
    ['--port N', 'HTTPS port, 0 picks a free one (default 6443)'],
    ['--datastore KIND', 'sqlite (<data-dir>/state.db) or memory (default sqlite)'],
    ['--tls-san NAME', 'Extra DNS name or IP for the serving certificate (repeatable)'],
    ['--write-kubeconfig', 'Also merge the kubeconfig into $KUBECONFIG (first entry) or ~/.kube/config'],
    ['--log-requests', 'Log one line per request to stderr'],
    ['--compaction-interval D', 'How often storage history is compacted, e.g. 5m or 30s; 0 never (default 5m)'],
    ['--sim-nodes N', 'Register N simulated nodes that run pods without processes, instead of the node agent (default 0)'],
    ['--controllers LIST', 'Controllers to run: * for all, name to add, -name to leave out (default *)'],
    ['--disable-controller-manager', 'Run no controllers'],
    ['--disable-scheduler', 'Run no scheduler'],
    ['--node-monitor-grace-period D', 'How long a node may stop heartbeating before it is Unknown (default 40s)'],
    ['--disable-agent', 'Run no node agent on this machine (no real pods)'],
    ['--image-fallback MODE', 'host: the agent runs images it does not have on the host base; never: ErrImagePull (default never)'],
    ['--max-pods N', "Pods the agent's node takes (default 110)"],
    ['--node-cidr-mask-size N', 'Size of each node\'s Pod CIDR in 10.244.0.0/16 (default 24: 253 pod IPs)'],
    ['--load-balancer-pool CIDR', 'Host addresses for LoadBalancer Services, relayed on their ports (default 127.0.1.0/24)'],
    ...NETWORK_FLAG_HELP,
    ['-h, --help', 'Show this help'],
  ])

export async function run(args: string[]): Promise<void> {
  const flags = parseFlags('server', args, FLAGS)
  if (flags.help) {
    process.stdout.write(help)
    return
  }
  const port = parsePort('server', '--port', flags.port)
  const datastore = flags.datastore
  if (datastore !== 'sqlite' && datastore !== 'memory') {
    throw new UsageError(`invalid value "${datastore}" for --datastore: want sqlite or memory`, 'server')
  }
  const interval = flags['compaction-interval']
  const compactionIntervalMs = interval === '0' ? 0 : parseGoDuration(interval)
  if (compactionIntervalMs === undefined || compactionIntervalMs < 0) {
    throw new UsageError(`invalid value "${interval}" for --compaction-interval: want a duration such as 5m, 30s or 0`, 'server')
  }
  const simNodes = Number(flags['sim-nodes'])
  if (!Number.isInteger(simNodes) || simNodes < 0) {
    throw new UsageError(`invalid value "${flags['sim-nodes']}" for --sim-nodes: want a whole number`, 'server')
  }
  const grace = parseGoDuration(flags['node-monitor-grace-period'])
  if (grace === undefined || grace <= 0) {
    throw new UsageError(`invalid value "${flags['node-monitor-grace-period']}" for --node-monitor-grace-period: want a duration such as 40s`, 'server')
  }
  const fallback = flags['image-fallback']
  if (fallback !== 'host' && fallback !== 'never') {
    throw new UsageError(`invalid value "${fallback}" for --image-fallback: want host or never`, 'server')
  }
  const maxPods = Number(flags['max-pods'])
  if (!Number.isInteger(maxPods) || maxPods < 1) {
    throw new UsageError(`invalid value "${flags['max-pods']}" for --max-pods: want a whole number`, 'server')
  }
  const mask = Number(flags['node-cidr-mask-size'])
  if (!Number.isInteger(mask) || mask < 16 || mask > 30) {
    throw new UsageError(`invalid value "${flags['node-cidr-mask-size']}" for --node-cidr-mask-size: want 16 to 30`, 'server')
  }
  const pool = flags['load-balancer-pool']
  const poolMatch = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(pool)
  if (!poolMatch || poolMatch.slice(1, 5).some((x) => Number(x) > 255) || Number(poolMatch[5]) < 8 || Number(poolMatch[5]) > 30) {
    throw new UsageError(`invalid value "${pool}" for --load-balancer-pool: want an IPv4 CIDR from /8 to /30, e.g. 127.0.1.0/24`, 'server')
  }
  const network = parseNetworkFlags(flags, 'server')
  const { startServer } = await import('./server-start.js')
  await startServer({
    dataDir: resolve(flags['data-dir'] ?? defaultDataDir()),
    bind: flags.bind,
    port,
    datastore,
    tlsSans: flags['tls-san'] ?? [],
    writeKubeconfig: flags['write-kubeconfig'],
    logRequests: flags['log-requests'],
    compactionIntervalMs,
    // A simulated cluster is the sim's alone: a real node beside it would take a share of its pods.
    agent: flags['disable-agent'] || simNodes > 0 ? undefined : { imageFallback: fallback, maxPods, network },
    loadBalancerPool: pool,
    controlPlane: {
      simNodes,
      controllers: flags.controllers?.flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean),
      disableControllerManager: flags['disable-controller-manager'],
      disableScheduler: flags['disable-scheduler'],
      nodeMonitorGracePeriodMs: grace,
      nodeCIDRMaskSize: mask,
    },
  })
}

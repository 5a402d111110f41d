/**
 * @module
 * `kubelite up`: flags, help and validation. The work (./up/up.ts) is imported once the flags
 * are known to be good.
 */
import { resolve } from 'node:path'
import { parseGoDuration } from '../api/duration.js'
import { NETWORK_FLAG_HELP, parseNetworkFlags } from './agent-command.js'
import { helpText, parseCommandLine, parsePort, UsageError } from './args.js'
import { defaultDataDir } from './defaults.js'
import { DEFAULT_DEMO, DEMOS } from './up/demos.js'

const FLAGS = {
  filename: { type: 'string', short: 'f', multiple: true },
  demo: { type: 'string' },
  detach: { type: 'boolean', short: 'd', default: false },
  build: { type: 'string', multiple: true },
  'data-dir': { type: 'string' },
  port: { type: 'string', default: '6443' },
  'image-fallback': { type: 'string', default: 'host' },
  'load-balancer-pool': { type: 'string' },
  'no-kubeconfig': { type: 'boolean', default: false },
  timeout: { type: 'string', default: '5m' },
  'proxy-mode': { type: 'string', default: 'auto' },
  'ingress-http-port': { type: 'string', default: 'auto' },
  'ingress-https-port': { type: 'string', default: 'auto' },
  'dns-upstream': { type: 'string', default: '' },
} as const

const demoList = Object.keys(DEMOS).join(', ')

export const help = helpText('kubelite up [-f FILE|DIR ...] [--demo NAME] [-d]',
  'Starts a cluster on this machine (control plane and a node), merges its kubeconfig, builds\n' +
  'the images an application needs, applies its manifests, waits for the rollouts as\n' +
  '`kubectl rollout status` does, prints the addresses of its LoadBalancer Services and\n' +
  'Ingresses, then follows the cluster\'s events until Ctrl-C, which stops everything. With no\n' +
  `-f and no --demo it runs the ${DEFAULT_DEMO} demo. With -d it returns once the application is\n` +
  'up and leaves the cluster running; `kubelite down` stops it. A cluster already started by\n' +
  '`kubelite up -d` on the same data directory is used as it is.', [
    ['-f, --filename PATH', 'Manifests to apply: a file or a directory of .yaml/.yml/.json (repeatable)'],
    ['--demo NAME', `A demo application from examples/: ${demoList} (default ${DEFAULT_DEMO} when no -f)`],
    ['-d, --detach', 'Leave the cluster running in the background and return'],
    ['--build NAME:TAG=DIR', 'Build an image from DIR/Dockerfile before applying (repeatable)'],
    ['--data-dir DIR', `State directory (default ${defaultDataDir()}); the server's log is kubelite.log in it`],
    ['--port N', 'HTTPS port of the API server (default 6443)'],
    ['--image-fallback MODE', 'host: images not built here run on the host base (default); never: ErrImagePull'],
    ['--load-balancer-pool CIDR', 'Host addresses for LoadBalancer Services (default 127.0.1.0/24)'],
    ['--no-kubeconfig', 'Do not merge the kubeconfig into $KUBECONFIG (first entry) or ~/.kube/config'],
    ['--timeout D', 'How long to wait for the rollouts (default 5m)'],
    ...NETWORK_FLAG_HELP,
    ['-h, --help', 'Show this help'],
  ])

export async function run(args: string[]): Promise<void> {
  const { values: flags, positionals } = parseCommandLine('up', args, FLAGS)
  if (flags.help) {
    process.stdout.write(help)
    return
  }
  if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]} (manifests are given with -f)`, 'up')
  const files = (flags.filename ?? []).map((f) => resolve(f))
  const demoName = flags.demo ?? (files.length ? undefined : DEFAULT_DEMO)
  const demo = demoName === undefined ? undefined : DEMOS[demoName]
  if (demoName !== undefined && !demo) throw new UsageError(`unknown demo "${demoName}": want one of ${demoList}`, 'up')
  const builds = (flags.build ?? []).map((b) => {
    const eq = b.lastIndexOf('=')
    if (eq <= 0 || eq === b.length - 1) throw new UsageError(`invalid value "${b}" for --build: want NAME:TAG=DIR`, 'up')
    return { tag: b.slice(0, eq), context: resolve(b.slice(eq + 1)) }
  })
  const port = parsePort('up', '--port', flags.port)
  const fallback = flags['image-fallback']
  if (fallback !== 'host' && fallback !== 'never') {
    throw new UsageError(`invalid value "${fallback}" for --image-fallback: want host or never`, 'up')
  }
  const timeoutMs = parseGoDuration(flags.timeout)
  if (timeoutMs === undefined || timeoutMs <= 0) {
    throw new UsageError(`invalid value "${flags.timeout}" for --timeout: want a duration such as 5m or 90s`, 'up')
  }
  parseNetworkFlags(flags, 'up')
  // The server validates its own flags; these are passed through as given.
  const serverArgs = ['--port', String(port), '--image-fallback', fallback,
    '--proxy-mode', flags['proxy-mode'], '--ingress-http-port', flags['ingress-http-port'],
    '--ingress-https-port', flags['ingress-https-port']]
  if (flags['dns-upstream']) serverArgs.push('--dns-upstream', flags['dns-upstream'])
  if (flags['load-balancer-pool']) serverArgs.push('--load-balancer-pool', flags['load-balancer-pool'])
  const { up } = await import('./up/up.js')
  await up({
    dataDir: resolve(flags['data-dir'] ?? defaultDataDir()),
    serverArgs,
    files,
    demo,
    builds,
    detach: flags.detach,
    mergeKubeconfig: !flags['no-kubeconfig'],
    timeoutMs,
    ...(flags['load-balancer-pool'] ? { loadBalancerPool: flags['load-balancer-pool'] } : {}),
  })
}

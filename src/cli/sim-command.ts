/**
 * @module
 * `kubelite sim`: simulated nodes (like kwok) joined to a running cluster through its
 * kubeconfig, for scale tests and controller work without processes. Runs until SIGINT or
 * SIGTERM. The Nodes are left in place on exit, as kwok leaves them: they turn NotReady when
 * their Leases expire, and a later `kubelite sim` with the same prefix adopts them again.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Taint } from 'kubernetes-types/core/v1.js'
import { parseGoDuration, parseQuantity } from '../api/index.js'
import { createClient, createInformers, httpTransport, kubeconfigTransportOptions } from '../client/index.js'
import { kubeconfigPath } from './kubeconfig-path.js'
import { startSimNodes } from '../runtime/sim/index.js'
import { helpText, parseFlags, UsageError } from './args.js'
import { defaultDataDir } from './defaults.js'

const FLAGS = {
  nodes: { type: 'string', default: '1' },
  cpu: { type: 'string', default: '32' },
  memory: { type: 'string', default: '256Gi' },
  pods: { type: 'string', default: '110' },
  kubeconfig: { type: 'string' },
  'name-prefix': { type: 'string', default: 'sim-node-' },
  label: { type: 'string', multiple: true },
  taint: { type: 'string', multiple: true },
  'job-pod-duration': { type: 'string' },
} as const

export const help = helpText('kubelite sim --nodes N [flags]',
  'Runs simulated nodes against a cluster: each registers a Node, renews its Lease and moves the\n' +
  'pods bound to it through their lifecycle without running them. Pod annotations steer them:\n' +
  'sim.kubelite.io/start-delay, ready, run-duration, fail, termination-delay, cpu-usage and\n' +
  'memory-usage. Nodes stay registered after exit (they turn NotReady), as kwok leaves them.', [
    ['--nodes N', 'How many nodes (default 1)'],
    ['--cpu Q', 'cpu capacity of each node (default 32)'],
    ['--memory Q', 'memory capacity of each node (default 256Gi)'],
    ['--pods N', 'pod capacity of each node (default 110)'],
    ['--kubeconfig PATH', `Cluster to join (default $KUBECONFIG, else ${join(defaultDataDir(), 'kubeconfig.yaml')}, else ~/.kube/config)`],
    ['--name-prefix P', 'Node names are P0, P1 ... (default sim-node-)'],
    ['--label K=V', 'Extra node label (repeatable)'],
    ['--taint K[=V]:EFFECT', 'Taint to register with (repeatable)'],
    ['--job-pod-duration D', 'How long Job pods run without a run-duration annotation (default: forever)'],
    ['-h, --help', 'Show this help'],
  ])

const invalid = (flag: string, value: string, want: string) => new UsageError(`invalid value "${value}" for ${flag}: want ${want}`, 'sim')

function count(flag: string, value: string, min: number): number {
  if (!/^\d{1,6}$/.test(value) || Number(value) < min) throw invalid(flag, value, `a whole number of at least ${min}`)
  return Number(value)
}

function quantity(flag: string, value: string): string {
  try {
    return parseQuantity(value).text
  } catch {
    throw invalid(flag, value, 'a quantity such as 4, 500m or 16Gi')
  }
}

function parseTaint(value: string): Taint {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(value)
  if (!m) throw invalid('--taint', value, 'KEY[=VALUE]:EFFECT with EFFECT NoSchedule, PreferNoSchedule or NoExecute')
  return { key: m[1]!, ...(m[2] ? { value: m[2] } : {}), effect: m[3]! }
}

/** Runs `kubelite sim` with `argv` (the words after "sim"); resolves with the exit status. */
export async function simCommand(argv: string[]): Promise<number> {
  const flags = parseFlags('sim', argv, FLAGS)
  if (flags.help) {
    process.stdout.write(help)
    return 0
  }
  const nodes = count('--nodes', flags.nodes, 1)
  const pods = count('--pods', flags.pods, 1)
  const cpu = quantity('--cpu', flags.cpu)
  const memory = quantity('--memory', flags.memory)
  const labels: Record<string, string> = {}
  for (const l of flags.label ?? []) {
    const i = l.indexOf('=')
    if (i <= 0) throw invalid('--label', l, 'KEY=VALUE')
    labels[l.slice(0, i)] = l.slice(i + 1)
  }
  const taints = (flags.taint ?? []).map(parseTaint)
  const jobText = flags['job-pod-duration']
  const jobPodDurationMs = jobText === undefined ? undefined : parseGoDuration(jobText)
  if (jobText !== undefined && (jobPodDurationMs === undefined || jobPodDurationMs < 0)) throw invalid('--job-pod-duration', jobText, 'a duration such as 30s')

  const path = kubeconfigPath(flags.kubeconfig)
  if (!existsSync(path)) throw new Error(`no kubeconfig at ${path}: start a cluster with 'kubelite server' or pass --kubeconfig`)
  const transport = await kubeconfigTransportOptions(path)
  const client = createClient(httpTransport(transport), { fieldManager: 'kubelite-sim' })
  // Fail fast, with the server's own words, when it is unreachable or refuses us.
  await client.list({ apiVersion: 'v1', kind: 'Node' }, { limit: 1 })

  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(1)
    process.stderr.write(`kubelite sim: ${signal} received, stopping (the nodes stay registered)\n`)
    stop.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const informers = createInformers(client)
    informers.start(stop.signal)
    const fleet = await startSimNodes({
      client, informers, count: nodes, namePrefix: flags['name-prefix'], cpu, memory, pods, labels, taints,
      jobPodDurationMs, signal: stop.signal,
    })
    const names = fleet.nodes()
    const range = names.length > 1 ? `${names[0]} .. ${names.at(-1)}` : names[0]
    process.stderr.write(`kubelite sim: ${names.length} node${names.length > 1 ? 's' : ''} ready (${range}) at ${transport.server}\n`)
    if (!stop.signal.aborted) await new Promise((r) => stop.signal.addEventListener('abort', r, { once: true }))
    await fleet.close()
    return 0
  } finally {
    stop.abort()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** The entry main.ts calls. */
export async function run(args: string[]): Promise<void> {
  const code = await simCommand(args)
  if (code !== 0) process.exitCode = code
}

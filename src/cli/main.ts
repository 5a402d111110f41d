#!/usr/bin/env node
/**
 * @module
 * kubelite's command line. Each command lives in its own module, imported only when it runs,
 * so `kubelite --version` or a usage error never pays for loading the server.
 */
import { UsageError } from './args.js'
import { packageVersion } from './defaults.js'

type Command = { help: string; run(args: string[]): Promise<void> }

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  up: { summary: 'Start a cluster and run an application on it (the tasks demo by default)', load: () => import('./up-command.js') },
  down: { summary: 'Stop the cluster that `kubelite up -d` started', load: () => import('./down-command.js') },
  server: { summary: 'Run the control plane: API server, controllers, scheduler', load: () => import('./server-command.js') },
  agent: { summary: 'Run a node: the kubelet and pods in their own namespaces', load: () => import('./agent-command.js') },
  image: { summary: 'Build and list images for pods (image build|ls|rm)', load: () => import('./image-command.js') },
  service: { summary: 'Print the URLs at which a Service answers on this machine', load: () => import('./service-command.js') },
  sim: { summary: 'Run simulated nodes against a cluster (like kwok)', load: () => import('./sim-command.js') },
  kubeconfig: { summary: "Print the admin kubeconfig for this machine's cluster", load: () => import('./kubeconfig-command.js') },
}

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length))
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  return [
    'kubelite: Kubernetes in one npm package.',
    '',
    'Usage: kubelite <command> [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Flags:',
    '  -h, --help     Show help (also: kubelite <command> --help)',
    '  -v, --version  Print the version',
    '',
  ].join('\n')
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === '-h' || first === '--help') {
    process.stdout.write(topHelp())
    return 0
  }
  if (first === '-v' || first === '--version' || first === 'version') {
    process.stdout.write(`kubelite v${packageVersion()}\n`)
    return 0
  }
  if (first === 'help') {
    const target = rest[0] === undefined ? undefined : COMMANDS[rest[0]]
    if (rest[0] !== undefined && !target) throw new UsageError(`unknown command "${rest[0]}"`)
    process.stdout.write(target ? (await target.load()).help : topHelp())
    return 0
  }
  if (first.startsWith('-')) throw new UsageError(`unknown flag: ${first}`)
  const entry = COMMANDS[first]
  if (!entry) throw new UsageError(`unknown command "${first}"`)
  const command = await entry.load()
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help)
    return 0
  }
  await command.run(rest)
  return 0
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    if (err instanceof UsageError) {
      const where = err.command ? `kubelite ${err.command}` : 'kubelite'
      process.stderr.write(`${where}: ${err.message}\nRun '${where} --help' for usage.\n`)
      process.exitCode = 2
      return
    }
    process.stderr.write(`kubelite: ${err instanceof Error ? err.message : String(err)}\n`)
    if (process.env.KUBELITE_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`)
    process.exitCode = 1
  },
)

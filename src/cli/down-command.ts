/**
 * @module
 * `kubelite down`: stops the cluster `kubelite up -d` left running on a data directory — the
 * server, and with it the node and every pod, each with its grace period — and waits until
 * they are gone. State (the data directory) is kept for the next `up`.
 */
import { resolve } from 'node:path'
import { helpText, parseFlags } from './args.js'
import { defaultDataDir } from './defaults.js'

const FLAGS = {
  'data-dir': { type: 'string' },
} as const

export const help = helpText('kubelite down [--data-dir DIR]',
  'Stops the cluster that `kubelite up -d` started: pods get their grace period, then the node\n' +
  'and the control plane stop. The data directory is kept; `kubelite up` starts it again.', [
    ['--data-dir DIR', `State directory (default ${defaultDataDir()})`],
    ['-h, --help', 'Show this help'],
  ])

export async function run(args: string[]): Promise<void> {
  const flags = parseFlags('down', args, FLAGS)
  if (flags.help) {
    process.stdout.write(help)
    return
  }
  const dataDir = resolve(flags['data-dir'] ?? defaultDataDir())
  const { runningServerPid, stopPid, pidPath } = await import('./up/cluster-process.js')
  const pid = await runningServerPid(dataDir)
  if (pid === undefined) {
    process.stdout.write(`No cluster started by kubelite up -d is running on ${dataDir}.\n`)
    return
  }
  const started = performance.now()
  process.stdout.write(`Stopping the cluster (pid ${pid}; pods get their grace period)...\n`)
  await stopPid(pid)
  const { rm } = await import('node:fs/promises')
  await rm(pidPath(dataDir), { force: true })
  process.stdout.write(`Stopped in ${((performance.now() - started) / 1000).toFixed(1)}s.\n`)
}

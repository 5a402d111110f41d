/**
 * @module
 * `kubelite kubeconfig`: prints the admin kubeconfig of the cluster in the data directory,
 * the file `kubelite server` wrote, or one rebuilt from the PKI with another server or the token.
 */
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseDocument } from 'yaml'
import { ADMIN_TOKEN_FILE } from '../apiserver/authn/index.js'
import { buildKubeconfig, PKI_FILES, readIfExists } from '../pki/index.js'
import { helpText, parseFlags } from './args.js'
import { defaultDataDir } from './defaults.js'

const FLAGS = {
  'data-dir': { type: 'string' },
  server: { type: 'string' },
  token: { type: 'boolean', default: false },
} as const

export const help = helpText('kubelite kubeconfig [flags]',
  "Prints the admin kubeconfig of the cluster whose state is in the data directory.", [
    ['--data-dir DIR', `State directory (default ${defaultDataDir()})`],
    ['--server URL', 'API server URL to put in it (default: the one the server last wrote)'],
    ['--token', 'Authenticate with the admin bearer token instead of the client certificate'],
    ['-h, --help', 'Show this help'],
  ])

export async function run(args: string[]): Promise<void> {
  const flags = parseFlags('kubeconfig', args, FLAGS)
  if (flags.help) {
    process.stdout.write(help)
    return
  }
  const dataDir = resolve(flags['data-dir'] ?? defaultDataDir())
  const written = await readIfExists(join(dataDir, 'kubeconfig.yaml'))
  if (written && !flags.server && !flags.token) {
    process.stdout.write(written)
    return
  }
  const read = async (name: string) => {
    try {
      return await readFile(join(dataDir, name), 'utf8')
    } catch {
      throw new Error(`no cluster state in ${dataDir} (missing ${name}): start one with 'kubelite server'`)
    }
  }
  const caCert = await read(join('pki', PKI_FILES.caCert))
  const previous = written ? (parseDocument(written).toJS() as { clusters?: { cluster?: { server?: string } }[] }) : undefined
  const server = flags.server ?? previous?.clusters?.[0]?.cluster?.server ?? 'https://127.0.0.1:6443'
  const credentials = flags.token
    ? { token: (await read(ADMIN_TOKEN_FILE)).trim() }
    : { clientCert: await read(join('pki', PKI_FILES.adminCert)), clientKey: await read(join('pki', PKI_FILES.adminKey)) }
  process.stdout.write(buildKubeconfig({ server, caCert, ...credentials }))
}

/**
 * @module
 * Which kubeconfig a client command uses: --kubeconfig, else $KUBECONFIG's first entry, else
 * this machine's cluster (<data-dir>/kubeconfig.yaml), else ~/.kube/config.
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { defaultDataDir } from './defaults.js'

export function kubeconfigPath(flag: string | undefined): string {
  if (flag) return resolve(flag)
  const env = (process.env.KUBECONFIG ?? '').split(':').find((p) => p !== '')
  if (env) return env
  const local = join(defaultDataDir(), 'kubeconfig.yaml')
  return existsSync(local) ? local : join(process.env.HOME ?? '', '.kube', 'config')
}

/**
 * @module
 * kubeconfig files: building one for this cluster, and merging it into a user's existing file
 * the way kind does (replace our entries by name, set current-context, leave the rest alone).
 */
import { realpath } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { Document, isMap, isSeq, parseDocument, stringify } from 'yaml'
import { readIfExists, writeFileAtomic } from './files.js'

type Named<K extends string, V> = { name: string } & { [key in K]: V }
/** The subset of client-go's clientcmd v1 Config this module writes. */
export type Kubeconfig = {
  apiVersion: 'v1'
  kind: 'Config'
  preferences: Record<string, unknown>
  clusters: Named<'cluster', { server: string; 'certificate-authority-data'?: string }>[]
  users: Named<'user', { 'client-certificate-data'?: string; 'client-key-data'?: string; token?: string }>[]
  contexts: Named<'context', { cluster: string; user: string; namespace?: string }>[]
  'current-context': string
}

export type KubeconfigInput = {
  /** https://host:port */
  server: string
  /** PEM of the CA that signed the serving certificate. */
  caCert: string
  /** PEM client certificate and key; or use `token`. */
  clientCert?: string
  clientKey?: string
  token?: string
  /** Name of the cluster and context entries. */
  name?: string
  /** Name of the user entry; defaults to `name`. */
  user?: string
}

const b64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64')

/** The kubeconfig as an object (cluster, user and context entries plus current-context). */
export function kubeconfigObject({ server, caCert, clientCert, clientKey, token, name = 'kubelite', user = name }: KubeconfigInput): Kubeconfig {
  const credentials: Kubeconfig['users'][number]['user'] = {}
  if (clientCert && clientKey) {
    credentials['client-certificate-data'] = b64(clientCert)
    credentials['client-key-data'] = b64(clientKey)
  }
  if (token) credentials.token = token
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name, cluster: { server, 'certificate-authority-data': b64(caCert) } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name, context: { cluster: name, user } }],
    'current-context': name,
  }
}

/** The kubeconfig as YAML. */
export function buildKubeconfig(input: KubeconfigInput): string {
  // lineWidth 0: base64 blobs stay on one line, as kubectl writes them.
  return stringify(kubeconfigObject(input), { lineWidth: 0 })
}

/** Where to merge: the first entry of $KUBECONFIG when set, else ~/.kube/config. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const first = (env.KUBECONFIG ?? '').split(':').find((p) => p !== '')
  return first ?? join(home, '.kube', 'config')
}

const SECTIONS = ['clusters', 'users', 'contexts'] as const

/** Adds or replaces `cfg`'s entries (by name) in the kubeconfig at `path` and makes its
 *  current-context current. Other entries, fields and comments are kept; the write is atomic
 *  and leaves the file at mode 0600. */
export async function mergeKubeconfig(path: string, cfg: Kubeconfig | string): Promise<void> {
  const ours: Partial<Kubeconfig> = typeof cfg === 'string' ? parseDocument(cfg).toJS() : cfg
  // Write through a symlinked ~/.kube/config instead of replacing the link with a file.
  const target = await realpath(path).catch(() => path)
  const text = await readIfExists(target)
  const doc = text === undefined ? new Document() : parseDocument(text)
  if (doc.errors.length > 0) throw new Error(`cannot merge into ${target}: ${doc.errors[0]!.message.split('\n')[0]}`)
  if (!isMap(doc.contents)) {
    // Empty or comment-only file: start a fresh Config.
    doc.contents = doc.createNode({ apiVersion: 'v1', kind: 'Config', preferences: {} }) as typeof doc.contents
  }
  const root = doc.contents
  if (!isMap(root)) throw new Error(`cannot merge into ${target}: not a kubeconfig`)
  if (!root.has('apiVersion')) root.set('apiVersion', 'v1')
  if (!root.has('kind')) root.set('kind', 'Config')
  for (const section of SECTIONS) {
    let seq: unknown = root.get(section, true)
    if (!isSeq(seq)) {
      seq = doc.createNode([])
      root.set(section, seq)
    }
    if (!isSeq(seq)) continue // unreachable: narrows the type
    for (const entry of ours[section] ?? []) {
      const node = doc.createNode(entry)
      const at = seq.items.findIndex((item) => isMap(item) && item.get('name') === entry.name)
      if (at >= 0) seq.items[at] = node
      else seq.items.push(node)
    }
  }
  if (ours['current-context']) root.set('current-context', ours['current-context'])
  await writeFileAtomic(target, doc.toString({ lineWidth: 0 }), 0o600)
}

/**
 * @module
 * kubeconfig files: building one for this cluster, and merging it into a user's existing file
 * the way kind does (replace our entries by name, set current-context, leave the rest alone).
 */
import { realpath } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { yaml } from '../api/lazy.js'
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

/** The kubeconfig as YAML. Written at every server start, so it is emitted here rather than
 *  by the yaml package, which the server otherwise rarely needs: the shape is fixed, and
 *  strings are JSON-quoted, which YAML reads as double-quoted scalars. */
export function buildKubeconfig(input: KubeconfigInput): string {
  return emitYaml(kubeconfigObject(input), '').trimStart() + '\n'
}

// Words YAML 1.1 readers (kubectl's go-yaml) would take for something other than a string.
const YAML_WORDS = /^(y|yes|n|no|true|false|on|off|null|~)$/i
const scalar = (s: string) => (/^[A-Za-z][A-Za-z0-9._/-]*$/.test(s) && !YAML_WORDS.test(s) ? s : JSON.stringify(s))

function emitYaml(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (!value.length) return '[]'
    return value.map((v) => `\n${indent}- ${emitYaml(v, indent + '  ').replace(/^\n\s*/, '')}`).join('')
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    if (!entries.length) return '{}'
    return entries.map(([k, v]) => {
      const inner = emitYaml(v, indent + '  ')
      return `\n${indent}${k}:${inner.startsWith('\n') ? inner : ` ${inner}`}`
    }).join('')
  }
  return typeof value === 'string' ? scalar(value) : String(value)
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
  const ours: Partial<Kubeconfig> = typeof cfg === 'string' ? yaml().parseDocument(cfg).toJS() : cfg
  // Write through a symlinked ~/.kube/config instead of replacing the link with a file.
  const target = await realpath(path).catch(() => path)
  const text = await readIfExists(target)
  const doc = text === undefined ? new (yaml().Document)() : yaml().parseDocument(text)
  if (doc.errors.length > 0) throw new Error(`cannot merge into ${target}: ${doc.errors[0]!.message.split('\n')[0]}`)
  if (!yaml().isMap(doc.contents)) {
    // Empty or comment-only file: start a fresh Config.
    doc.contents = doc.createNode({ apiVersion: 'v1', kind: 'Config', preferences: {} }) as typeof doc.contents
  }
  const root = doc.contents
  if (!yaml().isMap(root)) throw new Error(`cannot merge into ${target}: not a kubeconfig`)
  if (!root.has('apiVersion')) root.set('apiVersion', 'v1')
  if (!root.has('kind')) root.set('kind', 'Config')
  for (const section of SECTIONS) {
    let seq: unknown = root.get(section, true)
    if (!yaml().isSeq(seq)) {
      seq = doc.createNode([])
      root.set(section, seq)
    }
    if (!yaml().isSeq(seq)) continue // unreachable: narrows the type
    for (const entry of ours[section] ?? []) {
      const node = doc.createNode(entry)
      const at = seq.items.findIndex((item) => yaml().isMap(item) && item.get('name') === entry.name)
      if (at >= 0) seq.items[at] = node
      else seq.items.push(node)
    }
  }
  if (ours['current-context']) root.set('current-context', ours['current-context'])
  await writeFileAtomic(target, doc.toString({ lineWidth: 0 }), 0o600)
}

/**
 * @module
 * The manifests `kubelite up -f` applies: files and directories as `kubectl apply -f` reads
 * them (.yaml, .yml and .json; a directory's files in name order, not recursing; multi-document
 * YAML; `kind: List` unpacked), then ordered so that what others depend on exists first —
 * namespaces before what lives in them, ConfigMaps, Secrets and claims before the pods that
 * mount them, Services before workloads so their DNS names and environment variables are there
 * when the pods start (the order Helm installs in).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import type { ApiObject } from '../../client/index.js'

export type Manifest = ApiObject & { metadata: { name: string; namespace?: string } }

const EXTENSIONS = new Set(['.yaml', '.yml', '.json'])

/** Files under each path, in the order given (a directory's in name order). */
export function manifestFiles(paths: string[]): string[] {
  const files: string[] = []
  for (const p of paths) {
    let st
    try {
      st = statSync(p)
    } catch {
      throw new Error(`the path "${p}" does not exist`)
    }
    if (!st.isDirectory()) {
      files.push(p)
      continue
    }
    const inside = readdirSync(p).filter((f) => EXTENSIONS.has(extname(f))).sort().map((f) => join(p, f))
    if (!inside.length) throw new Error(`no manifests (.yaml, .yml, .json) in ${p}`)
    files.push(...inside)
  }
  return files
}

/** Parses every object in `files`; a malformed document names its file. */
export async function readManifests(files: string[]): Promise<Manifest[]> {
  const { parseAllDocuments } = await import('yaml')
  const out: Manifest[] = []
  for (const file of files) {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'))
    const list = Array.isArray(docs) ? docs : [docs]
    for (const doc of list) {
      if (doc.errors.length) throw new Error(`error parsing ${file}: ${doc.errors[0]!.message.split('\n')[0]}`)
      const value: unknown = doc.toJS()
      if (value === null || value === undefined) continue
      for (const obj of unpack(value)) out.push(checked(obj, file))
    }
  }
  return out
}

function unpack(value: unknown): unknown[] {
  const v = value as { kind?: string; items?: unknown[] }
  if (v && typeof v === 'object' && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) return v.items.flatMap(unpack)
  return [value]
}

function checked(obj: unknown, file: string): Manifest {
  const o = obj as Partial<Manifest>
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new Error(`error validating ${file}: not an object`)
  if (!o.apiVersion || !o.kind) throw new Error(`error validating data in ${file}: apiVersion and kind must be set`)
  if (!o.metadata?.name) throw new Error(`error validating data in ${file}: ${o.kind} has no metadata.name`)
  return o as Manifest
}

// Install order, as Helm's: kinds not listed go last, in file order.
const ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodDisruptionBudget', 'ServiceAccount', 'Secret',
  'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition',
  'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service', 'DaemonSet', 'Pod',
  'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob',
  'IngressClass', 'Ingress',
]

/** A stable sort by install order. */
export function installOrder<T extends ApiObject>(objs: T[]): T[] {
  const rank = (o: T) => {
    const i = ORDER.indexOf(o.kind ?? '')
    return i < 0 ? ORDER.length : i
  }
  return objs.map((o, i) => [o, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([o]) => o)
}

/** `deployment.apps/web`, as kubectl names what it applied. */
export function describeObject(o: ApiObject): string {
  const group = (o.apiVersion ?? '').includes('/') ? `.${o.apiVersion!.split('/')[0]}` : ''
  return `${(o.kind ?? '').toLowerCase()}${group}/${o.metadata?.name ?? ''}`
}

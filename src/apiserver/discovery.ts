/**
 * @module
 * API discovery: aggregated (apidiscovery.k8s.io v2 and v2beta1, chosen by Accept) and the
 * legacy per-group-version documents that `kubectl drain` and older clients read.
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/endpoints/discovery (aggregated/handler.go,
// legacy.go, group.go, version.go); kubectl-contract.md §1 for what kubectl reads.
import { compareStrings } from '../api/index.js'
import type { ResourceType } from '../registry/types.js'

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const SUB_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'], scale: ['get', 'patch', 'update'],
}
// Upstream's order of groups in /apis, which `kubectl get all` and api-resources follow.
const GROUP_ORDER = [
  'apiregistration.k8s.io', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io',
  'autoscaling', 'batch', 'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io',
  'storage.k8s.io', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io',
  'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io', 'flowcontrol.apiserver.k8s.io',
]
// Preferred version first, as upstream lists them.
const versionRank = (v: string) => {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v)
  if (!m) return 0
  const stability = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2
  return stability * 1e6 + Number(m[1]) * 1e3 + Number(m[3] ?? 0)
}

type Sub = { name: string; group: string; version: string; kind: string; verbs: string[] }

function subresources(rt: ResourceType): Sub[] {
  const subs: Sub[] = []
  if (rt.subresources?.scale) subs.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: SUB_VERBS.scale! })
  if (rt.subresources?.status) subs.push({ name: 'status', group: rt.group, version: rt.version, kind: rt.kind, verbs: SUB_VERBS.status! })
  for (const e of rt.subresources?.extra ?? []) {
    subs.push({ name: e.name, group: e.group ?? rt.group, version: e.version ?? rt.version, kind: e.kind, verbs: e.verbs })
  }
  return subs.sort((a, b) => compareStrings(a.name, b.name))
}

export type GroupVersions = { group: string; versions: { version: string; resources: ResourceType[] }[] }

/** Groups in upstream's order, versions preferred first, resources sorted by name. */
export function groupVersions(resources: ResourceType[]): GroupVersions[] {
  const byGroup = new Map<string, Map<string, ResourceType[]>>()
  for (const rt of resources) {
    const versions = byGroup.get(rt.group) ?? byGroup.set(rt.group, new Map()).get(rt.group)!
    const list = versions.get(rt.version) ?? versions.set(rt.version, []).get(rt.version)!
    list.push(rt)
  }
  const rank = (g: string) => (g === '' ? -1 : GROUP_ORDER.indexOf(g) < 0 ? GROUP_ORDER.length : GROUP_ORDER.indexOf(g))
  return [...byGroup.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || compareStrings(a, b))
    .map(([group, versions]) => ({
      group,
      versions: [...versions.entries()]
        .sort(([a], [b]) => versionRank(b) - versionRank(a))
        .map(([version, rts]) => ({ version, resources: rts.sort((a, b) => compareStrings(a.resource, b.resource)) })),
    }))
}

function aggregatedResource(rt: ResourceType) {
  const r: Record<string, unknown> = {
    resource: rt.resource,
    responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
    scope: rt.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: rt.singular,
    verbs: rt.verbs ?? ALL_VERBS,
  }
  if (rt.shortNames?.length) r.shortNames = rt.shortNames
  if (rt.categories?.length) r.categories = rt.categories
  const subs = subresources(rt)
  if (subs.length) {
    r.subresources = subs.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }))
  }
  return r
}

/** The body of /api (core) or /apis (named groups) in aggregated form. */
export function aggregatedDiscovery(gvs: GroupVersions[], core: boolean, version: 'v2' | 'v2beta1') {
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {},
    items: gvs.filter((g) => (g.group === '') === core).map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({ version: v.version, resources: v.resources.map(aggregatedResource), freshness: 'Current' })),
    })),
  }
}

/** Which aggregated version the Accept header asks for, if any. */
export function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const [base, ...params] = part.split(';').map((s) => s.trim())
    if (base !== 'application/json') continue
    const p = Object.fromEntries(params.map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]))
    if (p.g === 'apidiscovery.k8s.io' && p.as === 'APIGroupDiscoveryList' && (p.v === 'v2' || p.v === 'v2beta1')) return p.v
  }
  return undefined
}

export function legacyApiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] }
}

const groupEntry = (g: GroupVersions) => {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v.version}`, version: v.version }))
  return { name: g.group, versions, preferredVersion: versions[0] }
}

export function legacyGroupList(gvs: GroupVersions[]) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: gvs.filter((g) => g.group !== '').map(groupEntry) }
}

export function legacyGroup(g: GroupVersions) {
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) }
}

export function legacyResourceList(group: string, version: string, resources: ResourceType[]) {
  const out: Record<string, unknown>[] = []
  for (const rt of resources) {
    const r: Record<string, unknown> = {
      name: rt.resource, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: rt.verbs ?? ALL_VERBS,
    }
    if (rt.shortNames?.length) r.shortNames = rt.shortNames
    if (rt.categories?.length) r.categories = rt.categories
    out.push(r)
    for (const s of subresources(rt)) {
      const sub: Record<string, unknown> = { name: `${rt.resource}/${s.name}`, singularName: '', namespaced: rt.namespaced, kind: s.kind, verbs: s.verbs }
      if (s.group !== rt.group || s.version !== rt.version) Object.assign(sub, { group: s.group, version: s.version })
      out.push(sub)
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: out }
}

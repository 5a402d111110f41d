/**
 * @module
 * Which namespaced resources exist, from the server's discovery documents, so that a
 * namespace's deletion reaches every kind the server serves, custom resources included.
 */
// Upstream: client-go discovery (ServerPreferredNamespacedResources, ErrGroupDiscoveryFailed)
// as pkg/controller/namespace uses it.
import type { APIGroupList, APIResourceList } from 'kubernetes-types/meta/v1.js'
import type { Client } from '../../client/index.js'

/** A namespaced resource that can be listed and deleted. */
export type DeletableResource = { group: string; version: string; resource: string; kind: string; verbs: readonly string[] }

export type Discovered = {
  resources: DeletableResource[]
  /** Why discovery was incomplete (upstream's error text) and how many group versions failed. */
  error?: { message: string; failedGroups: number }
}

const gvOf = (groupVersion: string) => {
  const i = groupVersion.indexOf('/')
  return i < 0 ? { group: '', version: groupVersion } : { group: groupVersion.slice(0, i), version: groupVersion.slice(i + 1) }
}

function deletable(list: APIResourceList): DeletableResource[] {
  const { group, version } = gvOf(list.groupVersion)
  return (list.resources ?? [])
    // Subresources (pods/log) are not collections; objects that cannot be deleted are not content.
    .filter((r) => r.namespaced && !r.name.includes('/') && r.verbs.includes('delete') && r.verbs.includes('list'))
    .map((r) => ({ group: r.group ?? group, version: r.version ?? version, resource: r.name, kind: r.kind, verbs: r.verbs }))
}

/** The preferred version of every group's namespaced, deletable resources. */
export async function discoverNamespacedResources(client: Client, signal?: AbortSignal): Promise<Discovered> {
  const groups = await client.getPath<APIGroupList>('/apis', { signal })
  const versions = ['v1']
  for (const g of groups.groups ?? []) {
    const gv = g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion
    if (gv) versions.push(gv)
  }
  const settled = await Promise.allSettled(versions.map((gv) =>
    client.getPath<APIResourceList>(gv === 'v1' ? '/api/v1' : `/apis/${gv}`, { signal })))
  const resources: DeletableResource[] = []
  const failed: string[] = []
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') resources.push(...deletable(s.value))
    else failed.push(`${versions[i]}: ${(s.reason as Error)?.message ?? s.reason}`)
  })
  if (!failed.length) return { resources }
  failed.sort()
  return { resources, error: { message: `unable to retrieve the complete list of server APIs: ${failed.join(', ')}`, failedGroups: failed.length } }
}

/** Upstream prints a GroupVersionResource as `apps/v1, Resource=deployments`. */
export const gvrString = (r: DeletableResource) => `${r.group}/${r.version}, Resource=${r.resource}`

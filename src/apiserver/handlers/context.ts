/**
 * @module
 * What every resource handler works with: the served resource (with its conversion to and from
 * the stored version), its store, and the request's parsed parts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { apiVersionOf, badRequest, type KubeObject } from '../../api/index.js'
import type { ResourceType } from '../../registry/types.js'
import type { Backend } from '../../storage/index.js'
import type { UserInfo } from '../options.js'
import type { ResourceRequest } from '../request-info.js'
import type { ResourceStore } from '../store/store.js'
import type { WriteContext } from '../store/types.js'

/** A resource as one group-version serves it: `rt` is the served kind, `store` the stored one. */
export type Served = {
  rt: ResourceType
  store: ResourceStore
  /** Stored object → served version (sets apiVersion and kind). */
  out(obj: KubeObject): KubeObject
  /** Served version → stored object. */
  in(obj: KubeObject): KubeObject
}

export function served(rt: ResourceType, store: ResourceStore): Served {
  const apiVersion = apiVersionOf(rt.group, rt.version)
  const conv = rt.conversion
  return {
    rt,
    store,
    out(obj) {
      const o = conv ? conv.fromStored(obj) : obj
      o.apiVersion = apiVersion
      o.kind = rt.kind
      return o
    },
    in(obj) {
      if (!conv) return obj
      rt.defaults?.(obj)
      const stored = conv.toStored(obj)
      return stored
    },
  }
}

export type ApiRequest = {
  req: IncomingMessage
  res: ServerResponse
  info: ResourceRequest
  query: URLSearchParams
  user: UserInfo
  served: Served
  backend: Backend
  now: number
  warnings: string[]
  /** Every stored resource's store, for operations that cross kinds (orphaning dependents). */
  stores: () => Iterable<ResourceStore>
}

export function writeContext(r: ApiRequest): WriteContext {
  const dryRun = r.query.getAll('dryRun')
  for (const d of dryRun) if (d !== 'All') throw badRequest(`Invalid dry run option "${d}": supported values are "All"`)
  return { now: new Date(r.now), dryRun: dryRun.length > 0, user: r.user, warnings: r.warnings }
}

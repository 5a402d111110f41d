/**
 * @module
 * What the generic store needs per request and per resource: the write context and the
 * admission hooks that live in the API server rather than in a registry entry (allocation of
 * Service IPs and ports, namespace termination, graceful pod deletion).
 */
import type { KubeObject } from '../../api/index.js'
import type { ResourceType } from '../../registry/types.js'
import type { UserInfo } from '../options.js'

export type WriteContext = {
  now: Date
  dryRun: boolean
  user?: UserInfo
  /** Warnings for the response's Warning header. */
  warnings: string[]
}

/** Server-side steps around a write, keyed by resource. Each may throw a StatusError. */
export type AdmissionHooks = {
  /** After defaults and prepareForCreate, before validation. Returns an undo for a failed write. */
  beforeCreate?(obj: KubeObject, ctx: WriteContext): Promise<(() => void) | void> | (() => void) | void
  beforeUpdate?(obj: KubeObject, old: KubeObject, ctx: WriteContext): Promise<(() => void) | void> | (() => void) | void
  /** After the object is gone from storage. */
  afterDelete?(obj: KubeObject): void
}

export type StoreOptions = {
  rt: ResourceType
  admission?: AdmissionHooks
}

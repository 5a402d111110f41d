/**
 * @module
 * What a registry entry is: one resource described by data (identity, defaults, validation,
 * table columns, selectable fields). The API server's generic store owns the order of calls:
 * defaults → prepareForCreate → validate → persist (upstream's rest.BeforeCreate order).
 */
import type { FieldError } from '../api/field-errors.js'
import type { KubeObject } from '../api/meta.js'

/** One server-side Table column, as upstream's printers define it. */
export type Column<T = any> = {
  /** Header as upstream names it ("Name", "Ready", "Age", "Nominated Node", ...). */
  name: string
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  /** 'name' for the Name column (kubectl needs it); else usually ''. */
  format?: string
  description?: string
  /** 0: always shown; 1: only with `-o wide`. */
  priority?: number
  /** The pre-formatted cell. `now` is the request's time in ms, for ages. */
  cell(obj: T, now: number): string | number | boolean | null
}

export type ScaleSubresource = {
  /** JSON path segments to spec replicas, e.g. ['spec','replicas']. */
  specReplicasPath: string[]
  statusReplicasPath: string[]
  /** Where the label selector lives in the object, e.g. ['spec','selector']. */
  labelSelectorPath?: string[]
}

/** A resource kind served by the API. `T` is its kubernetes-types interface. */
export type ResourceType<T = any> = {
  group: string
  version: string
  kind: string
  /** Plural, lower case: 'deployments'. */
  resource: string
  singular: string
  namespaced: boolean
  shortNames?: string[]
  categories?: string[]
  /** Verbs served; default: every verb. Some kinds (e.g. bindings, tokenreviews) are create-only. */
  verbs?: string[]
  subresources?: { status?: boolean; scale?: ScaleSubresource; extra?: { name: string; group?: string; version?: string; kind: string; verbs: string[] }[] }
  /** Schema type name of the kind in the schema table (src/api/schema), e.g. 'io.k8s.api.apps.v1.Deployment'. */
  schema?: string

  /** Upstream's SetDefaults_*: fills defaults on every decoded body (create, update, patch result). */
  defaults?(obj: T): void
  /** Clears what the creator may not set (status), sets generation. Mutates. */
  prepareForCreate?(obj: T): void
  /** Keeps what an update may not change (status on the main resource), bumps generation. Mutates. */
  prepareForUpdate?(obj: T, old: T): void
  /** Never mutates. Metadata (name, labels, annotations...) is validated by the store. */
  validate?(obj: T): FieldError[]
  /** Never mutates. Immutable fields and update-only rules. `validate` has already run on `obj`. */
  validateUpdate?(obj: T, old: T): FieldError[]
  /** Hooks for PUT/PATCH on `/status`. Default: keep everything but `status` (and metadata) from `old`. */
  status?: {
    prepareForUpdate?(obj: T, old: T): void
    validateUpdate?(obj: T, old: T): FieldError[]
  }
  /** Server-side Table columns, Name first, as upstream's printers (pkg/printers/internalversion). */
  columns?: Column<T>[]
  /** Upstream's selectable fields beyond metadata.name/metadata.namespace, e.g. pods' spec.nodeName. */
  selectableFields?(obj: T): Record<string, string>
  /** Whether PUT may create the object (upstream AllowCreateOnUpdate): true for a few kinds. */
  allowCreateOnUpdate?: boolean
  /** Whether update without resourceVersion is allowed (AllowUnconditionalUpdate). Default true. */
  allowUnconditionalUpdate?: boolean
  /** Deletion: the default grace period when the client gives none (pods: spec.terminationGracePeriodSeconds). */
  gracePeriodSeconds?(obj: T): number | undefined
  /** Name syntax check; default isDNS1123Subdomain (namespaces and services use DNS-1123/1035 labels). */
  validateName?(name: string): string[]
  /** For a version that is a view of another stored resource (autoscaling/v1 HPA over v2,
   *  events.k8s.io/v1 Event over core/v1 Event): the stored one and the conversions. */
  conversion?: {
    storedAs: { group: string; version: string; resource: string }
    toStored(obj: T): KubeObject
    fromStored(obj: KubeObject): T
  }
}

/** The registry: every served kind, looked up by group/version/resource or by kind. */
export type Registry = {
  all(): ResourceType[]
  byResource(group: string, version: string, resource: string): ResourceType | undefined
  byKind(group: string, version: string, kind: string): ResourceType | undefined
}

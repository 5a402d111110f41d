/**
 * @module
 * Server-side Table printing (meta.k8s.io/v1 Table) from a registry entry's columns, with the
 * row objects kubectl needs for -A, --show-labels, -L and --sort-by.
 */
// Upstream: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go (transformResponseObject)
// and pkg/registry/core/... TableConvertor; the default convertor prints Name and Created At.
import type { KubeObject } from '../api/index.js'
import type { Column, ResourceType } from '../registry/types.js'
import { nameColumn } from '../registry/printers.js'

export type IncludeObject = 'None' | 'Metadata' | 'Object'

const createdAt: Column = {
  name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o) => o.metadata?.creationTimestamp ?? null,
}
const DEFAULT_COLUMNS = [nameColumn, createdAt]

export const columnsOf = (rt: ResourceType): Column[] => rt.columns?.length ? rt.columns : DEFAULT_COLUMNS

export function columnDefinitions(rt: ResourceType) {
  return columnsOf(rt).map((c) => ({
    name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0,
  }))
}

function rowObject(obj: KubeObject, include: IncludeObject, version: string): unknown {
  if (include === 'None') return undefined
  if (include === 'Object') return obj
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata }
}

export function tableRow(rt: ResourceType, obj: KubeObject, now: number, include: IncludeObject, version: string) {
  const cells = columnsOf(rt).map((c) => {
    try {
      return c.cell(obj, now)
    } catch {
      return null // a malformed object prints <none> rather than failing the whole list
    }
  })
  const row: { cells: unknown[]; object?: unknown } = { cells }
  const o = rowObject(obj, include, version)
  if (o !== undefined) row.object = o
  return row
}

export function buildTable(rt: ResourceType, objs: KubeObject[], opts: {
  include: IncludeObject; version: string; now: number; resourceVersion?: string; continue?: string; remainingItemCount?: number; withColumns?: boolean
}) {
  const metadata: Record<string, unknown> = {}
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion
  if (opts.continue) metadata.continue = opts.continue
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount
  return {
    kind: 'Table', apiVersion: `meta.k8s.io/${opts.version}`, metadata,
    columnDefinitions: opts.withColumns === false ? null : columnDefinitions(rt),
    rows: objs.map((o) => tableRow(rt, o, opts.now, opts.include, opts.version)),
  }
}

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata'
}

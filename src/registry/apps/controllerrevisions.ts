/**
 * @module
 * apps/v1 ControllerRevision: the immutable snapshots StatefulSets and DaemonSets keep of their
 * templates. No status, no defaults; `data` is mandatory and never changes.
 */
// Upstream: pkg/registry/apps/controllerrevision/strategy.go, pkg/apis/apps/validation/validation.go
// (ValidateControllerRevision, ValidateControllerRevisionUpdate),
// pkg/printers/internalversion/printers.go (printControllerRevision).
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js'
import { immutable, required, type FieldError } from '../../api/field-errors.js'
import { parseApiVersion, semanticEqual } from '../../api/meta.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { nonNegative, type Kube } from './workload.js'

export function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  const errs: FieldError[] = []
  if (cr.data === undefined || cr.data === null) errs.push(required('data', 'data is mandatory'))
  errs.push(...nonNegative(cr.revision, 'revision'))
  return errs
}

/** "daemonset.apps/web": the controlling owner as upstream's formatResourceName writes it. */
export function controllerOfRevision(cr: ControllerRevision): string {
  const ref = cr.metadata?.ownerReferences?.find((r) => r.controller === true)
  if (!ref) return '<none>'
  const { group } = parseApiVersion(ref.apiVersion ?? '')
  if (!ref.kind) return ref.name
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`
}

export const controllerRevisions = {
  group: 'apps', version: 'v1', kind: 'ControllerRevision', resource: 'controllerrevisions', singular: 'controllerrevision',
  namespaced: true,
  schema: 'io.k8s.api.apps.v1.ControllerRevision',
  validate: validateControllerRevision,
  validateUpdate: (cr, old) => (semanticEqual(cr.data, old.data) ? [] : [immutable('data', cr.data)]),
  columns: [
    nameColumn,
    { name: 'Controller', type: 'string', description: 'Controller of the object', cell: controllerOfRevision },
    { name: 'Revision', type: 'integer', description: 'Revision indicates the revision of the state represented by Data.', cell: (cr) => cr.revision ?? 0 },
    ageColumn,
  ],
} satisfies ResourceType<Kube<ControllerRevision>>

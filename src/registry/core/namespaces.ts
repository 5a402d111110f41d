/**
 * @module
 * Registry entry for Namespaces: the `kubernetes` finalizer, the metadata.name label,
 * phase Active, and the NAME STATUS AGE columns.
 */
// Upstream: pkg/registry/core/namespace/strategy.go (PrepareForCreate/Update, Canonicalize,
// NamespaceToSelectableFields), pkg/apis/core/v1/defaults.go (SetDefaults_Namespace,
// SetDefaults_NamespaceStatus), pkg/apis/core/validation/validation.go (ValidateNamespace,
// validateFinalizerName, ValidateNamespaceStatusUpdate, ValidateNamespaceFinalizeUpdate).
import type { Namespace } from 'kubernetes-types/core/v1.js'
import { invalidValue, path, type FieldError } from '../../api/field-errors.js'
import { isDNS1123Label, isQualifiedName } from '../../api/names.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { w } from './util.js'

/** The label every namespace carries with its own name, so selectors can pick namespaces by name. */
export const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name'
const STANDARD_FINALIZERS = new Set(['kubernetes'])

function labelName(ns: Namespace) {
  const name = ns.metadata?.name
  if (!name) return
  ns.metadata!.labels = { ...ns.metadata!.labels, [METADATA_NAME_LABEL]: name }
}

function validateFinalizerNames(finalizers: string[] | undefined, p: string): FieldError[] {
  const errs: FieldError[] = []
  for (const f of finalizers ?? []) {
    for (const m of isQualifiedName(f)) errs.push(invalidValue(p, f, m))
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(invalidValue(p, f, 'name is neither a standard finalizer name nor is it fully qualified'))
    }
  }
  return errs
}

export const namespaces = {
  group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', singular: 'namespace', namespaced: false,
  shortNames: ['ns'], schema: 'io.k8s.api.core.v1.Namespace',
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: { status: true, extra: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }] },
  validateName: isDNS1123Label,
  defaults(ns) {
    labelName(ns)
    if (ns.status) w(ns).status = { ...ns.status, phase: ns.status.phase || 'Active' }
  },
  prepareForCreate(ns) {
    w(ns).status = { phase: 'Active' }
    const finalizers = ns.spec?.finalizers ?? []
    // Required on create only: the namespace controller removes it when cleanup is done.
    if (!finalizers.includes('kubernetes')) ns.spec = { ...ns.spec, finalizers: [...finalizers, 'kubernetes'] }
    labelName(ns) // the name may have just been generated
  },
  prepareForUpdate(ns, old) {
    ns.spec = { ...ns.spec, finalizers: old.spec?.finalizers }
    if (!old.spec?.finalizers) delete ns.spec.finalizers
    w(ns).status = old.status
    labelName(ns)
  },
  validate: (ns) => validateFinalizerNames(ns.spec?.finalizers, path('spec', 'finalizers')),
  status: {
    prepareForUpdate(ns, old) {
      ns.spec = old.spec
    },
    validateUpdate(ns) {
      const phase = ns.status?.phase
      if (!ns.metadata?.deletionTimestamp) {
        if (phase && phase !== 'Active') return [invalidValue('status.Phase', phase, 'may only be \'Active\' if `deletionTimestamp` is empty')]
      } else if (phase !== 'Terminating') {
        return [invalidValue('status.Phase', phase ?? '', 'may only be \'Terminating\' if `deletionTimestamp` is not empty')]
      }
      return []
    },
  },
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', description: 'The status of the namespace', cell: (ns) => ns.status?.phase ?? '' },
    ageColumn,
  ],
  // "name" is a historical extra upstream keeps for compatibility.
  selectableFields: (ns) => ({ 'status.phase': ns.status?.phase ?? '', name: ns.metadata?.name ?? '' }),
} satisfies ResourceType<Namespace>

/** Validation for PUT .../namespaces/{name}/finalize: spec.finalizers names. */
export const validateNamespaceFinalizers = (ns: Namespace) => validateFinalizerNames(ns.spec?.finalizers, path('spec', 'finalizers'))

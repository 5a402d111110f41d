/**
 * @module
 * policy/v1 PodDisruptionBudget: the spec/status split, validation (minAvailable and
 * maxUnavailable exclusive, each an int or percentage) and `kubectl get pdb` columns.
 * Evictions (`pods/eviction`) are the API server's; this entry only describes the budget.
 */
// Upstream: pkg/registry/policy/poddisruptionbudget/strategy.go, pkg/apis/policy/validation/validation.go
// (ValidatePodDisruptionBudgetSpec, ValidatePodDisruptionBudgetStatusUpdate),
// pkg/printers/internalversion/printers.go (printPodDisruptionBudget).
import type { PodDisruptionBudget, PodDisruptionBudgetSpec } from 'kubernetes-types/policy/v1.js'
import { invalidValue, notSupported, type FieldError } from '../../api/field-errors.js'
import { semanticEqual } from '../../api/meta.js'
import { validateLabelSelectorMeta } from '../../api/index.js'
import {
  firstGeneration, nextGeneration, nonNegative, notOver100Percent, setStatus, validateIntOrPercent, type Kube,
} from '../apps/index.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget']

/** Upstream's ValidatePodDisruptionBudgetSpec. */
export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): FieldError[] {
  const spec: PodDisruptionBudgetSpec = pdb.spec ?? {}
  const errs: FieldError[] = []
  const isSet = (v: unknown) => v !== undefined && v !== null
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) {
    errs.push(invalidValue('spec', spec, 'minAvailable and maxUnavailable cannot be both set'))
  }
  for (const k of ['minAvailable', 'maxUnavailable'] as const) {
    errs.push(...validateIntOrPercent(spec[k], `spec.${k}`), ...notOver100Percent(spec[k], `spec.${k}`))
  }
  errs.push(...validateLabelSelectorMeta(spec.selector, 'spec.selector'))
  const policy = spec.unhealthyPodEvictionPolicy
  if (isSet(policy) && !EVICTION_POLICIES.includes(policy!)) errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, EVICTION_POLICIES))
  return errs
}

/** Status counts are non-negative (what the disruption controller writes). */
function validateStatus(pdb: PodDisruptionBudget): FieldError[] {
  const s = pdb.status
  if (!s) return []
  return [
    ...nonNegative(s.disruptionsAllowed, 'status.disruptionsAllowed'), ...nonNegative(s.currentHealthy, 'status.currentHealthy'),
    ...nonNegative(s.desiredHealthy, 'status.desiredHealthy'), ...nonNegative(s.expectedPods, 'status.expectedPods'),
  ]
}

/** "2", "50%", or "N/A" when the bound is not the one in use. */
const bound = (v: number | string | undefined | null) => (v === undefined || v === null ? 'N/A' : String(v))

export const podDisruptionBudgets = {
  group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', singular: 'poddisruptionbudget',
  namespaced: true, shortNames: ['pdb'],
  subresources: { status: true },
  schema: 'io.k8s.api.policy.v1.PodDisruptionBudget',
  prepareForCreate(pdb) {
    // The four counts Go writes even when zero.
    setStatus(pdb, { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 })
    firstGeneration(pdb)
  },
  prepareForUpdate(pdb, old) {
    setStatus(pdb, old.status)
    nextGeneration(pdb, old, !semanticEqual(pdb.spec, old.spec))
  },
  validate: validatePodDisruptionBudget,
  status: {
    prepareForUpdate(pdb, old) {
      pdb.spec = old.spec
    },
    validateUpdate: validateStatus,
  },
  columns: [
    nameColumn,
    { name: 'Min Available', type: 'string', description: 'The minimum number of pods that must be available.', cell: (p) => bound(p.spec?.minAvailable) },
    { name: 'Max Unavailable', type: 'string', description: 'The maximum number of pods that may be unavailable.', cell: (p) => bound(p.spec?.maxUnavailable) },
    { name: 'Allowed Disruptions', type: 'integer', description: 'Calculated number of pod disruptions that are currently allowed.', cell: (p) => p.status?.disruptionsAllowed ?? 0 },
    ageColumn,
  ],
} satisfies ResourceType<Kube<PodDisruptionBudget>>

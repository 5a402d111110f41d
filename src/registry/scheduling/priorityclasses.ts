/**
 * @module
 * scheduling.k8s.io/v1 PriorityClass: cluster-scoped; preemptionPolicy defaults to
 * PreemptLowerPriority; the 'system-' prefix is reserved for the built-in classes; value and
 * preemptionPolicy are fixed after creation.
 */
// Upstream: pkg/registry/scheduling/priorityclass/strategy.go; pkg/apis/scheduling/validation/validation.go;
// pkg/apis/scheduling/v1/helpers.go (IsKnownSystemPriorityClass); printers.go (printPriorityClass).
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js'
import { forbiddenField, immutable, notSupported, type FieldError } from '../../api/field-errors.js'
import type { KubeObject } from '../../api/meta.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'

type PriorityClassObj = PriorityClass & KubeObject

/** Highest value a user-defined class may have; system classes sit above it. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
/** The built-in classes and their fixed values. */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-node-critical': 2_000_001_000,
  'system-cluster-critical': 2_000_000_000,
}

/** Why a 'system-'-prefixed class is not one of the built-in ones, or undefined when it is. */
function systemClassError(name: string, value: number, globalDefault: boolean): string | undefined {
  const want = SYSTEM_PRIORITY_CLASSES[name]
  if (want === undefined) return `${name} is not a known system priority class`
  if (want !== value) return `value of ${name} PriorityClass must be ${want}`
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`
  return undefined
}

function validatePriorityClass(pc: PriorityClassObj): FieldError[] {
  const errs: FieldError[] = []
  const name = pc.metadata?.name ?? ''
  if (name.startsWith('system-')) {
    const why = systemClassError(name, pc.value, pc.globalDefault ?? false)
    if (why) errs.push(forbiddenField('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${why}`))
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbiddenField('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`))
  }
  if (pc.preemptionPolicy !== undefined && pc.preemptionPolicy !== null &&
      !['Never', 'PreemptLowerPriority'].includes(pc.preemptionPolicy)) {
    errs.push(notSupported('preemptionPolicy', pc.preemptionPolicy, ['Never', 'PreemptLowerPriority']))
  }
  return errs
}

export const priorityClasses = {
  group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', resource: 'priorityclasses', singular: 'priorityclass',
  namespaced: false, shortNames: ['pc'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  schema: 'io.k8s.api.scheduling.v1.PriorityClass',
  defaults(obj) {
    obj.preemptionPolicy ??= 'PreemptLowerPriority'
  },
  prepareForCreate(obj) {
    obj.metadata = { ...obj.metadata, generation: 1 }
  },
  validate: validatePriorityClass,
  validateUpdate(obj, old) {
    const errs: FieldError[] = []
    if (obj.value !== old.value) errs.push(forbiddenField('value', 'may not be changed in an update.'))
    if ((obj.preemptionPolicy ?? null) !== (old.preemptionPolicy ?? null)) errs.push(immutable('preemptionPolicy', obj.preemptionPolicy))
    return errs
  },
  columns: [
    nameColumn,
    { name: 'Value', type: 'integer', description: 'The priority pods of this class receive.', cell: (o) => o.value ?? 0 },
    { name: 'Global-Default', type: 'boolean', description: 'Whether pods without a priority class get this one.', cell: (o) => o.globalDefault ?? false },
    ageColumn,
    { name: 'PreemptionPolicy', type: 'string', description: 'Whether pods of this class may preempt lower-priority pods.', cell: (o) => o.preemptionPolicy ?? '' },
  ],
} satisfies ResourceType<PriorityClassObj>

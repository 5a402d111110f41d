/**
 * @module
 * Rules every pod-owning workload shares (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job):
 * selector presence and syntax, "selector does not match template labels", non-negative counts,
 * int-or-percent fields, restartPolicy Always, selector immutability, generation bumps.
 */
// Upstream: pkg/apis/apps/validation/validation.go (ValidatePodTemplateSpecForReplicaSet,
// ValidatePositiveIntOrPercent, IsNotMoreThan100Percent, getIntOrPercentValue) and
// pkg/apis/core/validation/validation.go (ValidateNonnegativeField, ValidateImmutableField).
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { forbiddenField, invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { semanticEqual, type KubeObject } from '../../api/meta.js'
import { labelSelectorFromMeta, validateLabelSelectorMeta } from '../../api/index.js'
import type { ScaleSubresource } from '../types.js'
import { goIntOrString, goLabelSelector, goStringMap, invalidRendered } from './go-format.js'

/** A kubernetes-types interface as the registry's `ResourceType<T>` accepts it: the contract's
 *  KubeObject carries an index signature that plain interfaces lack. */
export type Kube<T> = T & KubeObject

/** The Scale subresource of every replicated kind: spec/status replicas and spec.selector. */
export const replicasScale: ScaleSubresource = {
  specReplicasPath: ['spec', 'replicas'],
  statusReplicasPath: ['status', 'replicas'],
  labelSelectorPath: ['spec', 'selector'],
}

const NEGATIVE = 'must be greater than or equal to 0'

/** `field: Invalid value: -1: must be greater than or equal to 0` when set and negative. */
export function nonNegative(value: number | undefined | null, field: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalidValue(field, value, NEGATIVE)] : []
}

/** Selector present, well-formed and non-empty (`kind` words the empty-selector message). */
export function validateSelector(sel: LabelSelector | undefined | null, at: string, kind: string): FieldError[] {
  if (!sel) return [required(at)]
  const errs = [...validateLabelSelectorMeta(sel, at)]
  if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
    errs.push(invalidRendered(at, goLabelSelector(sel), `empty selector is invalid for ${kind}`))
  }
  return errs
}

/** A selector as upstream's LabelSelectorAsSelector sees it: absent matches nothing; undefined
 *  when it does not parse (the caller has already reported why). */
export function asSelector(sel: LabelSelector | undefined | null):
  { matches(labels?: Record<string, string>): boolean; empty: boolean } | undefined {
  if (!sel) return { matches: () => false, empty: false }
  try {
    return labelSelectorFromMeta(sel)
  } catch {
    return undefined
  }
}

/** `<at>.metadata.labels: Invalid value: map[string]string{...}: \`selector\` does not match template \`labels\``. */
export function selectorMismatch(sel: LabelSelector | undefined | null, template: PodTemplateSpec | undefined, at: string, skipEmpty = true): FieldError[] {
  const s = asSelector(sel)
  if (!s || (skipEmpty && s.empty)) return []
  const labels = template?.metadata?.labels ?? undefined
  return s.matches(labels ?? {}) ? [] : [invalidRendered(path(at, 'metadata', 'labels'), goStringMap(labels), '`selector` does not match template `labels`')]
}

/** Controllers that keep pods running may only use restartPolicy Always. */
export function restartAlways(template: PodTemplateSpec | undefined, at: string): FieldError[] {
  const policy = template?.spec?.restartPolicy ?? ''
  return policy === 'Always' ? [] : [notSupported(path(at, 'spec', 'restartPolicy'), policy, ['Always'])]
}

/** `activeDeadlineSeconds in <Kind> is not Supported` for controllers whose pods never finish. */
export function noActiveDeadline(template: PodTemplateSpec | undefined, at: string, kind: string): FieldError[] {
  return template?.spec?.activeDeadlineSeconds === undefined || template.spec.activeDeadlineSeconds === null ? []
    : [forbiddenField(path(at, 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`)]
}

/** apps/v1 selectors cannot change after creation. */
export function immutableSelector(sel: LabelSelector | undefined, old: LabelSelector | undefined, at: string): FieldError[] {
  return semanticEqual(sel, old) ? [] : [invalidRendered(at, goLabelSelector(sel), 'field is immutable')]
}

const PERCENT = /^[0-9]+%$/
const PERCENT_MSG = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"

/** An int-or-string that must be a non-negative integer or a percentage string. */
export function validateIntOrPercent(v: number | string | undefined | null, field: string): FieldError[] {
  if (v === undefined || v === null) return []
  if (typeof v === 'string') return PERCENT.test(v) ? [] : [invalidRendered(field, goIntOrString(v), PERCENT_MSG)]
  return v < 0 ? [invalidValue(field, v, NEGATIVE)] : []
}

/** Percentages above 100% make no sense for availability budgets. */
export function notOver100Percent(v: number | string | undefined | null, field: string): FieldError[] {
  if (typeof v !== 'string' || !PERCENT.test(v)) return []
  return Number(v.slice(0, -1)) > 100 ? [invalidRendered(field, goIntOrString(v), 'must not be greater than 100%')] : []
}

/** The number an int-or-percent stands for, as upstream compares it with zero. */
export function intOrPercentValue(v: number | string | undefined | null): number {
  if (typeof v === 'number') return v
  if (typeof v !== 'string') return 0
  const n = Number.parseInt(PERCENT.test(v) ? v.slice(0, -1) : v, 10)
  return Number.isNaN(n) || !/^-?[0-9]+%?$/.test(v) ? 0 : n
}

/** Sets `status`, which kubernetes-types marks read-only on some kinds (it is the server's to write). */
export function setStatus<T extends { readonly status?: unknown }>(obj: T, status: T['status']): void {
  (obj as { status?: unknown }).status = status
}

type WithGeneration = { metadata?: { generation?: number } }

/** generation 1 on create: the first spec a controller will observe. */
export function firstGeneration(obj: WithGeneration): void {
  obj.metadata = { ...obj.metadata, generation: 1 }
}

/** generation = old + 1 when `changed`, else old (clients may not set it). */
export function nextGeneration(obj: WithGeneration, old: WithGeneration, changed: boolean): void {
  const prev = old.metadata?.generation ?? 0
  obj.metadata = { ...obj.metadata, generation: changed ? prev + 1 : prev }
}

/**
 * @module
 * `spec.successPolicy` validation: only for Indexed Jobs; 1 to 20 rules, each naming
 * succeededIndexes (a parseable interval list below completions, at most 64 KiB) or
 * succeededCount (no more than completions, nor than the indexes the rule names), or both.
 */
// Upstream: pkg/apis/batch/validation/validation.go (validateJobSpec's successPolicy branch,
// validateSuccessPolicy, validateSuccessPolicyRule).
import type { JobSpec, SuccessPolicy, SuccessPolicyRule } from 'kubernetes-types/batch/v1.js'
import { invalidValue, path, required, tooLong, tooMany, type FieldError } from '../../api/field-errors.js'
import { invalidRendered, nonNegative } from '../apps/index.js'
import { goSuccessPolicy } from './go-values.js'
import { validateIndexesFormat } from './index-intervals.js'

const MAX_RULES = 20
const MAX_SUCCEEDED_INDEXES_BYTES = 64 * 1024

const isSet = <T>(v: T | undefined | null): v is T => v !== undefined && v !== null

function validateRule(rule: SuccessPolicyRule, completions: number | undefined, at: string): FieldError[] {
  const errs: FieldError[] = []
  const indexes = rule.succeededIndexes
  const count = rule.succeededCount
  if (!isSet(indexes) && !isSet(count)) errs.push(required(at, 'at least one of succeededCount or succeededIndexes must be specified'))
  // Upstream counts a list that does not parse as naming no index at all.
  let total = 0
  if (isSet(indexes)) {
    const ip = path(at, 'succeededIndexes')
    if (Buffer.byteLength(indexes) > MAX_SUCCEEDED_INDEXES_BYTES) errs.push(tooLong(ip, indexes, MAX_SUCCEEDED_INDEXES_BYTES))
    if (completions !== undefined) {
      const r = validateIndexesFormat(indexes, completions)
      total = r.total
      if (r.error !== undefined) errs.push(invalidValue(ip, indexes, `error parsing succeededIndexes: ${r.error}`))
    }
  }
  if (isSet(count)) {
    const cp = path(at, 'succeededCount')
    errs.push(...nonNegative(count, cp))
    if (completions !== undefined && count > completions) {
      errs.push(invalidValue(cp, count, `must be less than or equal to ${completions} (the number of specified completions)`))
    }
    if (isSet(indexes) && completions !== undefined && count > total) {
      errs.push(invalidValue(cp, count, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`))
    }
  }
  return errs
}

/**
 * Upstream's successPolicy rules; `at` is the policy's path (`spec.successPolicy`).
 * Deliberate difference: an Indexed Job without completions (already "Required") gets no
 * checks against completions here, where upstream dereferences nil and answers 500.
 */
export function validateSuccessPolicy(spec: JobSpec, policy: SuccessPolicy, at: string): FieldError[] {
  if (spec.completionMode !== 'Indexed') return [invalidRendered(at, goSuccessPolicy(policy), 'requires indexed completion mode')]
  const rules = policy.rules ?? []
  const rp = path(at, 'rules')
  const errs: FieldError[] = []
  if (rules.length === 0) errs.push(required(rp, 'at least one rules must be specified when the successPolicy is specified'))
  if (rules.length > MAX_RULES) errs.push(tooMany(rp, rules.length, MAX_RULES))
  const completions = isSet(spec.completions) ? spec.completions : undefined
  rules.forEach((rule, i) => errs.push(...validateRule(rule, completions, path(rp, i))))
  return errs
}

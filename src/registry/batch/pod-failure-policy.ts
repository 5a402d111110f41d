/**
 * @module
 * `spec.podFailurePolicy` validation: at most 20 rules, each with a known action and exactly one
 * of onExitCodes (an In/NotIn operator over sorted, unique exit codes, optionally for one named
 * container) or onPodConditions (qualified condition types with a True/False/Unknown status).
 * The Job controller trusts these shapes when it matches failed pods against the rules.
 */
// Upstream: pkg/apis/batch/validation/validation.go (validatePodFailurePolicy,
// validatePodFailurePolicyRule, validatePodFailurePolicyRuleOnExitCodes,
// validatePodFailurePolicyRuleOnPodConditions).
import type { JobSpec, PodFailurePolicyOnExitCodesRequirement, PodFailurePolicyOnPodConditionsPattern, PodFailurePolicyRule } from 'kubernetes-types/batch/v1.js'
import { duplicate, invalidValue, notSupported, path, required, tooMany, type FieldError } from '../../api/field-errors.js'
import { isQualifiedName } from '../../api/names.js'
import { invalidRendered } from '../apps/index.js'
import { goInt32s, invalidOmitted } from './go-values.js'

const MAX_RULES = 20
const MAX_EXIT_CODES = 255
const MAX_CONDITION_PATTERNS = 20

// Sorted, as upstream lists its sets.
const ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore']
const OPERATORS = ['In', 'NotIn']
const STATUSES = ['False', 'True', 'Unknown']

/** Go's `%q` of a string list: `["In" "NotIn"]`. */
const validValues = (xs: string[]) => `valid values: [${xs.map((x) => JSON.stringify(x)).join(' ')}]`

function validateOnExitCodes(req: PodFailurePolicyOnExitCodesRequirement, at: string, containers: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = []
  const op = req.operator ?? ''
  if (op === '') errs.push(required(path(at, 'operator'), validValues(OPERATORS)))
  else if (!OPERATORS.includes(op)) errs.push(notSupported(path(at, 'operator'), op, OPERATORS))
  const name = req.containerName
  if (name !== undefined && name !== null && !containers.has(name)) {
    errs.push(invalidValue(path(at, 'containerName'), name, 'must be one of the container or initContainer names in the pod template'))
  }
  const vp = path(at, 'values')
  const values = req.values ?? []
  if (values.length === 0) errs.push(invalidRendered(vp, goInt32s(req.values), 'at least one value is required'))
  else if (values.length > MAX_EXIT_CODES) errs.push(tooMany(vp, values.length, MAX_EXIT_CODES))
  const seen = new Set<number>()
  let ordered = true
  values.forEach((v, j) => {
    if (op === 'In' && v === 0) errs.push(invalidValue(path(vp, j), v, 'must not be 0 for the In operator'))
    if (seen.has(v)) errs.push(duplicate(path(vp, j), v))
    else seen.add(v)
    if (j > 0 && values[j - 1]! > v) ordered = false
  })
  if (!ordered) errs.push(invalidRendered(vp, goInt32s(values), 'must be ordered'))
  return errs
}

function validateOnPodConditions(patterns: PodFailurePolicyOnPodConditionsPattern[], at: string): FieldError[] {
  const errs: FieldError[] = []
  if (patterns.length > MAX_CONDITION_PATTERNS) errs.push(tooMany(at, patterns.length, MAX_CONDITION_PATTERNS))
  patterns.forEach((p, j) => {
    const type = p.type ?? ''
    for (const m of isQualifiedName(type)) errs.push(invalidValue(path(at, j, 'type'), type, m))
    const sp = path(at, j, 'status')
    const status = p.status ?? ''
    if (status === '') errs.push(required(sp, validValues(STATUSES)))
    else if (!STATUSES.includes(status)) errs.push(notSupported(sp, status, STATUSES))
  })
  return errs
}

function validateRule(spec: JobSpec, rule: PodFailurePolicyRule, at: string, containers: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = []
  const ap = path(at, 'action')
  const action = rule.action ?? ''
  if (action === '') errs.push(required(ap, validValues(ACTIONS)))
  else if (action === 'FailIndex') {
    // FailIndex marks one index failed; only per-index backoff has indexes to fail.
    if (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null) errs.push(invalidValue(ap, action, 'requires the backoffLimitPerIndex to be set'))
  } else if (!ACTIONS.includes(action)) errs.push(notSupported(ap, action, ACTIONS))
  const onExit = rule.onExitCodes ?? undefined
  const onConditions = rule.onPodConditions ?? []
  if (onExit) errs.push(...validateOnExitCodes(onExit, path(at, 'onExitCodes'), containers))
  if (onConditions.length > 0) errs.push(...validateOnPodConditions(onConditions, path(at, 'onPodConditions')))
  if (onExit && onConditions.length > 0) errs.push(invalidOmitted(at, 'specifying both OnExitCodes and OnPodConditions is not supported'))
  if (!onExit && onConditions.length === 0) errs.push(invalidOmitted(at, 'specifying one of OnExitCodes and OnPodConditions is required'))
  return errs
}

/** Upstream's validatePodFailurePolicy; `at` is the policy's path (`spec.podFailurePolicy`). */
export function validatePodFailurePolicy(spec: JobSpec, at: string): FieldError[] {
  const rules = spec.podFailurePolicy?.rules ?? []
  const rp = path(at, 'rules')
  const errs: FieldError[] = []
  if (rules.length > MAX_RULES) errs.push(tooMany(rp, rules.length, MAX_RULES))
  const podSpec = spec.template?.spec
  const containers = new Set([...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])].map((c) => c.name))
  rules.forEach((rule, i) => errs.push(...validateRule(spec, rule, path(rp, i), containers)))
  return errs
}

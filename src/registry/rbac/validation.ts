/**
 * @module
 * RBAC validation with upstream's messages: policy rules, aggregation rules, role references
 * and subjects, and the "cannot change roleRef" rule for bindings.
 */
// Upstream: pkg/apis/rbac/validation/validation.go.
import type { AggregationRule, PolicyRule, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js'
import { invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { validateLabelSelectorMeta } from '../../api/index.js'
import { semanticEqual } from '../../api/meta.js'
import { isDNS1123Subdomain } from '../../api/names.js'
import { isValidPathSegmentName } from './path-segment.js'

export const RBAC_GROUP = 'rbac.authorization.k8s.io'

/** One rule: verbs always; then either non-resource URLs (cluster roles only) or groups and resources. */
export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, at: string): FieldError[] {
  const errs: FieldError[] = []
  if (!rule.verbs?.length) errs.push(required(path(at, 'verbs'), 'verbs must contain at least one value'))
  if (rule.nonResourceURLs?.length) {
    if (namespaced) errs.push(invalidValue(path(at, 'nonResourceURLs'), rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'))
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errs.push(invalidValue(path(at, 'nonResourceURLs'), rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'))
    }
    return errs
  }
  if (!rule.apiGroups?.length) errs.push(required(path(at, 'apiGroups'), 'resource rules must supply at least one api group'))
  if (!rule.resources?.length) errs.push(required(path(at, 'resources'), 'resource rules must supply at least one resource'))
  return errs
}

/** Rules of a Role (namespaced) or ClusterRole. */
export function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  return (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, path('rules', i)))
}

/** A ClusterRole's aggregation rule needs at least one valid selector. */
export function validateAggregationRule(rule: AggregationRule | undefined): FieldError[] {
  if (!rule) return []
  const selectors = rule.clusterRoleSelectors ?? []
  if (selectors.length === 0) {
    return [required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil')]
  }
  return selectors.flatMap((s, i) => validateLabelSelectorMeta(s, path('aggregationRule', 'clusterRoleSelectors', i)))
}

/** roleRef: our group, a supported kind, a path-segment name. */
export function validateRoleRef(ref: RoleRef | undefined, kinds: string[]): FieldError[] {
  const errs: FieldError[] = []
  const r = ref ?? { apiGroup: '', kind: '', name: '' }
  if (r.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', r.apiGroup ?? '', [RBAC_GROUP]))
  if (!kinds.includes(r.kind)) errs.push(notSupported('roleRef.kind', r.kind ?? '', kinds))
  if (!r.name) errs.push(required('roleRef.name'))
  else for (const m of isValidPathSegmentName(r.name)) errs.push(invalidValue('roleRef.name', r.name, m))
  return errs
}

/** One subject. Cluster bindings must name a ServiceAccount's namespace. */
export function validateSubject(s: Subject, namespaced: boolean, at: string): FieldError[] {
  const errs: FieldError[] = []
  if (!s.name) errs.push(required(path(at, 'name')))
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) for (const m of isDNS1123Subdomain(s.name)) errs.push(invalidValue(path(at, 'name'), s.name, m))
      if (s.apiGroup) errs.push(notSupported(path(at, 'apiGroup'), s.apiGroup, ['']))
      if (!namespaced && !s.namespace) errs.push(required(path(at, 'namespace')))
      break
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(path(at, 'apiGroup'), s.apiGroup ?? '', [RBAC_GROUP]))
      break
    default:
      errs.push(notSupported(path(at, 'kind'), s.kind ?? '', ['ServiceAccount', 'User', 'Group']))
  }
  return errs
}

/** A binding's roleRef is fixed at creation: granting a different role means a new binding. */
export function validateRoleRefUnchanged(ref: RoleRef | undefined, old: RoleRef | undefined): FieldError[] {
  return semanticEqual(ref, old) ? [] : [invalidValue('roleRef', ref, 'cannot change roleRef')]
}

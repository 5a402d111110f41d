/**
 * @module
 * rbac.authorization.k8s.io/v1 Role and ClusterRole: rule validation, path-segment names,
 * and upstream's default table (Name, Created At).
 */
// Upstream: pkg/registry/rbac/role, clusterrole (strategy.go); pkg/apis/rbac/validation (ValidateRole,
// ValidateClusterRole); staging/.../apiserver/pkg/registry/rest/table.go (DefaultTableConvertor).
import type { ClusterRole, Role } from 'kubernetes-types/rbac/v1.js'
import type { KubeObject } from '../../api/meta.js'
import { nameColumn } from '../printers.js'
import type { Column, ResourceType } from '../types.js'
import { isValidPathSegmentName } from './path-segment.js'
import { validateAggregationRule, validateRules } from './validation.js'

type RoleObj = Role & KubeObject
type ClusterRoleObj = ClusterRole & KubeObject

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

/** RFC 3339 in UTC without fractions, as upstream's default table prints creation times. */
export function createdAt(timestamp: string | undefined): string | null {
  if (!timestamp) return null
  const t = Date.parse(timestamp)
  return Number.isNaN(t) ? null : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The Name + "Created At" pair kinds without their own printer get. */
export const defaultTableColumns: Column[] = [
  nameColumn,
  { name: 'Created At', type: 'date', description: 'The time the object was created, in UTC.', cell: (o) => createdAt(o.metadata?.creationTimestamp) },
]

export const roles = {
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', resource: 'roles', singular: 'role',
  namespaced: true, verbs: VERBS,
  schema: 'io.k8s.api.rbac.v1.Role',
  validateName: isValidPathSegmentName,
  validate: (obj) => validateRules(obj.rules, true),
  columns: defaultTableColumns,
} satisfies ResourceType<RoleObj>

export const clusterRoles = {
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', resource: 'clusterroles', singular: 'clusterrole',
  namespaced: false, verbs: VERBS,
  schema: 'io.k8s.api.rbac.v1.ClusterRole',
  validateName: isValidPathSegmentName,
  validate: (obj) => [...validateRules(obj.rules, false), ...validateAggregationRule(obj.aggregationRule)],
  columns: defaultTableColumns,
} satisfies ResourceType<ClusterRoleObj>

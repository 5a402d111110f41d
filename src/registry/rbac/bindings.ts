/**
 * @module
 * rbac.authorization.k8s.io/v1 RoleBinding and ClusterRoleBinding: apiGroup defaults for the
 * roleRef and User/Group subjects, subject checks, roleRef fixed after creation, and the
 * Name, Role, Age (+ wide Users, Groups, ServiceAccounts) columns.
 */
// Upstream: pkg/apis/rbac/v1/defaults.go; pkg/apis/rbac/validation (ValidateRoleBinding*,
// ValidateClusterRoleBinding*); pkg/apis/rbac/helpers.go (SubjectsStrings); printers.go (printRoleBinding).
import type { ClusterRoleBinding, RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js'
import type { KubeObject } from '../../api/meta.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { Column, ResourceType } from '../types.js'
import { isValidPathSegmentName } from './path-segment.js'
import { RBAC_GROUP, validateRoleRef, validateRoleRefUnchanged, validateSubject } from './validation.js'

type RoleBindingObj = RoleBinding & KubeObject
type ClusterRoleBindingObj = ClusterRoleBinding & KubeObject
type Binding = { roleRef?: RoleRef; subjects?: Subject[] }

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

/** Fills roleRef.apiGroup and the User/Group subjects' apiGroup (ServiceAccounts get ""). */
export function defaultBinding(b: Binding): void {
  if (b.roleRef && !b.roleRef.apiGroup) b.roleRef.apiGroup = RBAC_GROUP
  for (const s of b.subjects ?? []) {
    if (s.apiGroup) continue
    if (s.kind === 'ServiceAccount') s.apiGroup = ''
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP
  }
}

/** Subjects split the way the wide columns show them; service accounts as "namespace/name". */
export function subjectsStrings(subjects: Subject[] | undefined): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] }
  for (const s of subjects ?? []) {
    if (s.kind === 'User') out.users.push(s.name)
    else if (s.kind === 'Group') out.groups.push(s.name)
    else if (s.kind === 'ServiceAccount') out.serviceAccounts.push(`${s.namespace ?? ''}/${s.name}`)
  }
  return out
}

function bindingColumns(what: string): Column<Binding & KubeObject>[] {
  return [
    nameColumn,
    { name: 'Role', type: 'string', description: 'The role this binding grants.', cell: (o) => `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}` },
    ageColumn,
    { name: 'Users', type: 'string', priority: 1, description: `Users in the ${what}`, cell: (o) => subjectsStrings(o.subjects).users.join(', ') },
    { name: 'Groups', type: 'string', priority: 1, description: `Groups in the ${what}`, cell: (o) => subjectsStrings(o.subjects).groups.join(', ') },
    { name: 'ServiceAccounts', type: 'string', priority: 1, description: `ServiceAccounts in the ${what}`, cell: (o) => subjectsStrings(o.subjects).serviceAccounts.join(', ') },
  ]
}

export const roleBindings = {
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', resource: 'rolebindings', singular: 'rolebinding',
  namespaced: true, verbs: VERBS,
  schema: 'io.k8s.api.rbac.v1.RoleBinding',
  validateName: isValidPathSegmentName,
  defaults: defaultBinding,
  validate: (obj) => [
    ...validateRoleRef(obj.roleRef, ['Role', 'ClusterRole']),
    ...(obj.subjects ?? []).flatMap((s, i) => validateSubject(s, true, `subjects[${i}]`)),
  ],
  validateUpdate: (obj, old) => validateRoleRefUnchanged(obj.roleRef, old.roleRef),
  columns: bindingColumns('roleBinding'),
} satisfies ResourceType<RoleBindingObj>

export const clusterRoleBindings = {
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', singular: 'clusterrolebinding',
  namespaced: false, verbs: VERBS,
  schema: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  validateName: isValidPathSegmentName,
  defaults: defaultBinding,
  validate: (obj) => [
    ...validateRoleRef(obj.roleRef, ['ClusterRole']),
    ...(obj.subjects ?? []).flatMap((s, i) => validateSubject(s, false, `subjects[${i}]`)),
  ],
  validateUpdate: (obj, old) => validateRoleRefUnchanged(obj.roleRef, old.roleRef),
  columns: bindingColumns('clusterRoleBinding'),
} satisfies ResourceType<ClusterRoleBindingObj>

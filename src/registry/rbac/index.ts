// The rbac.authorization.k8s.io/v1 registry entries. Re-exports only.
import type { ResourceType } from '../types.js'
import { clusterRoleBindings, roleBindings } from './bindings.js'
import { clusterRoles, roles } from './roles.js'

export { roles, clusterRoles, roleBindings, clusterRoleBindings }
export { isValidPathSegmentName } from './path-segment.js'
export { subjectsStrings, defaultBinding } from './bindings.js'
export { RBAC_GROUP } from './validation.js'
/** Every rbac.authorization.k8s.io/v1 kind kubelite serves. */
export const rbacV1: ResourceType[] = [roles, roleBindings, clusterRoles, clusterRoleBindings]

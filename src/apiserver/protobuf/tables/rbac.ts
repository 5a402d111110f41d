/**
 * @module
 * Protobuf field tables for rbac/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding.
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/rbac/v1/types.go (struct tags `json` and `protobuf`).
export const rbacMessages: Messages = {
  Role: [[1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'rules', '[]PolicyRule']],
  ClusterRole: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'rules', '[]PolicyRule'],
    [3, 'aggregationRule,omitempty', '*AggregationRule'],
  ],
  RoleBinding: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'subjects,omitempty', '[]Subject'],
    [3, 'roleRef', 'RoleRef'],
  ],
  ClusterRoleBinding: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'subjects,omitempty', '[]Subject'],
    [3, 'roleRef', 'RoleRef'],
  ],
  PolicyRule: [
    [1, 'verbs', '[]string'], [2, 'apiGroups,omitempty', '[]string'],
    [3, 'resources,omitempty', '[]string'], [4, 'resourceNames,omitempty', '[]string'],
    [5, 'nonResourceURLs,omitempty', '[]string'],
  ],
  AggregationRule: [[1, 'clusterRoleSelectors,omitempty', '[]meta.LabelSelector']],
  Subject: [
    [1, 'kind', 'string'], [2, 'apiGroup,omitempty', 'string'], [3, 'name', 'string'],
    [4, 'namespace,omitempty', 'string'],
  ],
  RoleRef: [[1, 'apiGroup', 'string'], [2, 'kind', 'string'], [3, 'name', 'string']],
}

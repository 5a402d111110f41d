/**
 * @module
 * Objects a fresh cluster has in the networking, scheduling and RBAC groups: the two system
 * PriorityClasses, the default user-facing ClusterRoles (cluster-admin, admin, edit, view, and
 * the system:aggregate-to-* roles they aggregate) and the cluster-admin binding for
 * system:masters. The API server creates any that are missing at start.
 */
// Upstream: pkg/apis/scheduling/v1/helpers.go (SystemPriorityClasses);
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (ClusterRoles, ClusterRoleBindings).
// The rules here are a condensed form of upstream's, not a copy; descriptions are our own words.
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from 'kubernetes-types/rbac/v1.js'
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js'
import type { KubeObject } from '../api/meta.js'

const RBAC = 'rbac.authorization.k8s.io'
const READ = ['get', 'list', 'watch']
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update']
const ALL = [...READ, ...WRITE]

const meta = (name: string, labels: Record<string, string> = {}) => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
})
const rule = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({ apiGroups, resources, verbs })

// What "view" grants: reading workloads and their configuration, never secrets or RBAC.
const viewRules: PolicyRule[] = [
  rule([''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'pods/log',
    'pods/status', 'replicationcontrollers', 'replicationcontrollers/scale', 'replicationcontrollers/status',
    'serviceaccounts', 'services', 'services/status', 'bindings', 'events', 'limitranges', 'resourcequotas',
    'resourcequotas/status', 'namespaces', 'namespaces/status'], READ),
  rule(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale',
    'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets',
    'statefulsets/scale', 'statefulsets/status'], READ),
  rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
  rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
  rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
  rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
  rule(['discovery.k8s.io'], ['endpointslices'], READ),
]
// What "edit" adds: changing workloads, reading secrets, exec and port-forward, acting as service accounts.
const editRules: PolicyRule[] = [
  rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], READ),
  rule([''], ['serviceaccounts'], ['impersonate']),
  rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'configmaps', 'events',
    'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts',
    'services', 'services/proxy'], WRITE),
  rule([''], ['pods/eviction', 'serviceaccounts/token'], ['create']),
  rule(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets',
    'replicasets/scale', 'statefulsets', 'statefulsets/scale'], WRITE),
  rule(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
  rule(['batch'], ['cronjobs', 'jobs'], WRITE),
  rule(['policy'], ['poddisruptionbudgets'], WRITE),
  rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], WRITE),
]
// What "admin" adds: managing access within a namespace.
const adminRules: PolicyRule[] = [
  rule([RBAC], ['rolebindings', 'roles'], ALL),
  rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
]

function clusterRole(name: string, rules: PolicyRule[], labels?: Record<string, string>, aggregateFrom?: string): ClusterRole {
  return {
    apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: meta(name, labels), rules,
    // The aggregation controller recomputes these rules from the labelled roles; they start filled in.
    ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`${RBAC}/${aggregateFrom}`]: 'true' } }] } } : {}),
  }
}

function priorityClass(name: string, value: number, description: string): PriorityClass {
  return { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, description, preemptionPolicy: 'PreemptLowerPriority' }
}

/** Fresh copies of every bootstrap object, each with apiVersion and kind. */
export function bootstrapObjects(): KubeObject[] {
  const binding: ClusterRoleBinding = {
    apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: meta('cluster-admin'),
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'system:masters' }],
  }
  const objects = [
    priorityClass('system-node-critical', 2_000_001_000, 'For system pods that must keep running on the node they were placed on.'),
    priorityClass('system-cluster-critical', 2_000_000_000, 'For system pods the cluster cannot do without; they may still be moved to another node.'),
    clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]),
    clusterRole('admin', [...viewRules, ...editRules, ...adminRules], {}, 'aggregate-to-admin'),
    clusterRole('edit', [...viewRules, ...editRules], { [`${RBAC}/aggregate-to-admin`]: 'true' }, 'aggregate-to-edit'),
    clusterRole('view', viewRules, { [`${RBAC}/aggregate-to-edit`]: 'true' }, 'aggregate-to-view'),
    clusterRole('system:aggregate-to-admin', adminRules, { [`${RBAC}/aggregate-to-admin`]: 'true' }),
    clusterRole('system:aggregate-to-edit', editRules, { [`${RBAC}/aggregate-to-edit`]: 'true' }),
    clusterRole('system:aggregate-to-view', viewRules, { [`${RBAC}/aggregate-to-view`]: 'true' }),
    binding,
    ...ingressClasses(),
  ]
  return structuredClone(objects) as unknown as KubeObject[]
}

/** The controllers of kubelite's ingress classes (the agent serves both). */
export const INGRESS_CONTROLLERS = { nginx: 'k8s.io/ingress-nginx', kubelite: 'kubelite.io/ingress-controller' } as const

/**
 * IngressClasses `nginx` (so manifests written for ingress-nginx work unchanged) and
 * `kubelite`, the default class for Ingresses that name none.
 */
export function ingressClasses(): KubeObject[] {
  const cls = (name: string, controller: string, isDefault: boolean) => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
    metadata: {
      name, labels: { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/part-of': 'kubelite' },
      ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    spec: { controller },
  })
  return [cls('kubelite', INGRESS_CONTROLLERS.kubelite, true), cls('nginx', INGRESS_CONTROLLERS.nginx, false)] as KubeObject[]
}

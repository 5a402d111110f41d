/**
 * @module
 * The built-in kinds and the resources serving them, as the client maps kinds to paths (what
 * client-go's RESTMapper answers from discovery). A plain table, so that a process using only the
 * client (a node agent) does not load the registry; a unit test keeps it equal to the registry.
 */

/** [apiVersion, kind, resource, namespaced] */
export const BUILTIN_KINDS: ReadonlyArray<readonly [string, string, string, boolean]> = [
  ['apps/v1', 'ControllerRevision', 'controllerrevisions', true],
  ['apps/v1', 'DaemonSet', 'daemonsets', true],
  ['apps/v1', 'Deployment', 'deployments', true],
  ['apps/v1', 'ReplicaSet', 'replicasets', true],
  ['apps/v1', 'StatefulSet', 'statefulsets', true],
  ['autoscaling/v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true],
  ['batch/v1', 'CronJob', 'cronjobs', true],
  ['batch/v1', 'Job', 'jobs', true],
  ['coordination.k8s.io/v1', 'Lease', 'leases', true],
  ['discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices', true],
  ['events.k8s.io/v1', 'Event', 'events', true],
  ['networking.k8s.io/v1', 'Ingress', 'ingresses', true],
  ['networking.k8s.io/v1', 'IngressClass', 'ingressclasses', false],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true],
  ['policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebindings', false],
  ['rbac.authorization.k8s.io/v1', 'Role', 'roles', true],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings', true],
  ['scheduling.k8s.io/v1', 'PriorityClass', 'priorityclasses', false],
  ['storage.k8s.io/v1', 'StorageClass', 'storageclasses', false],
  ['v1', 'Binding', 'bindings', true],
  ['v1', 'ConfigMap', 'configmaps', true],
  ['v1', 'Endpoints', 'endpoints', true],
  ['v1', 'Event', 'events', true],
  ['v1', 'LimitRange', 'limitranges', true],
  ['v1', 'Namespace', 'namespaces', false],
  ['v1', 'Node', 'nodes', false],
  ['v1', 'PersistentVolume', 'persistentvolumes', false],
  ['v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true],
  ['v1', 'Pod', 'pods', true],
  ['v1', 'PodTemplate', 'podtemplates', true],
  ['v1', 'ReplicationController', 'replicationcontrollers', true],
  ['v1', 'ResourceQuota', 'resourcequotas', true],
  ['v1', 'Secret', 'secrets', true],
  ['v1', 'Service', 'services', true],
  ['v1', 'ServiceAccount', 'serviceaccounts', true],
]

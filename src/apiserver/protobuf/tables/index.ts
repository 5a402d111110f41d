/**
 * @module
 * All message tables by package, plus which message each apiVersion/kind travels as.
 */
import type { Messages } from '../types.js'
import { appsMessages } from './apps.js'
import { authenticationMessages } from './authentication.js'
import { authorizationMessages } from './authorization.js'
import { autoscalingMessages } from './autoscaling.js'
import { batchMessages } from './batch.js'
import { certificatesMessages } from './certificates.js'
import { coreContainer } from './core-container.js'
import { coreObjects } from './core-objects.js'
import { corePod } from './core-pod.js'
import { coreVolumes } from './core-volumes.js'
import { metaMessages } from './meta.js'
import { networkingMessages } from './networking.js'
import { policyMessages } from './policy.js'
import { rbacMessages } from './rbac.js'
import { schedulingMessages } from './scheduling.js'

/** Tables by package name, the prefix used in qualified type names. */
export const packages: Readonly<Record<string, Messages>> = {
  meta: metaMessages,
  core: { ...coreObjects, ...corePod, ...coreContainer, ...coreVolumes },
  apps: appsMessages,
  batch: batchMessages,
  networking: networkingMessages,
  rbac: rbacMessages,
  policy: policyMessages,
  scheduling: schedulingMessages,
  autoscaling: autoscalingMessages,
  authentication: authenticationMessages,
  authorization: authorizationMessages,
  certificates: certificatesMessages,
}

/** `apiVersion` → table package: the group/version each package's tables describe. */
const packageOf: Readonly<Record<string, string>> = {
  'v1': 'core',
  'apps/v1': 'apps',
  'batch/v1': 'batch',
  'networking.k8s.io/v1': 'networking',
  'rbac.authorization.k8s.io/v1': 'rbac',
  'policy/v1': 'policy',
  'scheduling.k8s.io/v1': 'scheduling',
  'autoscaling/v1': 'autoscaling',
  'authentication.k8s.io/v1': 'authentication',
  'authorization.k8s.io/v1': 'authorization',
  'certificates.k8s.io/v1': 'certificates',
}

// Only top-level kinds may be decoded from a request body, not their parts (a body that
// claims kind PodSpec is no object). These are what kubectl 1.32 sends as Protobuf.
const kinds: Readonly<Record<string, readonly string[]>> = {
  core: ['ConfigMap', 'Secret', 'Namespace', 'Service', 'ServiceAccount', 'ResourceQuota'],
  apps: ['Deployment'],
  batch: ['Job', 'CronJob'],
  networking: ['Ingress'],
  rbac: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  policy: ['PodDisruptionBudget'],
  scheduling: ['PriorityClass'],
  autoscaling: ['HorizontalPodAutoscaler'],
  authentication: ['TokenRequest', 'SelfSubjectReview'],
  authorization: ['SelfSubjectAccessReview'],
  certificates: ['CertificateSigningRequest'],
}

/** The qualified message name for an object's apiVersion and kind, if it has a table. */
export function messageFor(apiVersion: string, kind: string): string | undefined {
  const pkg = packageOf[apiVersion]
  return pkg !== undefined && kinds[pkg]?.includes(kind) ? `${pkg}.${kind}` : undefined
}

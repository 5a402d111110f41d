/**
 * @module
 * Protobuf field tables for apps/v1 Deployment.
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/apps/v1/types.go (struct tags `json` and `protobuf`).
export const appsMessages: Messages = {
  Deployment: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec,omitempty', 'DeploymentSpec'],
    [3, 'status,omitempty', 'DeploymentStatus'],
  ],
  DeploymentSpec: [
    [1, 'replicas,omitempty', '*int32'], [2, 'selector', '*meta.LabelSelector'],
    [3, 'template', 'core.PodTemplateSpec'], [4, 'strategy,omitempty', 'DeploymentStrategy'],
    [5, 'minReadySeconds,omitempty', 'int32'], [6, 'revisionHistoryLimit,omitempty', '*int32'],
    [7, 'paused,omitempty', 'bool'], [9, 'progressDeadlineSeconds,omitempty', '*int32'],
  ],
  DeploymentStatus: [
    [1, 'observedGeneration,omitempty', 'int64'], [2, 'replicas,omitempty', 'int32'],
    [3, 'updatedReplicas,omitempty', 'int32'], [7, 'readyReplicas,omitempty', 'int32'],
    [4, 'availableReplicas,omitempty', 'int32'], [5, 'unavailableReplicas,omitempty', 'int32'],
    [6, 'conditions,omitempty', '[]DeploymentCondition'], [8, 'collisionCount,omitempty', '*int32'],
  ],
  DeploymentStrategy: [
    [1, 'type,omitempty', 'string'], [2, 'rollingUpdate,omitempty', '*RollingUpdateDeployment'],
  ],
  DeploymentCondition: [
    [1, 'type', 'string'], [2, 'status', 'string'], [6, 'lastUpdateTime,omitempty', 'meta.Time'],
    [7, 'lastTransitionTime,omitempty', 'meta.Time'], [4, 'reason,omitempty', 'string'],
    [5, 'message,omitempty', 'string'],
  ],
  RollingUpdateDeployment: [
    [1, 'maxUnavailable,omitempty', '*intstr.IntOrString'],
    [2, 'maxSurge,omitempty', '*intstr.IntOrString'],
  ],
}

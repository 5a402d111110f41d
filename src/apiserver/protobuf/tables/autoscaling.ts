/**
 * @module
 * Protobuf field tables for autoscaling/v1 HorizontalPodAutoscaler (kubectl autoscale).
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/autoscaling/v1/types.go (struct tags `json` and `protobuf`).
export const autoscalingMessages: Messages = {
  HorizontalPodAutoscaler: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec,omitempty', 'HorizontalPodAutoscalerSpec'],
    [3, 'status,omitempty', 'HorizontalPodAutoscalerStatus'],
  ],
  HorizontalPodAutoscalerSpec: [
    [1, 'scaleTargetRef', 'CrossVersionObjectReference'], [2, 'minReplicas,omitempty', '*int32'],
    [3, 'maxReplicas', 'int32'], [4, 'targetCPUUtilizationPercentage,omitempty', '*int32'],
  ],
  HorizontalPodAutoscalerStatus: [
    [1, 'observedGeneration,omitempty', '*int64'], [2, 'lastScaleTime,omitempty', '*meta.Time'],
    [3, 'currentReplicas', 'int32'], [4, 'desiredReplicas', 'int32'],
    [5, 'currentCPUUtilizationPercentage,omitempty', '*int32'],
  ],
  CrossVersionObjectReference: [
    [1, 'kind', 'string'], [2, 'name', 'string'], [3, 'apiVersion,omitempty', 'string'],
  ],
}

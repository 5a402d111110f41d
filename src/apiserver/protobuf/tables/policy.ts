/**
 * @module
 * Protobuf field tables for policy/v1 PodDisruptionBudget.
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/policy/v1/types.go (struct tags `json` and `protobuf`).
export const policyMessages: Messages = {
  PodDisruptionBudget: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec,omitempty', 'PodDisruptionBudgetSpec'],
    [3, 'status,omitempty', 'PodDisruptionBudgetStatus'],
  ],
  PodDisruptionBudgetSpec: [
    [1, 'minAvailable,omitempty', '*intstr.IntOrString'], [2, 'selector,omitempty', '*meta.LabelSelector'],
    [3, 'maxUnavailable,omitempty', '*intstr.IntOrString'],
    [4, 'unhealthyPodEvictionPolicy,omitempty', '*string'],
  ],
  PodDisruptionBudgetStatus: [
    [1, 'observedGeneration,omitempty', 'int64'], [2, 'disruptedPods,omitempty', 'map[string]meta.Time'],
    [3, 'disruptionsAllowed', 'int32'], [4, 'currentHealthy', 'int32'], [5, 'desiredHealthy', 'int32'],
    [6, 'expectedPods', 'int32'], [7, 'conditions,omitempty', '[]meta.Condition'],
  ],
}

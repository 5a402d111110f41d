/**
 * @module
 * Protobuf field tables for scheduling/v1 PriorityClass.
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/scheduling/v1/types.go (struct tags `json` and `protobuf`).
export const schedulingMessages: Messages = {
  PriorityClass: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'value', 'int32'],
    [3, 'globalDefault,omitempty', 'bool'], [4, 'description,omitempty', 'string'],
    [5, 'preemptionPolicy,omitempty', '*string'],
  ],
}

/**
 * @module
 * Protobuf field tables for authorization/v1 SelfSubjectAccessReview (kubectl auth can-i).
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/authorization/v1/types.go (struct tags `json` and `protobuf`).
export const authorizationMessages: Messages = {
  SelfSubjectAccessReview: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec', 'SelfSubjectAccessReviewSpec'],
    [3, 'status,omitempty', 'SubjectAccessReviewStatus'],
  ],
  SelfSubjectAccessReviewSpec: [
    [1, 'resourceAttributes,omitempty', '*ResourceAttributes'],
    [2, 'nonResourceAttributes,omitempty', '*NonResourceAttributes'],
  ],
  SubjectAccessReviewStatus: [
    [1, 'allowed', 'bool'], [4, 'denied,omitempty', 'bool'], [2, 'reason,omitempty', 'string'],
    [3, 'evaluationError,omitempty', 'string'],
  ],
  ResourceAttributes: [
    [1, 'namespace,omitempty', 'string'], [2, 'verb,omitempty', 'string'], [3, 'group,omitempty', 'string'],
    [4, 'version,omitempty', 'string'], [5, 'resource,omitempty', 'string'],
    [6, 'subresource,omitempty', 'string'], [7, 'name,omitempty', 'string'],
    [8, 'fieldSelector,omitempty', '*FieldSelectorAttributes'],
    [9, 'labelSelector,omitempty', '*LabelSelectorAttributes'],
  ],
  NonResourceAttributes: [[1, 'path,omitempty', 'string'], [2, 'verb,omitempty', 'string']],
  FieldSelectorAttributes: [
    [1, 'rawSelector,omitempty', 'string'],
    [2, 'requirements,omitempty', '[]meta.FieldSelectorRequirement'],
  ],
  LabelSelectorAttributes: [
    [1, 'rawSelector,omitempty', 'string'],
    [2, 'requirements,omitempty', '[]meta.LabelSelectorRequirement'],
  ],
}

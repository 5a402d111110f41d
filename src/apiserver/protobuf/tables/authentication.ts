/**
 * @module
 * Protobuf field tables for authentication/v1 TokenRequest (kubectl create token) and SelfSubjectReview (kubectl auth whoami).
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/authentication/v1/types.go (struct tags `json` and `protobuf`).
export const authenticationMessages: Messages = {
  TokenRequest: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec', 'TokenRequestSpec'],
    [3, 'status,omitempty', 'TokenRequestStatus'],
  ],
  SelfSubjectReview: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'status,omitempty', 'SelfSubjectReviewStatus'],
  ],
  TokenRequestSpec: [
    [1, 'audiences', '[]string'], [4, 'expirationSeconds', '*int64'],
    [3, 'boundObjectRef', '*BoundObjectReference'],
  ],
  TokenRequestStatus: [[1, 'token', 'string'], [2, 'expirationTimestamp', 'meta.Time']],
  SelfSubjectReviewStatus: [[1, 'userInfo,omitempty', 'UserInfo']],
  BoundObjectReference: [
    [1, 'kind,omitempty', 'string'], [2, 'apiVersion,omitempty', 'string'], [3, 'name,omitempty', 'string'],
    [4, 'uid,omitempty', 'string'],
  ],
  UserInfo: [
    [1, 'username,omitempty', 'string'], [2, 'uid,omitempty', 'string'],
    [3, 'groups,omitempty', '[]string'], [4, 'extra,omitempty', 'map[string][]string'],
  ],
}

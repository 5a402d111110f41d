/**
 * @module
 * Protobuf field tables for certificates/v1 CertificateSigningRequest (kubectl certificate approve|deny).
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/certificates/v1/types.go (struct tags `json` and `protobuf`).
export const certificatesMessages: Messages = {
  CertificateSigningRequest: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec', 'CertificateSigningRequestSpec'],
    [3, 'status,omitempty', 'CertificateSigningRequestStatus'],
  ],
  CertificateSigningRequestSpec: [
    [1, 'request', 'bytes'], [7, 'signerName', 'string'], [8, 'expirationSeconds,omitempty', '*int32'],
    [5, 'usages,omitempty', '[]string'], [2, 'username,omitempty', 'string'],
    [3, 'uid,omitempty', 'string'], [4, 'groups,omitempty', '[]string'],
    [6, 'extra,omitempty', 'map[string][]string'],
  ],
  CertificateSigningRequestStatus: [
    [1, 'conditions,omitempty', '[]CertificateSigningRequestCondition'],
    [2, 'certificate,omitempty', 'bytes'],
  ],
  CertificateSigningRequestCondition: [
    [1, 'type', 'string'], [6, 'status', 'string'], [2, 'reason,omitempty', 'string'],
    [3, 'message,omitempty', 'string'], [4, 'lastUpdateTime,omitempty', 'meta.Time'],
    [5, 'lastTransitionTime,omitempty', 'meta.Time'],
  ],
}

/**
 * @module
 * Protobuf field tables for networking/v1 Ingress.
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/networking/v1/types.go (struct tags `json` and `protobuf`).
export const networkingMessages: Messages = {
  Ingress: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec,omitempty', 'IngressSpec'],
    [3, 'status,omitempty', 'IngressStatus'],
  ],
  IngressSpec: [
    [4, 'ingressClassName,omitempty', '*string'], [1, 'defaultBackend,omitempty', '*IngressBackend'],
    [2, 'tls,omitempty', '[]IngressTLS'], [3, 'rules,omitempty', '[]IngressRule'],
  ],
  IngressStatus: [[1, 'loadBalancer,omitempty', 'IngressLoadBalancerStatus']],
  IngressBackend: [
    [4, 'service,omitempty', '*IngressServiceBackend'],
    [3, 'resource,omitempty', '*core.TypedLocalObjectReference'],
  ],
  IngressTLS: [[1, 'hosts,omitempty', '[]string'], [2, 'secretName,omitempty', 'string']],
  IngressRule: [[1, 'host,omitempty', 'string'], [2, ',inline', 'IngressRuleValue']],
  IngressLoadBalancerStatus: [[1, 'ingress,omitempty', '[]IngressLoadBalancerIngress']],
  IngressServiceBackend: [[1, 'name', 'string'], [2, 'port,omitempty', 'ServiceBackendPort']],
  IngressRuleValue: [[1, 'http,omitempty', '*HTTPIngressRuleValue']],
  IngressLoadBalancerIngress: [
    [1, 'ip,omitempty', 'string'], [2, 'hostname,omitempty', 'string'],
    [4, 'ports,omitempty', '[]IngressPortStatus'],
  ],
  ServiceBackendPort: [[1, 'name,omitempty', 'string'], [2, 'number,omitempty', 'int32']],
  HTTPIngressRuleValue: [[1, 'paths', '[]HTTPIngressPath']],
  IngressPortStatus: [[1, 'port', 'int32'], [2, 'protocol', 'string'], [3, 'error,omitempty', '*string']],
  HTTPIngressPath: [
    [1, 'path,omitempty', 'string'], [3, 'pathType', '*string'], [2, 'backend', 'IngressBackend'],
  ],
}

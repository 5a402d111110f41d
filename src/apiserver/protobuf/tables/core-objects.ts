/**
 * @module
 * Protobuf field tables for core/v1 top-level objects sent by kubectl generators: ConfigMap, Secret, Namespace, Service, ServiceAccount, ResourceQuota, and their parts.
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/core/v1/types.go (struct tags `json` and `protobuf`).
export const coreObjects: Messages = {
  ConfigMap: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [4, 'immutable,omitempty', '*bool'],
    [2, 'data,omitempty', 'map[string]string'], [3, 'binaryData,omitempty', 'map[string]bytes'],
  ],
  Secret: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [5, 'immutable,omitempty', '*bool'],
    [2, 'data,omitempty', 'map[string]bytes'], [4, 'stringData,omitempty', 'map[string]string'],
    [3, 'type,omitempty', 'string'],
  ],
  Namespace: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec,omitempty', 'NamespaceSpec'],
    [3, 'status,omitempty', 'NamespaceStatus'],
  ],
  Service: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec,omitempty', 'ServiceSpec'],
    [3, 'status,omitempty', 'ServiceStatus'],
  ],
  ServiceAccount: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'secrets,omitempty', '[]ObjectReference'],
    [3, 'imagePullSecrets,omitempty', '[]LocalObjectReference'],
    [4, 'automountServiceAccountToken,omitempty', '*bool'],
  ],
  ResourceQuota: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec,omitempty', 'ResourceQuotaSpec'],
    [3, 'status,omitempty', 'ResourceQuotaStatus'],
  ],
  NamespaceSpec: [[1, 'finalizers,omitempty', '[]string']],
  NamespaceStatus: [[1, 'phase,omitempty', 'string'], [2, 'conditions,omitempty', '[]NamespaceCondition']],
  ServiceSpec: [
    [1, 'ports,omitempty', '[]ServicePort'], [2, 'selector,omitempty', 'map[string]string'],
    [3, 'clusterIP,omitempty', 'string'], [18, 'clusterIPs,omitempty', '[]string'],
    [4, 'type,omitempty', 'string'], [5, 'externalIPs,omitempty', '[]string'],
    [7, 'sessionAffinity,omitempty', 'string'], [8, 'loadBalancerIP,omitempty', 'string'],
    [9, 'loadBalancerSourceRanges,omitempty', '[]string'], [10, 'externalName,omitempty', 'string'],
    [11, 'externalTrafficPolicy,omitempty', 'string'], [12, 'healthCheckNodePort,omitempty', 'int32'],
    [13, 'publishNotReadyAddresses,omitempty', 'bool'],
    [14, 'sessionAffinityConfig,omitempty', '*SessionAffinityConfig'],
    [19, 'ipFamilies,omitempty', '[]string'], [17, 'ipFamilyPolicy,omitempty', '*string'],
    [20, 'allocateLoadBalancerNodePorts,omitempty', '*bool'],
    [21, 'loadBalancerClass,omitempty', '*string'], [22, 'internalTrafficPolicy,omitempty', '*string'],
    [23, 'trafficDistribution,omitempty', '*string'],
  ],
  ServiceStatus: [
    [1, 'loadBalancer,omitempty', 'LoadBalancerStatus'], [2, 'conditions,omitempty', '[]meta.Condition'],
  ],
  ObjectReference: [
    [1, 'kind,omitempty', 'string'], [2, 'namespace,omitempty', 'string'], [3, 'name,omitempty', 'string'],
    [4, 'uid,omitempty', 'string'], [5, 'apiVersion,omitempty', 'string'],
    [6, 'resourceVersion,omitempty', 'string'], [7, 'fieldPath,omitempty', 'string'],
  ],
  ResourceQuotaSpec: [
    [1, 'hard,omitempty', 'map[string]resource.Quantity'], [2, 'scopes,omitempty', '[]string'],
    [3, 'scopeSelector,omitempty', '*ScopeSelector'],
  ],
  ResourceQuotaStatus: [
    [1, 'hard,omitempty', 'map[string]resource.Quantity'],
    [2, 'used,omitempty', 'map[string]resource.Quantity'],
  ],
  NamespaceCondition: [
    [1, 'type', 'string'], [2, 'status', 'string'], [4, 'lastTransitionTime,omitempty', 'meta.Time'],
    [5, 'reason,omitempty', 'string'], [6, 'message,omitempty', 'string'],
  ],
  ServicePort: [
    [1, 'name,omitempty', 'string'], [2, 'protocol,omitempty', 'string'],
    [6, 'appProtocol,omitempty', '*string'], [3, 'port', 'int32'],
    [4, 'targetPort,omitempty', 'intstr.IntOrString'], [5, 'nodePort,omitempty', 'int32'],
  ],
  SessionAffinityConfig: [[1, 'clientIP,omitempty', '*ClientIPConfig']],
  LoadBalancerStatus: [[1, 'ingress,omitempty', '[]LoadBalancerIngress']],
  ScopeSelector: [[1, 'matchExpressions,omitempty', '[]ScopedResourceSelectorRequirement']],
  ClientIPConfig: [[1, 'timeoutSeconds,omitempty', '*int32']],
  LoadBalancerIngress: [
    [1, 'ip,omitempty', 'string'], [2, 'hostname,omitempty', 'string'], [3, 'ipMode,omitempty', '*string'],
    [4, 'ports,omitempty', '[]PortStatus'],
  ],
  ScopedResourceSelectorRequirement: [
    [1, 'scopeName', 'string'], [2, 'operator', 'string'], [3, 'values,omitempty', '[]string'],
  ],
  PortStatus: [[1, 'port', 'int32'], [2, 'protocol', 'string'], [3, 'error,omitempty', '*string']],
}

/**
 * @module
 * Protobuf field tables for core/v1 pod template and pod spec: scheduling, security context, affinity, tolerations, DNS.
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/core/v1/types.go (struct tags `json` and `protobuf`).
export const corePod: Messages = {
  LocalObjectReference: [[1, 'name,omitempty', 'string']],
  PodTemplateSpec: [[1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec,omitempty', 'PodSpec']],
  PodSpec: [
    [1, 'volumes,omitempty', '[]Volume'], [20, 'initContainers,omitempty', '[]Container'],
    [2, 'containers', '[]Container'], [34, 'ephemeralContainers,omitempty', '[]EphemeralContainer'],
    [3, 'restartPolicy,omitempty', 'string'], [4, 'terminationGracePeriodSeconds,omitempty', '*int64'],
    [5, 'activeDeadlineSeconds,omitempty', '*int64'], [6, 'dnsPolicy,omitempty', 'string'],
    [7, 'nodeSelector,omitempty', 'map[string]string'], [8, 'serviceAccountName,omitempty', 'string'],
    [9, 'serviceAccount,omitempty', 'string'], [21, 'automountServiceAccountToken,omitempty', '*bool'],
    [10, 'nodeName,omitempty', 'string'], [11, 'hostNetwork,omitempty', 'bool'],
    [12, 'hostPID,omitempty', 'bool'], [13, 'hostIPC,omitempty', 'bool'],
    [27, 'shareProcessNamespace,omitempty', '*bool'],
    [14, 'securityContext,omitempty', '*PodSecurityContext'],
    [15, 'imagePullSecrets,omitempty', '[]LocalObjectReference'], [16, 'hostname,omitempty', 'string'],
    [17, 'subdomain,omitempty', 'string'], [18, 'affinity,omitempty', '*Affinity'],
    [19, 'schedulerName,omitempty', 'string'], [22, 'tolerations,omitempty', '[]Toleration'],
    [23, 'hostAliases,omitempty', '[]HostAlias'], [24, 'priorityClassName,omitempty', 'string'],
    [25, 'priority,omitempty', '*int32'], [26, 'dnsConfig,omitempty', '*PodDNSConfig'],
    [28, 'readinessGates,omitempty', '[]PodReadinessGate'], [29, 'runtimeClassName,omitempty', '*string'],
    [30, 'enableServiceLinks,omitempty', '*bool'], [31, 'preemptionPolicy,omitempty', '*string'],
    [32, 'overhead,omitempty', 'map[string]resource.Quantity'],
    [33, 'topologySpreadConstraints,omitempty', '[]TopologySpreadConstraint'],
    [35, 'setHostnameAsFQDN,omitempty', '*bool'], [36, 'os,omitempty', '*PodOS'],
    [37, 'hostUsers,omitempty', '*bool'], [38, 'schedulingGates,omitempty', '[]PodSchedulingGate'],
    [39, 'resourceClaims,omitempty', '[]PodResourceClaim'],
    [40, 'resources,omitempty', '*ResourceRequirements'],
  ],
  PodSecurityContext: [
    [1, 'seLinuxOptions,omitempty', '*SELinuxOptions'],
    [8, 'windowsOptions,omitempty', '*WindowsSecurityContextOptions'], [2, 'runAsUser,omitempty', '*int64'],
    [6, 'runAsGroup,omitempty', '*int64'], [3, 'runAsNonRoot,omitempty', '*bool'],
    [4, 'supplementalGroups,omitempty', '[]int64'], [12, 'supplementalGroupsPolicy,omitempty', '*string'],
    [5, 'fsGroup,omitempty', '*int64'], [7, 'sysctls,omitempty', '[]Sysctl'],
    [9, 'fsGroupChangePolicy,omitempty', '*string'], [10, 'seccompProfile,omitempty', '*SeccompProfile'],
    [11, 'appArmorProfile,omitempty', '*AppArmorProfile'], [13, 'seLinuxChangePolicy,omitempty', '*string'],
  ],
  Affinity: [
    [1, 'nodeAffinity,omitempty', '*NodeAffinity'], [2, 'podAffinity,omitempty', '*PodAffinity'],
    [3, 'podAntiAffinity,omitempty', '*PodAntiAffinity'],
  ],
  Toleration: [
    [1, 'key,omitempty', 'string'], [2, 'operator,omitempty', 'string'], [3, 'value,omitempty', 'string'],
    [4, 'effect,omitempty', 'string'], [5, 'tolerationSeconds,omitempty', '*int64'],
  ],
  HostAlias: [[1, 'ip', 'string'], [2, 'hostnames,omitempty', '[]string']],
  PodDNSConfig: [
    [1, 'nameservers,omitempty', '[]string'], [2, 'searches,omitempty', '[]string'],
    [3, 'options,omitempty', '[]PodDNSConfigOption'],
  ],
  PodReadinessGate: [[1, 'conditionType', 'string']],
  TopologySpreadConstraint: [
    [1, 'maxSkew', 'int32'], [2, 'topologyKey', 'string'], [3, 'whenUnsatisfiable', 'string'],
    [4, 'labelSelector,omitempty', '*meta.LabelSelector'], [5, 'minDomains,omitempty', '*int32'],
    [6, 'nodeAffinityPolicy,omitempty', '*string'], [7, 'nodeTaintsPolicy,omitempty', '*string'],
    [8, 'matchLabelKeys,omitempty', '[]string'],
  ],
  PodOS: [[1, 'name', 'string']],
  PodSchedulingGate: [[1, 'name', 'string']],
  PodResourceClaim: [
    [1, 'name', 'string'], [3, 'resourceClaimName,omitempty', '*string'],
    [4, 'resourceClaimTemplateName,omitempty', '*string'],
  ],
  SELinuxOptions: [
    [1, 'user,omitempty', 'string'], [2, 'role,omitempty', 'string'], [3, 'type,omitempty', 'string'],
    [4, 'level,omitempty', 'string'],
  ],
  WindowsSecurityContextOptions: [
    [1, 'gmsaCredentialSpecName,omitempty', '*string'], [2, 'gmsaCredentialSpec,omitempty', '*string'],
    [3, 'runAsUserName,omitempty', '*string'], [4, 'hostProcess,omitempty', '*bool'],
  ],
  Sysctl: [[1, 'name', 'string'], [2, 'value', 'string']],
  SeccompProfile: [[1, 'type', 'string'], [2, 'localhostProfile,omitempty', '*string']],
  AppArmorProfile: [[1, 'type', 'string'], [2, 'localhostProfile,omitempty', '*string']],
  NodeAffinity: [
    [1, 'requiredDuringSchedulingIgnoredDuringExecution,omitempty', '*NodeSelector'],
    [2, 'preferredDuringSchedulingIgnoredDuringExecution,omitempty', '[]PreferredSchedulingTerm'],
  ],
  PodAffinity: [
    [1, 'requiredDuringSchedulingIgnoredDuringExecution,omitempty', '[]PodAffinityTerm'],
    [2, 'preferredDuringSchedulingIgnoredDuringExecution,omitempty', '[]WeightedPodAffinityTerm'],
  ],
  PodAntiAffinity: [
    [1, 'requiredDuringSchedulingIgnoredDuringExecution,omitempty', '[]PodAffinityTerm'],
    [2, 'preferredDuringSchedulingIgnoredDuringExecution,omitempty', '[]WeightedPodAffinityTerm'],
  ],
  PodDNSConfigOption: [[1, 'name,omitempty', 'string'], [2, 'value,omitempty', '*string']],
  NodeSelector: [[1, 'nodeSelectorTerms', '[]NodeSelectorTerm']],
  PreferredSchedulingTerm: [[1, 'weight', 'int32'], [2, 'preference', 'NodeSelectorTerm']],
  PodAffinityTerm: [
    [1, 'labelSelector,omitempty', '*meta.LabelSelector'], [2, 'namespaces,omitempty', '[]string'],
    [3, 'topologyKey', 'string'], [4, 'namespaceSelector,omitempty', '*meta.LabelSelector'],
    [5, 'matchLabelKeys,omitempty', '[]string'], [6, 'mismatchLabelKeys,omitempty', '[]string'],
  ],
  WeightedPodAffinityTerm: [[1, 'weight', 'int32'], [2, 'podAffinityTerm', 'PodAffinityTerm']],
  NodeSelectorTerm: [
    [1, 'matchExpressions,omitempty', '[]NodeSelectorRequirement'],
    [2, 'matchFields,omitempty', '[]NodeSelectorRequirement'],
  ],
  NodeSelectorRequirement: [
    [1, 'key', 'string'], [2, 'operator', 'string'], [3, 'values,omitempty', '[]string'],
  ],
}

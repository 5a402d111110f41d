/**
 * @module
 * Protobuf field tables for core/v1 containers: ports, env, resources, mounts, probes, lifecycle, security context.
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/core/v1/types.go (struct tags `json` and `protobuf`).
// Container and EphemeralContainerCommon: upstream keeps their fields identical by rule.
const CONTAINER_FIELDS: Messages[string] = [
    [1, 'name', 'string'], [2, 'image,omitempty', 'string'], [3, 'command,omitempty', '[]string'],
    [4, 'args,omitempty', '[]string'], [5, 'workingDir,omitempty', 'string'],
    [6, 'ports,omitempty', '[]ContainerPort'], [19, 'envFrom,omitempty', '[]EnvFromSource'],
    [7, 'env,omitempty', '[]EnvVar'], [8, 'resources,omitempty', 'ResourceRequirements'],
    [23, 'resizePolicy,omitempty', '[]ContainerResizePolicy'], [24, 'restartPolicy,omitempty', '*string'],
    [9, 'volumeMounts,omitempty', '[]VolumeMount'], [21, 'volumeDevices,omitempty', '[]VolumeDevice'],
    [10, 'livenessProbe,omitempty', '*Probe'], [11, 'readinessProbe,omitempty', '*Probe'],
    [22, 'startupProbe,omitempty', '*Probe'], [12, 'lifecycle,omitempty', '*Lifecycle'],
    [13, 'terminationMessagePath,omitempty', 'string'],
    [20, 'terminationMessagePolicy,omitempty', 'string'], [14, 'imagePullPolicy,omitempty', 'string'],
    [15, 'securityContext,omitempty', '*SecurityContext'], [16, 'stdin,omitempty', 'bool'],
    [17, 'stdinOnce,omitempty', 'bool'], [18, 'tty,omitempty', 'bool'],
]

export const coreContainer: Messages = {
  Container: CONTAINER_FIELDS,
  EphemeralContainer: [
    [1, ',inline', 'EphemeralContainerCommon'], [2, 'targetContainerName,omitempty', 'string'],
  ],
  ResourceRequirements: [
    [1, 'limits,omitempty', 'map[string]resource.Quantity'],
    [2, 'requests,omitempty', 'map[string]resource.Quantity'], [3, 'claims,omitempty', '[]ResourceClaim'],
  ],
  ContainerPort: [
    [1, 'name,omitempty', 'string'], [2, 'hostPort,omitempty', 'int32'], [3, 'containerPort', 'int32'],
    [4, 'protocol,omitempty', 'string'], [5, 'hostIP,omitempty', 'string'],
  ],
  EnvFromSource: [
    [1, 'prefix,omitempty', 'string'], [2, 'configMapRef,omitempty', '*ConfigMapEnvSource'],
    [3, 'secretRef,omitempty', '*SecretEnvSource'],
  ],
  EnvVar: [
    [1, 'name', 'string'], [2, 'value,omitempty', 'string'], [3, 'valueFrom,omitempty', '*EnvVarSource'],
  ],
  ContainerResizePolicy: [[1, 'resourceName', 'string'], [2, 'restartPolicy', 'string']],
  VolumeMount: [
    [1, 'name', 'string'], [2, 'readOnly,omitempty', 'bool'], [7, 'recursiveReadOnly,omitempty', '*string'],
    [3, 'mountPath', 'string'], [4, 'subPath,omitempty', 'string'],
    [5, 'mountPropagation,omitempty', '*string'], [6, 'subPathExpr,omitempty', 'string'],
  ],
  VolumeDevice: [[1, 'name', 'string'], [2, 'devicePath', 'string']],
  Probe: [
    [1, ',inline', 'ProbeHandler'], [2, 'initialDelaySeconds,omitempty', 'int32'],
    [3, 'timeoutSeconds,omitempty', 'int32'], [4, 'periodSeconds,omitempty', 'int32'],
    [5, 'successThreshold,omitempty', 'int32'], [6, 'failureThreshold,omitempty', 'int32'],
    [7, 'terminationGracePeriodSeconds,omitempty', '*int64'],
  ],
  Lifecycle: [[1, 'postStart,omitempty', '*LifecycleHandler'], [2, 'preStop,omitempty', '*LifecycleHandler']],
  SecurityContext: [
    [1, 'capabilities,omitempty', '*Capabilities'], [2, 'privileged,omitempty', '*bool'],
    [3, 'seLinuxOptions,omitempty', '*SELinuxOptions'],
    [10, 'windowsOptions,omitempty', '*WindowsSecurityContextOptions'],
    [4, 'runAsUser,omitempty', '*int64'], [8, 'runAsGroup,omitempty', '*int64'],
    [5, 'runAsNonRoot,omitempty', '*bool'], [6, 'readOnlyRootFilesystem,omitempty', '*bool'],
    [7, 'allowPrivilegeEscalation,omitempty', '*bool'], [9, 'procMount,omitempty', '*string'],
    [11, 'seccompProfile,omitempty', '*SeccompProfile'],
    [12, 'appArmorProfile,omitempty', '*AppArmorProfile'],
  ],
  EphemeralContainerCommon: CONTAINER_FIELDS,
  ResourceClaim: [[1, 'name', 'string'], [2, 'request,omitempty', 'string']],
  ConfigMapEnvSource: [[1, ',inline', 'LocalObjectReference'], [2, 'optional,omitempty', '*bool']],
  SecretEnvSource: [[1, ',inline', 'LocalObjectReference'], [2, 'optional,omitempty', '*bool']],
  EnvVarSource: [
    [1, 'fieldRef,omitempty', '*ObjectFieldSelector'],
    [2, 'resourceFieldRef,omitempty', '*ResourceFieldSelector'],
    [3, 'configMapKeyRef,omitempty', '*ConfigMapKeySelector'],
    [4, 'secretKeyRef,omitempty', '*SecretKeySelector'],
  ],
  ProbeHandler: [
    [1, 'exec,omitempty', '*ExecAction'], [2, 'httpGet,omitempty', '*HTTPGetAction'],
    [3, 'tcpSocket,omitempty', '*TCPSocketAction'], [4, 'grpc,omitempty', '*GRPCAction'],
  ],
  LifecycleHandler: [
    [1, 'exec,omitempty', '*ExecAction'], [2, 'httpGet,omitempty', '*HTTPGetAction'],
    [3, 'tcpSocket,omitempty', '*TCPSocketAction'], [4, 'sleep,omitempty', '*SleepAction'],
  ],
  Capabilities: [[1, 'add,omitempty', '[]string'], [2, 'drop,omitempty', '[]string']],
  ObjectFieldSelector: [[1, 'apiVersion,omitempty', 'string'], [2, 'fieldPath', 'string']],
  ResourceFieldSelector: [
    [1, 'containerName,omitempty', 'string'], [2, 'resource', 'string'],
    [3, 'divisor,omitempty', 'resource.Quantity'],
  ],
  ConfigMapKeySelector: [
    [1, ',inline', 'LocalObjectReference'], [2, 'key', 'string'], [3, 'optional,omitempty', '*bool'],
  ],
  SecretKeySelector: [
    [1, ',inline', 'LocalObjectReference'], [2, 'key', 'string'], [3, 'optional,omitempty', '*bool'],
  ],
  ExecAction: [[1, 'command,omitempty', '[]string']],
  HTTPGetAction: [
    [1, 'path,omitempty', 'string'], [2, 'port', 'intstr.IntOrString'], [3, 'host,omitempty', 'string'],
    [4, 'scheme,omitempty', 'string'], [5, 'httpHeaders,omitempty', '[]HTTPHeader'],
  ],
  TCPSocketAction: [[1, 'port', 'intstr.IntOrString'], [2, 'host,omitempty', 'string']],
  GRPCAction: [[1, 'port', 'int32'], [2, 'service', '*string']],
  SleepAction: [[1, 'seconds', 'int64']],
  HTTPHeader: [[1, 'name', 'string'], [2, 'value', 'string']],
}

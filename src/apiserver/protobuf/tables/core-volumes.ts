/**
 * @module
 * Protobuf field tables for core/v1 volumes: every VolumeSource, projections and ephemeral claim templates.
 * Notation: ../types.ts. Field numbers, json tags and pointer-ness are wire facts read from
 * the Go struct tags at v1.32; types from other packages are written `pkg.Name`.
 */
import type { Messages } from '../types.js'

// Upstream: staging/src/k8s.io/api/core/v1/types.go (struct tags `json` and `protobuf`).
export const coreVolumes: Messages = {
  TypedLocalObjectReference: [[1, 'apiGroup', '*string'], [2, 'kind', 'string'], [3, 'name', 'string']],
  Volume: [[1, 'name', 'string'], [2, ',inline', 'VolumeSource']],
  VolumeSource: [
    [1, 'hostPath,omitempty', '*HostPathVolumeSource'], [2, 'emptyDir,omitempty', '*EmptyDirVolumeSource'],
    [3, 'gcePersistentDisk,omitempty', '*GCEPersistentDiskVolumeSource'],
    [4, 'awsElasticBlockStore,omitempty', '*AWSElasticBlockStoreVolumeSource'],
    [5, 'gitRepo,omitempty', '*GitRepoVolumeSource'], [6, 'secret,omitempty', '*SecretVolumeSource'],
    [7, 'nfs,omitempty', '*NFSVolumeSource'], [8, 'iscsi,omitempty', '*ISCSIVolumeSource'],
    [9, 'glusterfs,omitempty', '*GlusterfsVolumeSource'],
    [10, 'persistentVolumeClaim,omitempty', '*PersistentVolumeClaimVolumeSource'],
    [11, 'rbd,omitempty', '*RBDVolumeSource'], [12, 'flexVolume,omitempty', '*FlexVolumeSource'],
    [13, 'cinder,omitempty', '*CinderVolumeSource'], [14, 'cephfs,omitempty', '*CephFSVolumeSource'],
    [15, 'flocker,omitempty', '*FlockerVolumeSource'],
    [16, 'downwardAPI,omitempty', '*DownwardAPIVolumeSource'], [17, 'fc,omitempty', '*FCVolumeSource'],
    [18, 'azureFile,omitempty', '*AzureFileVolumeSource'],
    [19, 'configMap,omitempty', '*ConfigMapVolumeSource'],
    [20, 'vsphereVolume,omitempty', '*VsphereVirtualDiskVolumeSource'],
    [21, 'quobyte,omitempty', '*QuobyteVolumeSource'],
    [22, 'azureDisk,omitempty', '*AzureDiskVolumeSource'],
    [23, 'photonPersistentDisk,omitempty', '*PhotonPersistentDiskVolumeSource'],
    [26, 'projected,omitempty', '*ProjectedVolumeSource'],
    [24, 'portworxVolume,omitempty', '*PortworxVolumeSource'],
    [25, 'scaleIO,omitempty', '*ScaleIOVolumeSource'],
    [27, 'storageos,omitempty', '*StorageOSVolumeSource'], [28, 'csi,omitempty', '*CSIVolumeSource'],
    [29, 'ephemeral,omitempty', '*EphemeralVolumeSource'], [30, 'image,omitempty', '*ImageVolumeSource'],
  ],
  HostPathVolumeSource: [[1, 'path', 'string'], [2, 'type,omitempty', '*string']],
  EmptyDirVolumeSource: [[1, 'medium,omitempty', 'string'], [2, 'sizeLimit,omitempty', '*resource.Quantity']],
  GCEPersistentDiskVolumeSource: [
    [1, 'pdName', 'string'], [2, 'fsType,omitempty', 'string'], [3, 'partition,omitempty', 'int32'],
    [4, 'readOnly,omitempty', 'bool'],
  ],
  AWSElasticBlockStoreVolumeSource: [
    [1, 'volumeID', 'string'], [2, 'fsType,omitempty', 'string'], [3, 'partition,omitempty', 'int32'],
    [4, 'readOnly,omitempty', 'bool'],
  ],
  GitRepoVolumeSource: [
    [1, 'repository', 'string'], [2, 'revision,omitempty', 'string'], [3, 'directory,omitempty', 'string'],
  ],
  SecretVolumeSource: [
    [1, 'secretName,omitempty', 'string'], [2, 'items,omitempty', '[]KeyToPath'],
    [3, 'defaultMode,omitempty', '*int32'], [4, 'optional,omitempty', '*bool'],
  ],
  NFSVolumeSource: [[1, 'server', 'string'], [2, 'path', 'string'], [3, 'readOnly,omitempty', 'bool']],
  ISCSIVolumeSource: [
    [1, 'targetPortal', 'string'], [2, 'iqn', 'string'], [3, 'lun', 'int32'],
    [4, 'iscsiInterface,omitempty', 'string'], [5, 'fsType,omitempty', 'string'],
    [6, 'readOnly,omitempty', 'bool'], [7, 'portals,omitempty', '[]string'],
    [8, 'chapAuthDiscovery,omitempty', 'bool'], [11, 'chapAuthSession,omitempty', 'bool'],
    [10, 'secretRef,omitempty', '*LocalObjectReference'], [12, 'initiatorName,omitempty', '*string'],
  ],
  GlusterfsVolumeSource: [
    [1, 'endpoints', 'string'], [2, 'path', 'string'], [3, 'readOnly,omitempty', 'bool'],
  ],
  PersistentVolumeClaimVolumeSource: [[1, 'claimName', 'string'], [2, 'readOnly,omitempty', 'bool']],
  RBDVolumeSource: [
    [1, 'monitors', '[]string'], [2, 'image', 'string'], [3, 'fsType,omitempty', 'string'],
    [4, 'pool,omitempty', 'string'], [5, 'user,omitempty', 'string'], [6, 'keyring,omitempty', 'string'],
    [7, 'secretRef,omitempty', '*LocalObjectReference'], [8, 'readOnly,omitempty', 'bool'],
  ],
  FlexVolumeSource: [
    [1, 'driver', 'string'], [2, 'fsType,omitempty', 'string'],
    [3, 'secretRef,omitempty', '*LocalObjectReference'], [4, 'readOnly,omitempty', 'bool'],
    [5, 'options,omitempty', 'map[string]string'],
  ],
  CinderVolumeSource: [
    [1, 'volumeID', 'string'], [2, 'fsType,omitempty', 'string'], [3, 'readOnly,omitempty', 'bool'],
    [4, 'secretRef,omitempty', '*LocalObjectReference'],
  ],
  CephFSVolumeSource: [
    [1, 'monitors', '[]string'], [2, 'path,omitempty', 'string'], [3, 'user,omitempty', 'string'],
    [4, 'secretFile,omitempty', 'string'], [5, 'secretRef,omitempty', '*LocalObjectReference'],
    [6, 'readOnly,omitempty', 'bool'],
  ],
  FlockerVolumeSource: [[1, 'datasetName,omitempty', 'string'], [2, 'datasetUUID,omitempty', 'string']],
  DownwardAPIVolumeSource: [
    [1, 'items,omitempty', '[]DownwardAPIVolumeFile'], [2, 'defaultMode,omitempty', '*int32'],
  ],
  FCVolumeSource: [
    [1, 'targetWWNs,omitempty', '[]string'], [2, 'lun,omitempty', '*int32'],
    [3, 'fsType,omitempty', 'string'], [4, 'readOnly,omitempty', 'bool'],
    [5, 'wwids,omitempty', '[]string'],
  ],
  AzureFileVolumeSource: [
    [1, 'secretName', 'string'], [2, 'shareName', 'string'], [3, 'readOnly,omitempty', 'bool'],
  ],
  ConfigMapVolumeSource: [
    [1, ',inline', 'LocalObjectReference'], [2, 'items,omitempty', '[]KeyToPath'],
    [3, 'defaultMode,omitempty', '*int32'], [4, 'optional,omitempty', '*bool'],
  ],
  VsphereVirtualDiskVolumeSource: [
    [1, 'volumePath', 'string'], [2, 'fsType,omitempty', 'string'],
    [3, 'storagePolicyName,omitempty', 'string'], [4, 'storagePolicyID,omitempty', 'string'],
  ],
  QuobyteVolumeSource: [
    [1, 'registry', 'string'], [2, 'volume', 'string'], [3, 'readOnly,omitempty', 'bool'],
    [4, 'user,omitempty', 'string'], [5, 'group,omitempty', 'string'], [6, 'tenant,omitempty', 'string'],
  ],
  AzureDiskVolumeSource: [
    [1, 'diskName', 'string'], [2, 'diskURI', 'string'], [3, 'cachingMode,omitempty', '*string'],
    [4, 'fsType,omitempty', '*string'], [5, 'readOnly,omitempty', '*bool'],
    [6, 'kind,omitempty', '*string'],
  ],
  PhotonPersistentDiskVolumeSource: [[1, 'pdID', 'string'], [2, 'fsType,omitempty', 'string']],
  ProjectedVolumeSource: [[1, 'sources', '[]VolumeProjection'], [2, 'defaultMode,omitempty', '*int32']],
  PortworxVolumeSource: [
    [1, 'volumeID', 'string'], [2, 'fsType,omitempty', 'string'], [3, 'readOnly,omitempty', 'bool'],
  ],
  ScaleIOVolumeSource: [
    [1, 'gateway', 'string'], [2, 'system', 'string'], [3, 'secretRef', '*LocalObjectReference'],
    [4, 'sslEnabled,omitempty', 'bool'], [5, 'protectionDomain,omitempty', 'string'],
    [6, 'storagePool,omitempty', 'string'], [7, 'storageMode,omitempty', 'string'],
    [8, 'volumeName,omitempty', 'string'], [9, 'fsType,omitempty', 'string'],
    [10, 'readOnly,omitempty', 'bool'],
  ],
  StorageOSVolumeSource: [
    [1, 'volumeName,omitempty', 'string'], [2, 'volumeNamespace,omitempty', 'string'],
    [3, 'fsType,omitempty', 'string'], [4, 'readOnly,omitempty', 'bool'],
    [5, 'secretRef,omitempty', '*LocalObjectReference'],
  ],
  CSIVolumeSource: [
    [1, 'driver', 'string'], [2, 'readOnly,omitempty', '*bool'], [3, 'fsType,omitempty', '*string'],
    [4, 'volumeAttributes,omitempty', 'map[string]string'],
    [5, 'nodePublishSecretRef,omitempty', '*LocalObjectReference'],
  ],
  EphemeralVolumeSource: [[1, 'volumeClaimTemplate,omitempty', '*PersistentVolumeClaimTemplate']],
  ImageVolumeSource: [[1, 'reference,omitempty', 'string'], [2, 'pullPolicy,omitempty', 'string']],
  KeyToPath: [[1, 'key', 'string'], [2, 'path', 'string'], [3, 'mode,omitempty', '*int32']],
  DownwardAPIVolumeFile: [
    [1, 'path', 'string'], [2, 'fieldRef,omitempty', '*ObjectFieldSelector'],
    [3, 'resourceFieldRef,omitempty', '*ResourceFieldSelector'], [4, 'mode,omitempty', '*int32'],
  ],
  VolumeProjection: [
    [1, 'secret,omitempty', '*SecretProjection'], [2, 'downwardAPI,omitempty', '*DownwardAPIProjection'],
    [3, 'configMap,omitempty', '*ConfigMapProjection'],
    [4, 'serviceAccountToken,omitempty', '*ServiceAccountTokenProjection'],
    [5, 'clusterTrustBundle,omitempty', '*ClusterTrustBundleProjection'],
  ],
  PersistentVolumeClaimTemplate: [
    [1, 'metadata,omitempty', 'meta.ObjectMeta'], [2, 'spec', 'PersistentVolumeClaimSpec'],
  ],
  SecretProjection: [
    [1, ',inline', 'LocalObjectReference'], [2, 'items,omitempty', '[]KeyToPath'],
    [4, 'optional,omitempty', '*bool'],
  ],
  DownwardAPIProjection: [[1, 'items,omitempty', '[]DownwardAPIVolumeFile']],
  ConfigMapProjection: [
    [1, ',inline', 'LocalObjectReference'], [2, 'items,omitempty', '[]KeyToPath'],
    [4, 'optional,omitempty', '*bool'],
  ],
  ServiceAccountTokenProjection: [
    [1, 'audience,omitempty', 'string'], [2, 'expirationSeconds,omitempty', '*int64'],
    [3, 'path', 'string'],
  ],
  ClusterTrustBundleProjection: [
    [1, 'name,omitempty', '*string'], [2, 'signerName,omitempty', '*string'],
    [3, 'labelSelector,omitempty', '*meta.LabelSelector'], [5, 'optional,omitempty', '*bool'],
    [4, 'path', 'string'],
  ],
  PersistentVolumeClaimSpec: [
    [1, 'accessModes,omitempty', '[]string'], [4, 'selector,omitempty', '*meta.LabelSelector'],
    [2, 'resources,omitempty', 'VolumeResourceRequirements'], [3, 'volumeName,omitempty', 'string'],
    [5, 'storageClassName,omitempty', '*string'], [6, 'volumeMode,omitempty', '*string'],
    [7, 'dataSource,omitempty', '*TypedLocalObjectReference'],
    [8, 'dataSourceRef,omitempty', '*TypedObjectReference'],
    [9, 'volumeAttributesClassName,omitempty', '*string'],
  ],
  VolumeResourceRequirements: [
    [1, 'limits,omitempty', 'map[string]resource.Quantity'],
    [2, 'requests,omitempty', 'map[string]resource.Quantity'],
  ],
  TypedObjectReference: [
    [1, 'apiGroup', '*string'], [2, 'kind', 'string'], [3, 'name', 'string'],
    [4, 'namespace,omitempty', '*string'],
  ],
}

// The kubelet's volumes: their manager, the atomic writer and the downward API values. Re-exports only.
export { createVolumeManager, VolumeMountError, type TokenRequester, type VolumeManagerOptions } from './volume-manager.js'
export { writeAtomically, validatePayloadPath, type FileProjection, type Payload } from './atomic-writer.js'
export { checkHostPathType } from './host-path.js'
export { expandSubPathExpr, mountsFor, type VolumeLocation } from './container-mounts.js'
export {
  containerResourceValue, formatMap, goQuote, metadataFieldValue, podFieldValue, volumeFieldValue, type NodeAllocatable,
} from './field-path.js'
export { configMapFiles, downwardAPIFiles, secretFiles, volumePayload, DEFAULT_MODE, type PayloadContext } from './payloads.js'
export { fakeObjectSource } from './fake-source.js'

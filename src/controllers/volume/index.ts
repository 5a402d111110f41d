// The volume folder's public surface. Re-exports only.
export { persistentVolumeBinder, isPodTerminated } from './binder.js'
export { localPathProvisioner, localPathStorageClass, volumeDir, LOCAL_PATH_CLASS, LOCAL_PATH_PROVISIONER } from './local-path-provisioner.js'
export {
  ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
  ANN_BETA_STORAGE_PROVISIONER, claimClass, defaultClass, findMatchingVolume, isDelayBindingMode, isVolumeBoundToClaim,
} from './pv-helpers.js'

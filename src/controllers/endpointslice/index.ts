// The endpointslice folder's public surface. Re-exports only.
export { endpointSliceController, serviceKeyOfSlice, type EndpointSliceControllerOptions } from './endpointslice-controller.js'
export { planSlices, type Plan, type ReconcileInput } from './reconciler.js'
export {
  CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MAX_ENDPOINTS_PER_SLICE, endpointPorts, podToEndpoint,
} from './slice-endpoints.js'
export { endpointSliceMirroringController, MIRRORING_CONTROLLER_NAME } from './mirroring-controller.js'

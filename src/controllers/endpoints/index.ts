// The endpoints folder's public surface. Re-exports only.
export { endpointsController, desiredSubsets, ENDPOINTS_MANAGED_BY, ENDPOINT_CONTROLLER, HEADLESS_LABEL } from './endpoints-controller.js'
export {
  findPort, isIPv6, isPodReady, isServiceIPSet, podAddresses, podServiceKeys, rfc3339Nano, serviceIPFamily, serviceSelector,
  shouldPodBeInEndpoints, shouldSetHostname,
} from './pod-endpoints.js'
export { LAST_CHANGE_TRIGGER_TIME, triggerTimeTracker } from './trigger-time.js'
export { repackSubsets } from './subsets.js'

// The node lifecycle controller's public surface. Re-exports only.
export { nodeLifecycleController, NODE_LEASE_NAMESPACE, type NodeLifecycleOptions } from './node-lifecycle-controller.js'
export { TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, tolerates } from './taints.js'

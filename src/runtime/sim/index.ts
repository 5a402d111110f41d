// The sim runtime's public surface: simulated nodes (like kwok) and their usage rule. Re-exports only.
export { startSimNodes, type SimFleet, type SimOptions } from './fleet.js'
export { ANNOTATIONS, SIM_NODE_LABEL } from './annotations.js'
export { isSimNode, nodeUsage, podUsage, simUsage, type ContainerUsage, type ResourceUsage, type UsageSource } from './usage.js'
export { KUBELET_VERSION } from './node-object.js'

export { readMachineInfo, type MachineInfo } from './machine.js'
export { KUBELET_SOCKET_ANNOTATION, KUBELET_VERSION, currentConditions, initialNode, nodeStatus, type NodeFacts } from './node-status.js'
export { registerNode, startHeartbeats, waitForPodCIDR, type Heartbeats } from './heartbeat.js'

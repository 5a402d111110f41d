export {
  nodeNamespaceCommand, nodeNamespaceSupport, prepareNodeMounts,
  type NodeNamespaceMode, type NodeNamespaceSupport,
} from './namespace.js'
export { setUpNodeNetwork, type NodeNetwork, type NodeNetworkOptions } from './node-network.js'
export {
  createPodNetwork, podNetnsName, podVethName, type PodNetwork, type PodNetworkOptions,
} from './pod-network.js'
export { createPodIpam, type PodIpam } from './ipam.js'
export { parseCidr, formatCidr, addressAt, type Ipv4Cidr } from './cidr.js'

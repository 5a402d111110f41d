// The replicaset folder's public surface: the ReplicaSet and ReplicationController loops,
// and controller-reference claiming (the Deployment controller claims ReplicaSets with it).
export { replicaSetController, replicationControllerController } from './controllers.js'
export { BURST_REPLICAS } from './replica-manager.js'
export { claimObjects, recheckDeletion, type ClaimOptions } from './claim.js'

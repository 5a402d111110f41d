// The replicaset folder's public surface: the ReplicaSet and ReplicationController loops,
// and their burst size. Claiming by controller reference lives in ../util.
export { replicaSetController, replicationControllerController } from './controllers.js'
export { BURST_REPLICAS } from './replica-manager.js'

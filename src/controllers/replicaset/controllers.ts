/**
 * @module
 * The two loops built on the replica manager: ReplicaSet (apps/v1, a metav1.LabelSelector)
 * and ReplicationController (v1, a plain label map).
 */
// Upstream: pkg/controller/replicaset/replica_set.go (NewReplicaSetController) and
// pkg/controller/replication/replication_controller.go (NewReplicationManager).
import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js'
import { labelSelectorFromMeta, labelSelectorFromSet, type Cached } from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/types.js'
import { replicaManager } from './replica-manager.js'
import type { Replicated } from './types.js'

const metaSelector = (o: Cached<Replicated>) => o.spec?.selector as Cached<MetaLabelSelector> | undefined
const mapSelector = (o: Cached<Replicated>) => o.spec?.selector as Readonly<Record<string, string>> | undefined

/** The ReplicaSet controller (kube-controller-manager's "replicaset" loop). */
export function replicaSetController(ctx: ControllerContext): Controller {
  return replicaManager(ctx, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', component: 'replicaset-controller',
    selector: (o) => labelSelectorFromMeta(metaSelector(o) as MetaLabelSelector | undefined),
    selectsAny(o) {
      const s = metaSelector(o)
      return !!s && (Object.keys(s.matchLabels ?? {}).length > 0 || (s.matchExpressions ?? []).length > 0)
    },
  })
}

/** The ReplicationController controller (kube-controller-manager's "replicationcontroller" loop). */
export function replicationControllerController(ctx: ControllerContext): Controller {
  return replicaManager(ctx, {
    apiVersion: 'v1', kind: 'ReplicationController', component: 'replication-controller',
    selector: (o) => labelSelectorFromSet(mapSelector(o)),
    selectsAny: (o) => Object.keys(mapSelector(o) ?? {}).length > 0,
  })
}

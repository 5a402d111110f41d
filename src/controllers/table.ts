/**
 * @module
 * The controllers kube-controller-manager runs, by upstream's names, with their workers.
 */
import type { Controller, ControllerContext } from '../client/index.js'
import { cronJobController } from './cronjob/index.js'
import { jobController, ttlAfterFinishedController } from './job/index.js'
import { endpointsController } from './endpoints/index.js'
import { endpointSliceController, endpointSliceMirroringController } from './endpointslice/index.js'
import { localPathProvisioner, persistentVolumeBinder } from './volume/index.js'
import { garbageCollector } from './garbagecollector/index.js'
import { namespaceController } from './namespace/index.js'
import { serviceAccountController } from './serviceaccount/index.js'
import { nodeLifecycleController } from './nodelifecycle/index.js'
import { nodeIpamController } from './nodeipam/index.js'
import { horizontalPodAutoscaler } from './podautoscaler/index.js'
import { disruptionController } from './disruption/index.js'
import { podGCController } from './podgc/index.js'
import { rootCACertPublisher } from './rootcacertpublisher/index.js'
import { deploymentController } from './deployment/index.js'
import { daemonSetController } from './daemonset/index.js'
import { statefulSetController } from './statefulset/index.js'
import { replicaSetController, replicationControllerController } from './replicaset/index.js'

/** Tunables the CLI and tests pass through to individual controllers. */
export type ControllerOptions = {
  /** The cluster CA (PEM) the root CA publisher puts in every namespace; without it that loop does not run. */
  rootCA?: string
  /** Node lifecycle: how long a node may go without a heartbeat before it is Unknown (40 s). */
  nodeMonitorGracePeriodMs?: number
  /** Node IPAM: --cluster-cidr and --node-cidr-mask-size. */
  clusterCIDR?: string
  nodeCIDRMaskSize?: number
}

export type ControllerEntry = {
  name: string
  workers?: number
  make(ctx: ControllerContext, opts: ControllerOptions): Controller | Controller[]
}

export function controllerTable(): ControllerEntry[] {
  return [
    { name: 'deployment', workers: 5, make: (ctx) => deploymentController(ctx) },
    { name: 'replicaset', workers: 5, make: (ctx) => replicaSetController(ctx) },
    { name: 'replicationcontroller', workers: 5, make: (ctx) => replicationControllerController(ctx) },
    { name: 'statefulset', workers: 5, make: (ctx) => statefulSetController(ctx) },
    { name: 'daemonset', workers: 2, make: (ctx) => daemonSetController(ctx) },
    { name: 'garbagecollector', workers: 4, make: (ctx) => garbageCollector(ctx) },
    { name: 'namespace', workers: 2, make: (ctx) => namespaceController(ctx) },
    { name: 'serviceaccount', workers: 2, make: (ctx) => serviceAccountController(ctx) },
    { name: 'root-ca-cert-publisher', workers: 2, make: (ctx, o) => (o.rootCA ? rootCACertPublisher(ctx, { caPem: o.rootCA }) : []) },
    { name: 'node-ipam-controller', workers: 1, make: (ctx, o) => nodeIpamController(ctx, { clusterCIDR: o.clusterCIDR, nodeMaskSize: o.nodeCIDRMaskSize }) },
    { name: 'nodelifecycle', workers: 2, make: (ctx, o) => nodeLifecycleController(ctx, { nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs }) },
    { name: 'pod-garbage-collector-controller', workers: 1, make: (ctx) => podGCController(ctx) },
    { name: 'disruption-controller', workers: 1, make: (ctx) => disruptionController(ctx) },
    { name: 'horizontal-pod-autoscaler-controller', workers: 5, make: (ctx) => horizontalPodAutoscaler(ctx) },
    { name: 'job', workers: 5, make: (ctx) => jobController(ctx) },
    { name: 'cronjob', workers: 5, make: (ctx) => cronJobController(ctx) },
    { name: 'ttl-after-finished', workers: 5, make: (ctx) => ttlAfterFinishedController(ctx) },
    { name: 'endpoints-controller', workers: 5, make: (ctx) => endpointsController(ctx) },
    { name: 'endpointslice-controller', workers: 5, make: (ctx) => endpointSliceController(ctx) },
    { name: 'endpointslice-mirroring-controller', workers: 5, make: (ctx) => endpointSliceMirroringController(ctx) },
    // Binding is not safe with two workers; upstream runs one too.
    { name: 'persistentvolume-binder-controller', workers: 1, make: (ctx) => persistentVolumeBinder(ctx) },
    { name: 'local-path-provisioner', workers: 2, make: (ctx) => localPathProvisioner(ctx) },
  ]
}

/**
 * @module
 * The default profile: upstream's default plugins in upstream's order (the first filter to
 * reject a node names the reason users see), with upstream's score weights.
 */
// Upstream: pkg/scheduler/apis/config/v1/default_plugins.go (getDefaultPlugins).
// ImageLocality, VolumeRestrictions, NodeVolumeLimits and VolumeZone are not ported.
import type { Client, Informers } from '../client/types.js'
import type { AnyPlugin, Handle } from './framework/types.js'
import { balancedAllocation } from './plugins/balanced-allocation.js'
import { interPodAffinity } from './plugins/inter-pod-affinity/plugin.js'
import { nodeAffinity } from './plugins/node-affinity.js'
import { nodeName } from './plugins/node-name.js'
import { nodePorts } from './plugins/node-ports.js'
import { nodeResourcesFit } from './plugins/node-resources-fit.js'
import { nodeUnschedulable } from './plugins/node-unschedulable.js'
import { defaultSelectorFrom } from './plugins/pod-topology-spread/default-selector.js'
import { podTopologySpread } from './plugins/pod-topology-spread/plugin.js'
import { taintToleration } from './plugins/taint-toleration.js'
import { volumeBinding } from './plugins/volume-binding/plugin.js'

/** Score weights of the default profile. */
export const DEFAULT_SCORE_WEIGHTS: Readonly<Record<string, number>> = {
  TaintToleration: 3,
  NodeAffinity: 2,
  NodeResourcesFit: 1,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesBalancedAllocation: 1,
}

export type DefaultPluginsOptions = { informers: Informers; client: Client; handle: Handle; bindTimeoutMs?: number }

export function defaultPlugins({ informers, client, handle, bindTimeoutMs }: DefaultPluginsOptions): AnyPlugin[] {
  return [
    nodeUnschedulable,
    nodeName,
    taintToleration,
    nodeAffinity,
    nodePorts,
    nodeResourcesFit,
    volumeBinding(informers, client, { bindTimeoutMs }),
    podTopologySpread(handle, defaultSelectorFrom(informers)),
    interPodAffinity(handle),
    balancedAllocation,
  ]
}

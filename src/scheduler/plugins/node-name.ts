/**
 * @module
 * NodeName: a pod that names its node fits only there.
 */
// Upstream: pkg/scheduler/framework/plugins/nodename/node_name.go.
import { success, unresolvable, type FilterPlugin, type Status } from '../framework/types.js'

const mismatch: Status = unresolvable("node(s) didn't match the requested node name")

export const nodeName = {
  name: 'NodeName',
  filter: (_state, pod, node) => (!pod.spec?.nodeName || pod.spec.nodeName === node.name ? success : mismatch),
  events: [{ resource: 'Node', actions: ['Add', 'Update'] }], // what could make a rejected pod fit
} satisfies FilterPlugin

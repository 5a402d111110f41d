/**
 * @module
 * NodePorts: a pod's host ports must be free on the node (0.0.0.0 clashes with any address).
 */
// Upstream: pkg/scheduler/framework/plugins/nodeports/node_ports.go.
import { portConflicts } from '../framework/node-info.js'
import { skip, success, unschedulable, type FilterPlugin, type PreFilterPlugin, type Status } from '../framework/types.js'

const taken: Status = unschedulable("node(s) didn't have free ports for the requested pod ports")

export const nodePorts = {
  name: 'NodePorts',
  preFilter: (state) => (state.podInfo.hostPorts.length ? success : skip),
  filter(state, _pod, node) {
    for (const p of state.podInfo.hostPorts) if (portConflicts(node.usedPorts, p)) return taken
    return success
  },
  events: [{ resource: 'Pod', actions: ['Delete'] }, { resource: 'Node', actions: ['Add', 'Update'] }],
} satisfies PreFilterPlugin & FilterPlugin

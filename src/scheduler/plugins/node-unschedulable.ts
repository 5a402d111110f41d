/**
 * @module
 * NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate the
 * node.kubernetes.io/unschedulable:NoSchedule taint.
 */
// Upstream: pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go.
import { success, unresolvable, type FilterPlugin, type Status } from '../framework/types.js'
import { tolerationsTolerateTaint } from './helpers.js'

const cordoned: Status = unresolvable('node(s) were unschedulable')
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }

export const nodeUnschedulable = {
  name: 'NodeUnschedulable',
  filter(_state, pod, node) {
    if (!node.node?.spec?.unschedulable) return success
    return tolerationsTolerateTaint(pod.spec?.tolerations, unschedulableTaint) ? success : cordoned
  },
  events: [{ resource: 'Node', actions: ['Add', 'Update'] }],
} satisfies FilterPlugin

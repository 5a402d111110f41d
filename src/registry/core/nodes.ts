/**
 * @module
 * Registry entry for Nodes: status kept apart from spec, taint and podCIDR rules,
 * and the NAME STATUS ROLES AGE VERSION columns.
 */
// Upstream: pkg/registry/core/node/strategy.go (nodeStrategy, nodeStatusStrategy, NodeToSelectableFields),
// pkg/apis/core/v1/defaults.go (SetDefaults_NodeStatus), pkg/apis/core/validation/validation.go
// (ValidateNode, ValidateNodeUpdate, validateNodeTaints), pkg/printers/internalversion/printers.go
// (printNode, findNodeRoles, getNodeInternalIP, getNodeExternalIP).
import type { Node, NodeStatus, Taint } from 'kubernetes-types/core/v1.js'
import { duplicate, forbiddenField, invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { isQualifiedName, isValidLabelValue } from '../../api/names.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { Column, ResourceType } from '../types.js'
import { quantityValue, w } from './util.js'

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute']
const ROLE_PREFIX = 'node-role.kubernetes.io/'
const ROLE_LABEL = 'kubernetes.io/role'

/** Go marshals NodeStatus' non-pointer structs and their non-omitempty strings even when empty. */
function defaultNodeStatus(st: NodeStatus) {
  if (st.capacity && !st.allocatable) st.allocatable = { ...st.capacity }
  st.daemonEndpoints ??= {}
  st.daemonEndpoints.kubeletEndpoint ??= { Port: 0 }
  const info = (st.nodeInfo ??= {} as NonNullable<NodeStatus['nodeInfo']>)
  for (const k of ['architecture', 'bootID', 'containerRuntimeVersion', 'kernelVersion', 'kubeProxyVersion', 'kubeletVersion',
    'machineID', 'operatingSystem', 'osImage', 'systemUUID'] as const) (info as unknown as Record<string, string>)[k] ??= ''
}

function validateTaints(taints: Taint[] | undefined, p: string): FieldError[] {
  const errs: FieldError[] = []
  const seen = new Set<string>()
  ;(taints ?? []).forEach((t, i) => {
    const tp = path(p, i)
    for (const m of isQualifiedName(t.key ?? '')) errs.push(invalidValue(path(tp, 'key'), t.key ?? '', m))
    if (t.value) for (const m of isValidLabelValue(t.value)) errs.push(invalidValue(path(tp, 'value'), t.value, m))
    if (!t.effect) errs.push(required(path(tp, 'effect')))
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(path(tp, 'effect'), t.effect, TAINT_EFFECTS))
    const k = `${t.key}:${t.effect}`
    if (seen.has(k)) {
      const d = duplicate(tp, t)
      errs.push({ ...d, message: `${d.message}: taints must be unique by key and effect pair`, error: `${d.error}: taints must be unique by key and effect pair` })
    }
    seen.add(k)
  })
  return errs
}

function validateNode(node: Node): FieldError[] {
  const errs = validateTaints(node.spec?.taints, path('spec', 'taints'))
  for (const [kind, list] of [['capacity', node.status?.capacity], ['allocatable', node.status?.allocatable]] as const) {
    for (const [k, q] of Object.entries(list ?? {})) {
      const v = quantityValue(q as string)
      if (v === undefined || v < 0) errs.push(invalidValue(path('status', kind, `[${k}]`), String(q), 'must be greater than or equal to 0'))
    }
  }
  return errs
}

function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs: FieldError[] = []
  const oldCIDRs = old.spec?.podCIDRs ?? []
  if (oldCIDRs.length) {
    const cur = node.spec?.podCIDRs ?? []
    if (cur.length !== oldCIDRs.length || cur.some((c, i) => c !== oldCIDRs[i])) {
      errs.push(forbiddenField(path('spec', 'podCIDRs'), 'node updates may not change podCIDR except from "" to valid'))
    }
  }
  if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) {
    errs.push(forbiddenField(path('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'))
  }
  return errs
}

/** "Ready", "NotReady,SchedulingDisabled", "Unknown". */
export function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')
  const out = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown']
  if (node.spec?.unschedulable) out.push('SchedulingDisabled')
  return out.join(',')
}

/** Roles from node-role.kubernetes.io/<role> labels and the legacy kubernetes.io/role label, sorted. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>()
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) { if (k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length)) } else if (k === ROLE_LABEL && v) roles.add(v)
  }
  return [...roles].sort().join(',') || '<none>'
}

const address = (node: Node, type: string) => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>'
const info = (node: Node, k: 'osImage' | 'kernelVersion' | 'containerRuntimeVersion') => node.status?.nodeInfo?.[k] || '<unknown>'

const columns: Column<Node>[] = [
  nameColumn,
  { name: 'Status', type: 'string', description: 'The status of the node', cell: nodeStatus },
  { name: 'Roles', type: 'string', description: 'The roles of the node', cell: nodeRoles },
  ageColumn,
  { name: 'Version', type: 'string', description: 'Kubelet version reported by the node.', cell: (n) => n.status?.nodeInfo?.kubeletVersion ?? '' },
  { name: 'Internal-IP', type: 'string', priority: 1, description: 'The first internal address of the node.', cell: (n) => address(n, 'InternalIP') },
  { name: 'External-IP', type: 'string', priority: 1, description: 'The first external address of the node.', cell: (n) => address(n, 'ExternalIP') },
  { name: 'OS-Image', type: 'string', priority: 1, description: 'OS image reported by the node.', cell: (n) => info(n, 'osImage') },
  { name: 'Kernel-Version', type: 'string', priority: 1, description: 'Kernel version reported by the node.', cell: (n) => info(n, 'kernelVersion') },
  { name: 'Container-Runtime', type: 'string', priority: 1, description: 'Container runtime version reported by the node.', cell: (n) => info(n, 'containerRuntimeVersion') },
]

export const nodes = {
  group: '', version: 'v1', kind: 'Node', resource: 'nodes', singular: 'node', namespaced: false,
  shortNames: ['no'], schema: 'io.k8s.api.core.v1.Node',
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: {
    status: true,
    extra: [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
  },
  defaults(node) {
    node.spec ??= {}
    w(node).status ??= {}
    defaultNodeStatus(node.status!)
  },
  // Kubelets register with their status, so create keeps it (upstream does not clear it).
  prepareForUpdate(node, old) {
    w(node).status = old.status
  },
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  status: {
    prepareForUpdate(node, old) {
      node.spec = old.spec
    },
    validateUpdate: (node) => validateNode(node),
  },
  columns,
  selectableFields: (node) => ({ 'spec.unschedulable': String(node.spec?.unschedulable === true) }),
} satisfies ResourceType<Node>

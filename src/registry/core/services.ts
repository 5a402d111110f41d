/**
 * @module
 * Registry entry for Services: defaults, the allocated-value bookkeeping of updates,
 * and `kubectl get svc` columns (TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S)).
 */
// Upstream: pkg/apis/core/v1/defaults.go (SetDefaults_Service), pkg/registry/core/service/strategy.go
// (PrepareForCreate/Update, dropTypeDependentFields, NormalizeClusterIPs), storage/storage.go
// (patchAllocatedValues), storage/alloc.go (initIPFamilyFields, single-stack IPv4 cluster),
// pkg/printers/internalversion/printers.go (printService, getServiceExternalIP, makePortString).
import type { Service } from 'kubernetes-types/core/v1.js'
import { semanticEqual } from '../../api/meta.js'
import { isDNS1035Label } from '../../api/names.js'
import { ageColumn, formatMapSelector, nameColumn } from '../printers.js'
import type { Column, ResourceType } from '../types.js'
import { externallyAccessible, isHeadless, validateService, validateServiceStatusUpdate, validateServiceUpdate } from './service-validation.js'
import { w } from './util.js'

/** The cluster's only IP family: kubelite runs single-stack IPv4 Service ranges. */
const CLUSTER_FAMILY = 'IPv4'

export function defaultService(svc: Service): void {
  const spec = (svc.spec ??= {})
  spec.sessionAffinity ||= 'None'
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } }
  }
  spec.type ||= 'ClusterIP'
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP'
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port
  }
  if (externallyAccessible(svc)) spec.externalTrafficPolicy ||= 'Cluster'
  if (!spec.internalTrafficPolicy && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster'
  if (spec.type === 'LoadBalancer') {
    spec.allocateLoadBalancerNodePorts ??= true
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP'
  }
  // IP families are the REST layer's job upstream (before allocation); same outcome here.
  if (spec.type !== 'ExternalName') {
    const selectorless = !Object.keys(spec.selector ?? {}).length
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = isHeadless(svc) && selectorless ? 'RequireDualStack' : 'SingleStack'
    if (!spec.ipFamilies?.length) spec.ipFamilies = [CLUSTER_FAMILY]
  }
}

const needsNodePort = (s: Service) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer'
const needsHCNodePort = (s: Service) => s.spec?.type === 'LoadBalancer' && s.spec.externalTrafficPolicy === 'Local'
const needsClusterIP = (s: Service) => s.spec?.type !== 'ExternalName'

/** An update that leaves out allocated values (clusterIP, nodePorts) keeps the old ones. */
function patchAllocatedValues(svc: Service, old: Service) {
  const spec = svc.spec!
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    spec.clusterIP ||= old.spec?.clusterIP
    if (!spec.clusterIPs?.length && old.spec?.clusterIPs?.length) spec.clusterIPs = old.spec.clusterIPs
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const used = new Set((spec.ports ?? []).map((p) => p.nodePort).filter((n) => n))
    const byName = new Map((old.spec?.ports ?? []).map((p) => [p.name ?? '', p.nodePort]))
    for (const p of spec.ports ?? []) {
      const prev = byName.get(p.name ?? '')
      if (!p.nodePort && prev && !used.has(prev)) p.nodePort = prev
    }
  }
  if (needsHCNodePort(old) && needsHCNodePort(svc)) spec.healthCheckNodePort ||= old.spec?.healthCheckNodePort
}

/** Keeps clusterIP and clusterIPs consistent for clients that only know the singular field. */
function normalizeClusterIPs(svc: Service, old?: Service) {
  const spec = svc.spec!
  if (!old) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP]
    return
  }
  const sameIPs = () => semanticEqual(spec.clusterIPs, old.spec?.clusterIPs)
  if (old.spec?.clusterIPs?.length && !spec.clusterIPs?.length && (old.spec.clusterIP ?? '') === (spec.clusterIP ?? '')) {
    spec.clusterIPs = old.spec.clusterIPs
  }
  if ((old.spec?.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (old.spec?.clusterIP && !spec.clusterIP && sameIPs()) delete spec.clusterIPs
    if (spec.clusterIP && sameIPs()) spec.clusterIPs = [spec.clusterIP]
  }
}

/** Fields the server filled for the old type that the new type does not use. */
function dropTypeDependentFields(svc: Service, old: Service) {
  const spec = svc.spec!
  const o = old.spec ?? {}
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (semanticEqual(spec.clusterIPs, o.clusterIPs) && (spec.clusterIP ?? '') === (o.clusterIP ?? '')) { delete spec.clusterIP; delete spec.clusterIPs }
    if (semanticEqual(spec.ipFamilies, o.ipFamilies)) delete spec.ipFamilies
    if (spec.ipFamilyPolicy === o.ipFamilyPolicy) delete spec.ipFamilyPolicy
  }
  if (needsNodePort(old) && !needsNodePort(svc)) {
    const same = (spec.ports ?? []).every((p, i) => p.nodePort === o.ports?.[i]?.nodePort) && (spec.ports?.length === o.ports?.length)
    if (same) for (const p of spec.ports ?? []) delete p.nodePort
  }
  if (needsHCNodePort(old) && !needsHCNodePort(svc) && spec.healthCheckNodePort === o.healthCheckNodePort) delete spec.healthCheckNodePort
  if (o.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts
    if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass === o.loadBalancerClass) delete spec.loadBalancerClass
  }
  if (externallyAccessible(old) && !externallyAccessible(svc) && spec.externalTrafficPolicy === o.externalTrafficPolicy) delete spec.externalTrafficPolicy
  if (spec.type !== 'LoadBalancer') w(svc).status = { ...svc.status, loadBalancer: {} }
}

/** Load balancer addresses, cut to 16 characters unless wide (the server always prints wide). */
function loadBalancerIPs(svc: Service): string {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname).filter((x): x is string => !!x).join(',')
}

export function serviceExternalIP(svc: Service): string {
  const ext = svc.spec?.externalIPs ?? []
  switch (svc.spec?.type) {
    case 'ClusterIP': case 'NodePort':
      return ext.length ? ext.join(',') : '<none>'
    case 'LoadBalancer': {
      const lb = loadBalancerIPs(svc)
      if (ext.length) return [...(lb ? lb.split(',') : []), ...ext].join(',')
      return lb || '<pending>'
    }
    case 'ExternalName':
      return svc.spec.externalName ?? ''
  }
  return '<unknown>'
}

/** "80/TCP,443:30443/TCP". */
export function servicePorts(svc: Service): string {
  const s = (svc.spec?.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',')
  return s || '<none>'
}

const columns: Column<Service>[] = [
  nameColumn,
  { name: 'Type', type: 'string', description: 'How the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.', cell: (s) => s.spec?.type ?? '' },
  { name: 'Cluster-IP', type: 'string', description: 'The virtual IP of the Service inside the cluster.', cell: (s) => s.spec?.clusterIPs?.[0] || '<none>' },
  { name: 'External-IP', type: 'string', description: 'Addresses the Service is reachable at from outside the cluster.', cell: serviceExternalIP },
  { name: 'Port(s)', type: 'string', description: 'The ports the Service exposes.', cell: servicePorts },
  ageColumn,
  { name: 'Selector', type: 'string', priority: 1, description: 'Labels of the pods the Service routes traffic to.', cell: (s) => formatMapSelector(s.spec?.selector) },
]

export const services = {
  group: '', version: 'v1', kind: 'Service', resource: 'services', singular: 'service', namespaced: true,
  shortNames: ['svc'], categories: ['all'], schema: 'io.k8s.api.core.v1.Service',
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: {
    status: true,
    extra: [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
  },
  validateName: isDNS1035Label,
  defaults: defaultService,
  prepareForCreate(svc) {
    // Go marshals the non-pointer LoadBalancerStatus, so a new Service shows `loadBalancer: {}`.
    w(svc).status = { loadBalancer: {} }
    normalizeClusterIPs(svc)
  },
  prepareForUpdate(svc, old) {
    w(svc).status = old.status ?? { loadBalancer: {} }
    svc.spec ??= {}
    patchAllocatedValues(svc, old)
    normalizeClusterIPs(svc, old)
    dropTypeDependentFields(svc, old)
  },
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  status: {
    prepareForUpdate(svc, old) {
      svc.spec = old.spec
      w(svc).status = { ...svc.status, loadBalancer: svc.status?.loadBalancer ?? {} }
    },
    validateUpdate: validateServiceStatusUpdate,
  },
  columns,
} satisfies ResourceType<Service>

/**
 * @module
 * networking.k8s.io/v1 Ingress: status split from spec, generation on spec changes, upstream's
 * validation and table columns (Name, Class, Hosts, Address, Ports, Age).
 */
// Upstream: pkg/registry/networking/ingress/strategy.go; pkg/printers/internalversion/printers.go (printIngress).
import type { Ingress, IngressLoadBalancerStatus, IngressRule } from 'kubernetes-types/networking/v1.js'
import type { KubeObject } from '../../api/meta.js'
import { semanticEqual } from '../../api/meta.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { validateIngress, validateIngressStatus } from './ingress-validation.js'

type IngressObj = Ingress & KubeObject

/** Up to three hosts, then "+ N more..."; "*" when no rule names a host. */
export function formatHosts(rules: IngressRule[] | undefined): string {
  const list: string[] = []
  let more = false
  for (const rule of rules ?? []) {
    if (list.length === 3) more = true
    if (!more && rule.host) list.push(rule.host)
  }
  if (list.length === 0) return '*'
  return more ? `${list.join(',')} + ${(rules?.length ?? 0) - 3} more...` : list.join(',')
}

/** Distinct load-balancer IPs (else hostnames), sorted; the server prints wide, so unclipped. */
export function formatIngressAddress(lb: IngressLoadBalancerStatus | undefined): string {
  const seen = new Set<string>()
  for (const i of lb?.ingress ?? []) {
    if (i.ip) seen.add(i.ip)
    else if (i.hostname) seen.add(i.hostname)
  }
  return [...seen].sort().join(',')
}

export const ingresses = {
  group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', resource: 'ingresses', singular: 'ingress',
  namespaced: true, shortNames: ['ing'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: { status: true },
  schema: 'io.k8s.api.networking.v1.Ingress',
  prepareForCreate(obj) {
    obj.status = {} // the ingress controller writes status, never the creator
    obj.metadata = { ...obj.metadata, generation: 1 }
  },
  prepareForUpdate(obj, old) {
    obj.status = old.status
    const changed = !semanticEqual(obj.spec, old.spec)
    obj.metadata = { ...obj.metadata, generation: (old.metadata?.generation ?? 0) + Number(changed) }
  },
  validate: validateIngress,
  status: {
    prepareForUpdate(obj, old) {
      obj.spec = old.spec
    },
    validateUpdate: (obj) => validateIngressStatus(obj),
  },
  columns: [
    nameColumn,
    { name: 'Class', type: 'string', description: 'The name of the IngressClass resource that should be used for additional configuration', cell: (o) => o.spec?.ingressClassName ?? '<none>' },
    { name: 'Hosts', type: 'string', description: 'Hosts that incoming requests are matched against before the ingress rule', cell: (o) => formatHosts(o.spec?.rules) },
    { name: 'Address', type: 'string', description: 'Address is a list containing ingress points for the load-balancer', cell: (o) => formatIngressAddress(o.status?.loadBalancer) },
    { name: 'Ports', type: 'string', description: 'Ports of TLS configurations that open', cell: (o) => (o.spec?.tls?.length ? '80, 443' : '80') },
    ageColumn,
  ],
} satisfies ResourceType<IngressObj>

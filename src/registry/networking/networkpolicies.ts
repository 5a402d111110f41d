/**
 * @module
 * networking.k8s.io/v1 NetworkPolicy: policyTypes and port protocol defaults, peers, ports
 * and ipBlocks validated as upstream, columns Name, Pod-Selector, Age.
 */
// Upstream: pkg/registry/networking/networkpolicy/strategy.go; pkg/apis/networking/v1/defaults.go;
// pkg/apis/networking/validation/validation.go (ValidateNetworkPolicySpec and helpers).
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js'
import { forbiddenField, invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { validateLabelSelectorMeta } from '../../api/index.js'
import type { KubeObject } from '../../api/meta.js'
import { semanticEqual } from '../../api/meta.js'
import { isValidPortName, isValidPortNum } from '../../api/names.js'
import { ageColumn, formatLabelSelector, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { cidrErrors, isStrictSubset, parseCidr } from './net-checks.js'

type NetworkPolicyObj = NetworkPolicy & KubeObject

function validatePort(port: NetworkPolicyPort, at: string): FieldError[] {
  const errs: FieldError[] = []
  if (port.protocol !== undefined && port.protocol !== null && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) {
    errs.push(notSupported(path(at, 'protocol'), port.protocol, ['TCP', 'UDP', 'SCTP']))
  }
  const hasEnd = port.endPort !== undefined && port.endPort !== null
  if (port.port === undefined || port.port === null) {
    if (hasEnd) errs.push(invalidValue(path(at, 'endPort'), port.endPort, 'may not be specified when `port` is not specified'))
  } else if (typeof port.port === 'number') {
    for (const m of isValidPortNum(port.port)) errs.push(invalidValue(path(at, 'port'), port.port, m))
    if (hasEnd) {
      if (port.endPort! < port.port) errs.push(invalidValue(path(at, 'endPort'), port.port, 'must be greater than or equal to `port`'))
      for (const m of isValidPortNum(port.endPort!)) errs.push(invalidValue(path(at, 'endPort'), port.endPort, m))
    }
  } else {
    if (hasEnd) errs.push(invalidValue(path(at, 'endPort'), port.endPort, 'may not be specified when `port` is non-numeric'))
    for (const m of isValidPortName(port.port)) errs.push(invalidValue(path(at, 'port'), port.port, m))
  }
  return errs
}

function validatePeer(peer: NetworkPolicyPeer, at: string): FieldError[] {
  const errs: FieldError[] = []
  let peers = 0
  if (peer.podSelector) { peers++; errs.push(...validateLabelSelectorMeta(peer.podSelector, path(at, 'podSelector'))) }
  if (peer.namespaceSelector) { peers++; errs.push(...validateLabelSelectorMeta(peer.namespaceSelector, path(at, 'namespaceSelector'))) }
  if (peer.ipBlock) {
    peers++
    const ip = path(at, 'ipBlock')
    const cidrText = peer.ipBlock.cidr ?? ''
    if (!cidrText) errs.push(required(path(ip, 'cidr')))
    else {
      for (const m of cidrErrors(cidrText)) errs.push(invalidValue(path(ip, 'cidr'), cidrText, m))
      const outer = parseCidr(cidrText)
      if (outer) {
        ;(peer.ipBlock.except ?? []).forEach((ex, i) => {
          const ep = path(ip, 'except', i)
          const inner = parseCidr(ex)
          if (!inner) for (const m of cidrErrors(ex)) errs.push(invalidValue(ep, ex, m))
          else if (!isStrictSubset(inner, outer)) errs.push(invalidValue(ep, ex, 'must be a strict subset of `cidr`'))
        })
      }
    }
  }
  if (peers === 0) errs.push(required(at, 'must specify a peer'))
  else if (peers > 1 && peer.ipBlock) errs.push(forbiddenField(at, 'may not specify both ipBlock and another peer'))
  return errs
}

function validateNetworkPolicy(np: NetworkPolicyObj): FieldError[] {
  const spec = np.spec ?? { podSelector: {} }
  const errs = validateLabelSelectorMeta(spec.podSelector ?? {}, 'spec.podSelector')
  ;(spec.ingress ?? []).forEach((rule, i) => {
    ;(rule.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, path('spec', 'ingress', i, 'ports', j))))
    ;(rule.from ?? []).forEach((p, j) => errs.push(...validatePeer(p, path('spec', 'ingress', i, 'from', j))))
  })
  ;(spec.egress ?? []).forEach((rule, i) => {
    ;(rule.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, path('spec', 'egress', i, 'ports', j))))
    ;(rule.to ?? []).forEach((p, j) => errs.push(...validatePeer(p, path('spec', 'egress', i, 'to', j))))
  })
  const types = spec.policyTypes ?? []
  if (types.length > 2) {
    errs.push(invalidValue('spec.policyTypes', types, 'may not specify more than two policyTypes'))
    return errs
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(path('spec', 'policyTypes', i), t, ['Ingress', 'Egress']))
  })
  return errs
}

export const networkPolicies = {
  group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', resource: 'networkpolicies', singular: 'networkpolicy',
  namespaced: true, shortNames: ['netpol'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  schema: 'io.k8s.api.networking.v1.NetworkPolicy',
  defaults(obj) {
    const spec = obj.spec
    if (!spec) return
    for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
      for (const p of rule.ports ?? []) if (!p.protocol) p.protocol = 'TCP'
    }
    // A policy that names no types isolates ingress, and egress too once it has egress rules.
    if (!spec.policyTypes?.length) {
      spec.policyTypes = spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress']
    }
  },
  prepareForCreate(obj) {
    obj.metadata = { ...obj.metadata, generation: 1 }
  },
  prepareForUpdate(obj, old) {
    const changed = !semanticEqual(obj.spec, old.spec)
    obj.metadata = { ...obj.metadata, generation: (old.metadata?.generation ?? 0) + Number(changed) }
  },
  validate: validateNetworkPolicy,
  columns: [
    nameColumn,
    { name: 'Pod-Selector', type: 'string', description: 'The label selector choosing the pods this policy applies to.', cell: (o) => formatLabelSelector(o.spec?.podSelector) },
    ageColumn,
  ],
} satisfies ResourceType<NetworkPolicyObj>

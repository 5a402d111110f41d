/**
 * @module
 * discovery.k8s.io/v1 EndpointSlice: port defaults, address checks per addressType (immutable),
 * generation on any non-metadata change, columns Name, AddressType, Ports, Endpoints, Age.
 */
// Upstream: pkg/registry/discovery/endpointslice/strategy.go; pkg/apis/discovery/v1/defaults.go;
// pkg/apis/discovery/validation/validation.go; pkg/printers/internalversion/printers.go (printEndpointSlice).
import { isIP } from 'node:net'
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js'
import { duplicate, immutable, invalidValue, notSupported, path, required, tooMany, type FieldError } from '../../api/field-errors.js'
import type { KubeObject } from '../../api/meta.js'
import { semanticEqual } from '../../api/meta.js'
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../../api/names.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'

type EndpointSliceObj = EndpointSlice & KubeObject

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6']
const PROTOCOLS = ['SCTP', 'TCP', 'UDP']
const MAX_ENDPOINTS = 1000
const MAX_ADDRESSES = 100
const MAX_PORTS = 20000

// Upstream: pkg/apis/core/validation/validation.go (ValidateNonSpecialIP). Deliberate
// difference: loopback is allowed, because kubelite's API server is reached on 127.0.0.1 and
// the `kubernetes` EndpointSlice says so (core Endpoints make the same exception).
function specialIPErrors(ip: string): string[] {
  const v4 = isIP(ip) === 4
  if (ip === '0.0.0.0' || /^[0:]+$/.test(ip)) return ['may not be unspecified (0.0.0.0, ::)']
  if (v4 ? ip.startsWith('169.254.') : /^fe[89ab]/i.test(ip)) return ['may not be in the link-local range (169.254.0.0/16, fe80::/10)']
  if (v4 ? ip.startsWith('224.0.0.') : /^ff02:/i.test(ip)) return ['may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)']
  return []
}

function addressErrors(addressType: string, address: string): string[] {
  switch (addressType) {
    case 'IPv4': return isIP(address) === 4 ? specialIPErrors(address) : ['must be a valid IPv4 address']
    case 'IPv6': return isIP(address) === 6 ? specialIPErrors(address) : ['must be a valid IPv6 address']
    case 'FQDN': return isDNS1123Subdomain(address)
    default: return [] // unknown types are left alone, as upstream does
  }
}

function validateEndpoints(endpoints: Endpoint[], addressType: string): FieldError[] {
  if (endpoints.length > MAX_ENDPOINTS) return [tooMany('endpoints', endpoints.length, MAX_ENDPOINTS)]
  const errs: FieldError[] = []
  endpoints.forEach((ep, i) => {
    const at = path('endpoints', i)
    const addresses = ep.addresses ?? []
    if (addresses.length === 0) errs.push(required(path(at, 'addresses'), 'must contain at least 1 address'))
    else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(path(at, 'addresses'), addresses.length, MAX_ADDRESSES))
    addresses.forEach((a, j) => {
      for (const m of addressErrors(addressType, a)) errs.push(invalidValue(path(at, 'addresses', j), a, m))
    })
    if (ep.hostname !== undefined && ep.hostname !== null) {
      for (const m of isDNS1123Label(ep.hostname)) errs.push(invalidValue(path(at, 'hostname'), ep.hostname, m))
    }
    if (ep.nodeName) {
      for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(invalidValue(path(at, 'nodeName'), ep.nodeName, m))
    }
  })
  return errs
}

function validatePorts(ports: EndpointPort[]): FieldError[] {
  if (ports.length > MAX_PORTS) return [tooMany('ports', ports.length, MAX_PORTS)]
  const errs: FieldError[] = []
  const names = new Set<string>()
  ports.forEach((p, i) => {
    const at = path('ports', i)
    const name = p.name ?? ''
    if (name) for (const m of isDNS1123Label(name)) errs.push(invalidValue(path(at, 'name'), name, m))
    if (names.has(name)) errs.push(duplicate(path(at, 'name'), name))
    names.add(name)
    if (!p.protocol) errs.push(required(path(at, 'protocol')))
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(path(at, 'protocol'), p.protocol, PROTOCOLS))
    if (p.appProtocol !== undefined && p.appProtocol !== null) {
      for (const m of isQualifiedName(p.appProtocol)) errs.push(invalidValue(path(at, 'appProtocol'), p.appProtocol, m))
    }
  })
  return errs
}

function validateEndpointSlice(eps: EndpointSliceObj): FieldError[] {
  const errs: FieldError[] = []
  const addressType = eps.addressType ?? ''
  if (!addressType) errs.push(required('addressType'))
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(notSupported('addressType', addressType, ADDRESS_TYPES))
  errs.push(...validateEndpoints(eps.endpoints ?? [], addressType))
  errs.push(...validatePorts(eps.ports ?? []))
  return errs
}

/** Joins up to three items; "+ N more..." past that; "<unset>" when empty. */
function listWithMore(items: string[]): string {
  if (items.length > 3) return `${items.slice(0, 3).join(',')} + ${items.length - 3} more...`
  return items.length ? items.join(',') : '<unset>'
}
/** The Ports cell: numbers, else names, else "*". */
export const formatSlicePorts = (ports: EndpointPort[] | undefined) =>
  listWithMore((ports ?? []).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : p.name ?? '*')))
/** The Endpoints cell: every endpoint's addresses, flattened. */
export const formatSliceEndpoints = (eps: Endpoint[] | undefined) =>
  listWithMore((eps ?? []).flatMap((e) => e.addresses ?? []))

const withoutMeta = (o: EndpointSliceObj) => ({ ...o, metadata: undefined, apiVersion: undefined, kind: undefined })

export const endpointSlices = {
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', singular: 'endpointslice',
  namespaced: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  schema: 'io.k8s.api.discovery.v1.EndpointSlice',
  defaults(obj) {
    for (const p of obj.ports ?? []) {
      if (p.name === undefined || p.name === null) p.name = ''
      if (!p.protocol) p.protocol = 'TCP'
    }
  },
  prepareForCreate(obj) {
    obj.metadata = { ...obj.metadata, generation: 1 }
  },
  prepareForUpdate(obj, old) {
    // Upstream bumps generation when anything but metadata changed, or the labels did.
    const changed = !semanticEqual(withoutMeta(obj), withoutMeta(old)) ||
      !semanticEqual(obj.metadata?.labels, old.metadata?.labels)
    obj.metadata = { ...obj.metadata, generation: (old.metadata?.generation ?? 0) + Number(changed) }
  },
  validate: validateEndpointSlice,
  validateUpdate(obj, old) {
    return obj.addressType === old.addressType ? [] : [immutable('addressType', obj.addressType)]
  },
  columns: [
    nameColumn,
    { name: 'AddressType', type: 'string', description: 'The type of address every endpoint in this slice carries.', cell: (o) => o.addressType ?? '' },
    { name: 'Ports', type: 'string', description: 'The network ports every endpoint in this slice exposes.', cell: (o) => formatSlicePorts(o.ports) },
    { name: 'Endpoints', type: 'string', description: 'The addresses of the endpoints in this slice.', cell: (o) => formatSliceEndpoints(o.endpoints) },
    ageColumn,
  ],
} satisfies ResourceType<EndpointSliceObj>

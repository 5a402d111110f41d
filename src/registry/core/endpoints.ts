/**
 * @module
 * Registry entries for Endpoints and ServiceAccounts (small kinds with little logic).
 */
// Upstream: pkg/apis/core/validation/validation.go (ValidateEndpoints, validateEndpointSubsets,
// validateEndpointPort), pkg/apis/core/v1/defaults.go (SetDefaults_Endpoints),
// pkg/registry/core/serviceaccount/strategy.go (cleanSecretReferences),
// pkg/printers/internalversion/printers.go (formatEndpoints, printServiceAccount).
import type { Endpoints, ServiceAccount } from 'kubernetes-types/core/v1.js'
import { duplicate, invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { isDNS1123Label, isValidPortNum } from '../../api/names.js'
import { ageColumn, nameColumn } from '../printers.js'
import type { ResourceType } from '../types.js'
import { PORT_PROTOCOLS } from './container-validation.js'
import { isValidIP } from './util.js'

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs: FieldError[] = []
  ;(ep.subsets ?? []).forEach((ss, i) => {
    const sp = path('subsets', i)
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) {
      errs.push(required(sp, 'must specify `addresses` or `notReadyAddresses`'))
    }
    for (const [k, list] of [['addresses', ss.addresses], ['notReadyAddresses', ss.notReadyAddresses]] as const) {
      ;(list ?? []).forEach((a, j) => {
        if (!isValidIP(a.ip)) errs.push(invalidValue(path(sp, k, j, 'ip'), a.ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'))
        if (a.hostname) for (const m of isDNS1123Label(a.hostname)) errs.push(invalidValue(path(sp, k, j, 'hostname'), a.hostname, m))
      })
    }
    const names = new Set<string>()
    ;(ss.ports ?? []).forEach((p, j) => {
      const pp = path(sp, 'ports', j)
      if ((ss.ports?.length ?? 0) > 1 && !p.name) errs.push(required(path(pp, 'name')))
      else if (p.name) {
        for (const m of isDNS1123Label(p.name)) errs.push(invalidValue(path(pp, 'name'), p.name, m))
        if (names.has(p.name)) errs.push(duplicate(path(pp, 'name'), p.name))
        names.add(p.name)
      }
      for (const m of isValidPortNum(p.port)) errs.push(invalidValue(path(pp, 'port'), p.port, m))
      if (!p.protocol) errs.push(required(path(pp, 'protocol')))
      else if (!PORT_PROTOCOLS.includes(p.protocol)) errs.push(notSupported(path(pp, 'protocol'), p.protocol, PORT_PROTOCOLS))
    })
  })
  return errs
}

/** "10.0.0.1:80,10.0.0.2:80 + 3 more...", at most three addresses shown. */
export function formatEndpoints(ep: Endpoints): string {
  if (!ep.subsets?.length) return '<none>'
  const max = 3
  const list: string[] = []
  let count = 0
  let more = false
  const add = (s: string) => { if (list.length === max) more = true; else list.push(s) }
  for (const ss of ep.subsets) {
    const addrs = ss.addresses ?? []
    if (!ss.ports?.length) {
      count += addrs.length
      for (const a of addrs) add(a.ip)
      continue
    }
    for (const p of ss.ports) {
      count += addrs.length
      for (const a of addrs) add(a.ip.includes(':') ? `[${a.ip}]:${p.port}` : `${a.ip}:${p.port}`)
    }
  }
  if (more) return `${list.join(',')} + ${count - max} more...`
  return list.join(',') || '<none>'
}

export const endpoints = {
  group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', singular: 'endpoints', namespaced: true,
  shortNames: ['ep'], verbs: VERBS, schema: 'io.k8s.api.core.v1.Endpoints',
  defaults(ep) {
    for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ||= 'TCP'
  },
  validate: validateEndpoints,
  columns: [
    nameColumn,
    { name: 'Endpoints', type: 'string', description: 'The addresses and ports that back the service.', cell: formatEndpoints },
    ageColumn,
  ],
} satisfies ResourceType<Endpoints>

export const serviceaccounts = {
  group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', singular: 'serviceaccount', namespaced: true,
  shortNames: ['sa'], verbs: VERBS, schema: 'io.k8s.api.core.v1.ServiceAccount',
  subresources: { extra: [{ name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }] },
  // Secret references keep only their name: anything else would point outside the namespace.
  prepareForCreate(sa) {
    if (sa.secrets) sa.secrets = sa.secrets.map((s) => ({ name: s.name }))
  },
  prepareForUpdate(sa) {
    if (sa.secrets) sa.secrets = sa.secrets.map((s) => ({ name: s.name }))
  },
  columns: [
    nameColumn,
    { name: 'Secrets', type: 'string', description: 'Number of secrets listed in the service account.', cell: (sa) => sa.secrets?.length ?? 0 },
    ageColumn,
  ],
} satisfies ResourceType<ServiceAccount>

/**
 * @module
 * Service validation: ports, type, selector, session affinity, cluster IPs and IP families,
 * traffic policies, and what an update may not change (the allocated cluster IPs).
 */
// Upstream: pkg/apis/core/validation/validation.go (ValidateService, validateServicePort,
// ValidateServiceClusterIPsRelatedFields, validateServiceExternalTrafficPolicy,
// validateServiceInternalTrafficFieldsValue, ValidateServiceUpdate, validateUpgradeDowngradeClusterIPs,
// ValidateServiceStatusUpdate).
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js'
import {
  duplicate, forbiddenField, invalidValue, notSupported, path, required, type FieldError,
} from '../../api/field-errors.js'
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortName, isValidPortNum } from '../../api/names.js'
import { validateLabels } from '../meta-validation.js'
import { PORT_PROTOCOLS } from './container-validation.js'
import { isValidIP } from './util.js'

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']
const KUBELET_PORT = 10250
const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'

export const isHeadless = (s: Service) => s.spec?.clusterIP === 'None'
/** LoadBalancer, NodePort, or ClusterIP with external IPs: reachable from outside the cluster. */
export const externallyAccessible = (s: Service) =>
  s.spec?.type === 'LoadBalancer' || s.spec?.type === 'NodePort' || (s.spec?.type === 'ClusterIP' && (s.spec.externalIPs?.length ?? 0) > 0)

/** Go's %#v of a []string, as upstream renders the clusterIPs value. */
function invalidStrings(field: string, values: string[] | undefined, detail: string): FieldError {
  const body = `Invalid value: []string${values ? `{${values.map((v) => JSON.stringify(v)).join(', ')}}` : '(nil)'}: ${detail}`
  return { type: 'FieldValueInvalid', field, message: body, error: `${field}: ${body}` }
}

function validatePort(sp: ServicePort, requireName: boolean, names: Set<string>, p: string): FieldError[] {
  const errs: FieldError[] = []
  if (requireName && !sp.name) errs.push(required(path(p, 'name')))
  else if (sp.name) {
    for (const m of isDNS1123Label(sp.name)) errs.push(invalidValue(path(p, 'name'), sp.name, m))
    if (names.has(sp.name)) errs.push(duplicate(path(p, 'name'), sp.name))
    else names.add(sp.name)
  }
  for (const m of isValidPortNum(sp.port)) errs.push(invalidValue(path(p, 'port'), sp.port, m))
  if (!sp.protocol) errs.push(required(path(p, 'protocol')))
  else if (!PORT_PROTOCOLS.includes(sp.protocol)) errs.push(notSupported(path(p, 'protocol'), sp.protocol, PORT_PROTOCOLS))
  const tp = sp.targetPort
  if (typeof tp === 'number') for (const m of isValidPortNum(tp)) errs.push(invalidValue(path(p, 'targetPort'), tp, m))
  else if (typeof tp === 'string') for (const m of isValidPortName(tp)) errs.push(invalidValue(path(p, 'targetPort'), tp, m))
  if (sp.appProtocol !== undefined) for (const m of isQualifiedName(sp.appProtocol)) errs.push(invalidValue(path(p, 'appProtocol'), sp.appProtocol, m))
  return errs
}

function validateClusterIPs(svc: Service): FieldError[] {
  const spec = svc.spec ?? {}
  const errs: FieldError[] = []
  const ips = spec.clusterIPs ?? []
  if (spec.type === 'ExternalName') return errs
  if (spec.clusterIP && ips.length && ips[0] !== spec.clusterIP) {
    errs.push(invalidStrings('spec.clusterIPs', ips, 'first value must match `clusterIP`'))
  }
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') return
    if (ip === 'None') errs.push(invalidValue(`spec.clusterIPs[${i}]`, ip, "'None' may only be set as the first value"))
    else if (!isValidIP(ip)) errs.push(invalidValue(`spec.clusterIPs[${i}]`, ip, IP_MSG))
  })
  if (ips.length > 2) errs.push(invalidStrings('spec.clusterIPs', ips, 'may only hold up to 2 values'))
  const policy = spec.ipFamilyPolicy
  if (policy && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(policy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', policy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']))
  }
  const fams = spec.ipFamilies ?? []
  fams.forEach((f, i) => {
    if (!['IPv4', 'IPv6'].includes(f)) errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']))
    else if (fams.indexOf(f) !== i) errs.push(duplicate(`spec.ipFamilies[${i}]`, f))
  })
  if (fams.length > 1 && policy === 'SingleStack') {
    errs.push(invalidValue('spec.ipFamilies', fams, 'when multiple IP families are specified, IP family policy must be PreferDualStack or RequireDualStack'))
  }
  return errs
}

/** Everything a Service must satisfy, created or updated. Never mutates. */
export function validateService(svc: Service): FieldError[] {
  const spec = svc.spec ?? {}
  const errs: FieldError[] = []
  const ports = spec.ports ?? []
  const headless = isHeadless(svc)
  if (!ports.length && !headless && spec.type !== 'ExternalName') errs.push(required('spec.ports'))
  switch (spec.type) {
    case 'LoadBalancer':
      ports.forEach((p, i) => {
        if (p.port === KUBELET_PORT) errs.push(invalidValue(`spec.ports[${i}]`, p.port, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`))
      })
      if (headless) errs.push(invalidValue('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"))
      break
    case 'NodePort':
      if (headless) errs.push(invalidValue('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"))
      break
    case 'ExternalName': {
      if (spec.clusterIPs?.length) errs.push(forbiddenField('spec.clusterIPs', 'may not be set for ExternalName services'))
      if (spec.ipFamilies?.length) errs.push(forbiddenField('spec.ipFamilies', 'may not be set for ExternalName services'))
      if (spec.ipFamilyPolicy) errs.push(forbiddenField('spec.ipFamilyPolicy', 'may not be set for ExternalName services'))
      const cname = (spec.externalName ?? '').replace(/\.$/, '')
      if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(invalidValue('spec.externalName', cname, m))
      else errs.push(required('spec.externalName'))
      break
    }
  }
  const names = new Set<string>()
  ports.forEach((p, i) => errs.push(...validatePort(p, ports.length > 1, names, `spec.ports[${i}]`)))
  if (spec.selector) errs.push(...validateLabels(spec.selector, 'spec.selector'))
  const aff = spec.sessionAffinity
  if (!aff) errs.push(required('spec.sessionAffinity'))
  else if (!['ClientIP', 'None'].includes(aff)) errs.push(notSupported('spec.sessionAffinity', aff, ['ClientIP', 'None']))
  if (aff === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds
    if (t === undefined) errs.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds'))
    else if (t <= 0 || t > 86400) errs.push(invalidValue('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'))
  } else if (aff === 'None' && spec.sessionAffinityConfig) {
    errs.push(forbiddenField('spec.sessionAffinityConfig', 'must not be set when session affinity is None'))
  }
  errs.push(...validateClusterIPs(svc))
  ;(spec.externalIPs ?? []).forEach((ip, i) => {
    if (!isValidIP(ip)) errs.push(invalidValue(`spec.externalIPs[${i}]`, ip, IP_MSG))
  })
  if (!spec.type) errs.push(required('spec.type'))
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, SERVICE_TYPES))
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => { if (p.nodePort) errs.push(forbiddenField(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'")) })
  }
  const nodePorts = new Set<string>()
  const seen = new Set<string>()
  ports.forEach((p, i) => {
    if (p.nodePort) {
      const k = `${p.protocol}/${p.nodePort}`
      if (nodePorts.has(k)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort))
      nodePorts.add(k)
    }
    const k = `${p.protocol}/${p.port}`
    if (seen.has(k)) errs.push(duplicate(`spec.ports[${i}]`, { port: p.port, protocol: p.protocol }))
    seen.add(k)
  })
  const etp = spec.externalTrafficPolicy
  if (!externallyAccessible(svc)) {
    if (etp) errs.push(invalidValue('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'))
  } else if (!etp) errs.push(required('spec.externalTrafficPolicy'))
  else if (!['Cluster', 'Local'].includes(etp)) errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']))
  if (spec.healthCheckNodePort && !(spec.type === 'LoadBalancer' && etp === 'Local')) {
    errs.push(invalidValue('spec.healthCheckNodePort', spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
  }
  const itp = spec.internalTrafficPolicy
  if (!itp) {
    if (spec.type !== 'ExternalName') errs.push(required('spec.internalTrafficPolicy'))
  } else if (!['Cluster', 'Local'].includes(itp)) errs.push(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']))
  return errs
}

/** Allocated cluster IPs are fixed once set (unless the type moves to or from ExternalName). */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs: FieldError[] = []
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return errs
  if (isHeadless(svc) && isHeadless(old)) return errs
  const next = svc.spec?.clusterIPs ?? []
  const prev = old.spec?.clusterIPs ?? []
  if (next.length === prev.length) {
    prev.forEach((ip, i) => { if (ip !== next[i]) errs.push(invalidStrings(`spec.clusterIPs[${i}]`, svc.spec?.clusterIPs, 'may not change once set')) })
  } else if (prev.length > next.length) {
    if (next.length === 0) errs.push(invalidStrings('spec.clusterIPs[0]', svc.spec?.clusterIPs, 'primary clusterIP can not be unset'))
    if (prev.length && next.length && next[0] !== prev[0]) errs.push(invalidStrings('spec.clusterIPs[0]', svc.spec?.clusterIPs, 'may not change once set'))
    if (next.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalidStrings('spec.clusterIPs[0]', svc.spec?.clusterIPs, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"))
    }
  } else if (prev.length && next[0] !== prev[0]) {
    errs.push(invalidStrings('spec.clusterIPs[0]', svc.spec?.clusterIPs, 'may not change once set'))
  }
  const fams = svc.spec?.ipFamilies ?? []
  const oldFams = old.spec?.ipFamilies ?? []
  if (oldFams.length && fams.length && fams[0] !== oldFams[0]) {
    errs.push(invalidValue('spec.ipFamilies[0]', fams[0], 'may not change once set'))
  }
  return errs
}

/** pods/status-like rules for services/status: load balancer ingress addresses. */
export function validateServiceStatusUpdate(svc: Service, _old: Service): FieldError[] {
  const errs: FieldError[] = []
  ;(svc.status?.loadBalancer?.ingress ?? []).forEach((ing, i) => {
    const p = `status.loadBalancer.ingress[${i}]`
    if (ing.ip && !isValidIP(ing.ip)) errs.push(invalidValue(`${p}.ip`, ing.ip, IP_MSG))
    if (ing.hostname) {
      for (const m of isDNS1123Subdomain(ing.hostname)) errs.push(invalidValue(`${p}.hostname`, ing.hostname, m))
      if (isValidIP(ing.hostname)) errs.push(invalidValue(`${p}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'))
    }
    if (ing.ipMode && !ing.ip) errs.push(forbiddenField(`${p}.ipMode`, 'may not be specified when `ip` is not set'))
  })
  return errs
}

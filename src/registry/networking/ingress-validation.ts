/**
 * @module
 * Ingress spec and status validation with upstream's messages: rules and paths, path types,
 * backends (service name and port, or a resource), hosts including wildcards, TLS hosts.
 */
// Upstream: pkg/apis/networking/validation/validation.go (ValidateIngressSpec and helpers).
import type { Ingress, IngressBackend, IngressSpec, HTTPIngressPath } from 'kubernetes-types/networking/v1.js'
import { goValue, invalidValue, notSupported, path, required, type FieldError } from '../../api/field-errors.js'
import { isDNS1035Label, isDNS1123Subdomain, isValidPortName, isValidPortNum } from '../../api/names.js'
import { isValidPathSegmentName } from '../rbac/path-segment.js'
import { hostErrors, isIPAddress } from './net-checks.js'

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix']
const BAD_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F']
const BAD_SUFFIXES = ['/..', '/.']

/** Errors in an Ingress's spec (metadata is the store's job). */
export function validateIngress(ing: Ingress): FieldError[] {
  return validateIngressSpec(ing.spec ?? {}, 'spec')
}

function validateIngressSpec(spec: IngressSpec, at: string): FieldError[] {
  const errs: FieldError[] = []
  const rules = spec.rules ?? []
  if (rules.length === 0 && !spec.defaultBackend) {
    // Go prints the nil or empty rules slice with its type.
    errs.push(invalidValue(at, goValue(spec.rules ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'))
  }
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, path(at, 'defaultBackend')))
  rules.forEach((rule, i) => {
    const rp = path(at, 'rules', i)
    if (rule.host) {
      if (isIPAddress(rule.host)) errs.push(invalidValue(path(rp, 'host'), rule.host, 'must be a DNS name, not an IP address'))
      for (const m of hostErrors(rule.host)) errs.push(invalidValue(path(rp, 'host'), rule.host, m))
    }
    if (rule.http) {
      const paths = rule.http.paths ?? []
      if (paths.length === 0) errs.push(required(path(rp, 'http', 'paths')))
      paths.forEach((p, j) => errs.push(...validatePath(p, path(rp, 'http', 'paths', j))))
    }
  })
  ;(spec.tls ?? []).forEach((tls, i) => {
    ;(tls.hosts ?? []).forEach((host, j) => {
      for (const m of hostErrors(host)) errs.push(invalidValue(path(at, 'tls', i, 'hosts', j), host, m))
    })
    if (tls.secretName) {
      for (const m of isDNS1123Subdomain(tls.secretName)) errs.push(invalidValue(path(at, 'tls', i, 'secretName'), tls.secretName, m))
    }
  })
  if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) {
    for (const m of isDNS1123Subdomain(spec.ingressClassName)) errs.push(invalidValue(path(at, 'ingressClassName'), spec.ingressClassName, m))
  }
  return errs
}

function validatePath(p: HTTPIngressPath, at: string): FieldError[] {
  const errs: FieldError[] = []
  if (!p.pathType) return [required(path(at, 'pathType'), 'pathType must be specified')]
  const value = p.path ?? ''
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(invalidValue(path(at, 'path'), value, 'must be an absolute path'))
      for (const seq of BAD_SEQUENCES) if (value.includes(seq)) errs.push(invalidValue(path(at, 'path'), value, `must not contain '${seq}'`))
      for (const suf of BAD_SUFFIXES) if (value.endsWith(suf)) errs.push(invalidValue(path(at, 'path'), value, `cannot end with '${suf}'`))
      break
    case 'ImplementationSpecific':
      if (value && !value.startsWith('/')) errs.push(invalidValue(path(at, 'path'), value, 'must be an absolute path'))
      break
    default:
      errs.push(notSupported(path(at, 'pathType'), p.pathType, PATH_TYPES))
  }
  errs.push(...validateBackend(p.backend ?? {}, path(at, 'backend')))
  return errs
}

/** A backend names a Service (with a port name or number) or a resource, never both. */
export function validateBackend(b: IngressBackend, at: string): FieldError[] {
  if (b.resource && b.service) return [invalidValue(at, '', 'cannot set both resource and service backends')]
  if (b.resource) return validateTypedReference(b.resource, path(at, 'resource'))
  if (!b.service) return [invalidValue(at, '', 'resource or service backend is required')]
  const errs: FieldError[] = []
  const name = b.service.name ?? ''
  if (!name) errs.push(required(path(at, 'service', 'name')))
  else for (const m of isDNS1035Label(name)) errs.push(invalidValue(path(at, 'service', 'name'), name, m))
  const portName = b.service.port?.name ?? ''
  const portNumber = b.service.port?.number ?? 0
  if (portName && portNumber) errs.push(invalidValue(at, '', 'cannot set both port name & port number'))
  else if (portName) for (const m of isValidPortName(portName)) errs.push(invalidValue(path(at, 'service', 'port', 'name'), portName, m))
  else if (portNumber) for (const m of isValidPortNum(portNumber)) errs.push(invalidValue(path(at, 'service', 'port', 'number'), portNumber, m))
  else errs.push(required(at, 'port name or number is required'))
  return errs
}

/** apiGroup/kind/name reference (ingress resource backends, ingress class parameters). */
export function validateTypedReference(ref: { apiGroup?: string; kind?: string; name?: string }, at: string): FieldError[] {
  const errs: FieldError[] = []
  if (ref.apiGroup !== undefined && ref.apiGroup !== null) {
    for (const m of isDNS1123Subdomain(ref.apiGroup)) errs.push(invalidValue(path(at, 'apiGroup'), ref.apiGroup, m))
  }
  if (!ref.kind) errs.push(required(path(at, 'kind'), 'kind is required'))
  else for (const m of isValidPathSegmentName(ref.kind)) errs.push(invalidValue(path(at, 'kind'), ref.kind, m))
  if (!ref.name) errs.push(required(path(at, 'name'), 'name is required'))
  else for (const m of isValidPathSegmentName(ref.name)) errs.push(invalidValue(path(at, 'name'), ref.name, m))
  return errs
}

/** PUT .../status: load balancer IPs must be IPs, hostnames must be DNS names. */
export function validateIngressStatus(ing: Ingress): FieldError[] {
  const errs: FieldError[] = []
  ;(ing.status?.loadBalancer?.ingress ?? []).forEach((lb, i) => {
    const at = path('status', 'loadBalancer', 'ingress', i)
    if (lb.ip && !isIPAddress(lb.ip)) errs.push(invalidValue(path(at, 'ip'), lb.ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'))
    if (lb.hostname) {
      for (const m of isDNS1123Subdomain(lb.hostname)) errs.push(invalidValue(path(at, 'hostname'), lb.hostname, m))
      if (isIPAddress(lb.hostname)) errs.push(invalidValue(path(at, 'hostname'), lb.hostname, 'must be a DNS name, not an IP address'))
    }
  })
  return errs
}


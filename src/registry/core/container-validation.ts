/**
 * @module
 * Validation of containers inside a pod spec: names, images, ports, env, mounts, probes,
 * resources, with upstream's field paths and messages.
 */
// Upstream: pkg/apis/core/validation/validation.go (validateContainers, validateInitContainers,
// validateContainerCommon, validateContainerPorts, ValidateEnv, validateEnvVarValueFrom,
// ValidateVolumeMounts, validateProbe, validateHandler, ValidateResourceRequirements).
import type { Container, EnvVar, Probe, ResourceRequirements } from 'kubernetes-types/core/v1.js'
import {
  duplicate, forbiddenField, invalidValue, notFoundField, notSupported, path, required, type FieldError,
} from '../../api/field-errors.js'
import { isConfigMapKey, isDNS1123Label, isValidPortName, isValidPortNum } from '../../api/names.js'
import { quantityValue } from './util.js'

export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP']
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never']
const TERMINATION_MESSAGE_POLICIES = ['FallbackToLogsOnError', 'File']
const ENV_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs']

type Ctx = { volumes: Set<string>; hostNetwork: boolean; init: boolean }

/** Regular containers (`init` false) or init containers, names unique across both lists. */
export function validateContainerList(list: Container[] | undefined, p: string, names: Set<string>, ctx: Ctx): FieldError[] {
  const errs: FieldError[] = []
  ;(list ?? []).forEach((c, i) => {
    const cp = path(p, i)
    if (!c.name) errs.push(required(path(cp, 'name')))
    else {
      for (const m of isDNS1123Label(c.name)) errs.push(invalidValue(path(cp, 'name'), c.name, m))
      if (names.has(c.name)) errs.push(duplicate(path(cp, 'name'), c.name))
      names.add(c.name)
    }
    errs.push(...validateContainer(c, cp, ctx))
  })
  return errs
}

function validateContainer(c: Container, p: string, ctx: Ctx): FieldError[] {
  const errs: FieldError[] = []
  if (!c.image) errs.push(required(path(p, 'image')))
  else if (c.image.trim() !== c.image) errs.push(invalidValue(path(p, 'image'), c.image, 'must not have leading or trailing whitespace'))
  if (!c.imagePullPolicy) errs.push(required(path(p, 'imagePullPolicy')))
  else if (!PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(notSupported(path(p, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES))
  if (!c.terminationMessagePolicy) errs.push(required(path(p, 'terminationMessagePolicy')))
  else if (!TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) {
    errs.push(notSupported(path(p, 'terminationMessagePolicy'), c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES))
  }
  const sidecar = ctx.init && c.restartPolicy === 'Always'
  if (c.restartPolicy !== undefined) {
    if (!ctx.init) errs.push(forbiddenField(path(p, 'restartPolicy'), 'may not be set for non-init containers'))
    else if (c.restartPolicy !== 'Always') errs.push(notSupported(path(p, 'restartPolicy'), c.restartPolicy, ['Always']))
  }
  errs.push(...validatePorts(c, path(p, 'ports'), ctx.hostNetwork))
  errs.push(...validateEnv(c.env, path(p, 'env')))
  ;(c.envFrom ?? []).forEach((e, i) => {
    const ep = path(p, 'envFrom', i)
    const n = Number(!!e.configMapRef) + Number(!!e.secretRef)
    if (n === 0) errs.push(invalidValue(ep, '', 'must specify one of: `configMapRef` or `secretRef`'))
    else if (n > 1) errs.push(invalidValue(ep, '', 'may not have more than one field specified at a time'))
    if (e.configMapRef && !e.configMapRef.name) errs.push(required(path(ep, 'configMapRef', 'name')))
    if (e.secretRef && !e.secretRef.name) errs.push(required(path(ep, 'secretRef', 'name')))
  })
  errs.push(...validateMounts(c, path(p, 'volumeMounts'), ctx.volumes))
  if (ctx.init && !sidecar) {
    for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[k]) errs.push(forbiddenField(path(p, k), 'may not be set for init containers without restartPolicy=Always'))
    }
  } else {
    errs.push(...validateProbe(c.livenessProbe, path(p, 'livenessProbe'), true))
    errs.push(...validateProbe(c.readinessProbe, path(p, 'readinessProbe'), false))
    errs.push(...validateProbe(c.startupProbe, path(p, 'startupProbe'), true))
    for (const h of ['postStart', 'preStop'] as const) {
      const handler = c.lifecycle?.[h]
      if (handler) errs.push(...validateHandler(handler, path(p, 'lifecycle', h)))
    }
  }
  errs.push(...validateResources(c.resources, path(p, 'resources')))
  return errs
}

function validatePorts(c: Container, p: string, hostNetwork: boolean): FieldError[] {
  const errs: FieldError[] = []
  const names = new Set<string>()
  ;(c.ports ?? []).forEach((port, i) => {
    const pp = path(p, i)
    if (port.name) {
      const msgs = isValidPortName(port.name)
      if (msgs.length) for (const m of msgs) errs.push(invalidValue(path(pp, 'name'), port.name, m))
      else if (names.has(port.name)) errs.push(duplicate(path(pp, 'name'), port.name))
      else names.add(port.name)
    }
    if (!port.containerPort) errs.push(required(path(pp, 'containerPort')))
    else for (const m of isValidPortNum(port.containerPort)) errs.push(invalidValue(path(pp, 'containerPort'), port.containerPort, m))
    if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(invalidValue(path(pp, 'hostPort'), port.hostPort, m))
    if (!port.protocol) errs.push(required(path(pp, 'protocol')))
    else if (!PORT_PROTOCOLS.includes(port.protocol)) errs.push(notSupported(path(pp, 'protocol'), port.protocol, PORT_PROTOCOLS))
    if (hostNetwork && port.hostPort !== port.containerPort) {
      errs.push(invalidValue(path(pp, 'hostPort'), port.hostPort ?? 0, 'must match `containerPort` when `hostNetwork` is true'))
    }
  })
  return errs
}

// RelaxedEnvironmentVariableValidation is on by default in 1.32: any printable ASCII but '='.
function envNameErrors(name: string): string[] {
  const errs: string[] = []
  if (!name) errs.push('environment variable name must be non-empty')
  if (/[^\x20-\x7e]|=/.test(name)) errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='")
  return errs
}

export function validateEnv(env: EnvVar[] | undefined, p: string): FieldError[] {
  const errs: FieldError[] = []
  ;(env ?? []).forEach((e, i) => {
    const ep = path(p, i)
    if (!e.name) errs.push(required(path(ep, 'name')))
    for (const m of envNameErrors(e.name ?? '')) errs.push(invalidValue(path(ep, 'name'), e.name ?? '', m))
    const from = e.valueFrom
    if (!from) return
    const vp = path(ep, 'valueFrom')
    let n = 0
    if (from.fieldRef) {
      n++
      const fp = path(vp, 'fieldRef')
      if (!from.fieldRef.apiVersion) errs.push(required(path(fp, 'apiVersion')))
      const fieldPath = from.fieldRef.fieldPath
      if (!fieldPath) errs.push(required(path(fp, 'fieldPath')))
      else if (!/^metadata\.(labels|annotations)\['.+'\]$/.test(fieldPath) && !ENV_FIELD_PATHS.includes(fieldPath)) {
        errs.push(notSupported(path(fp, 'fieldPath'), fieldPath, ENV_FIELD_PATHS))
      }
    }
    if (from.resourceFieldRef) {
      n++
      if (!from.resourceFieldRef.resource) errs.push(required(path(vp, 'resourceFieldRef', 'resource')))
    }
    for (const k of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const ref = from[k]
      if (!ref) continue
      n++
      if (!ref.name) errs.push(required(path(vp, k, 'name')))
      if (!ref.key) errs.push(required(path(vp, k, 'key')))
      else for (const m of isConfigMapKey(ref.key)) errs.push(invalidValue(path(vp, k, 'key'), ref.key, m))
    }
    if (n === 0) errs.push(invalidValue(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'))
    else if (e.value) errs.push(invalidValue(vp, '', 'may not be specified when `value` is not empty'))
    else if (n > 1) errs.push(invalidValue(vp, '', 'may not have more than one field specified at a time'))
  })
  return errs
}

function validateMounts(c: Container, p: string, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = []
  const seen = new Set<string>()
  ;(c.volumeMounts ?? []).forEach((m, i) => {
    const mp = path(p, i)
    if (!m.name) errs.push(required(path(mp, 'name')))
    if (!volumes.has(m.name)) errs.push(notFoundField(path(mp, 'name'), m.name ?? ''))
    if (!m.mountPath) errs.push(required(path(mp, 'mountPath')))
    if (seen.has(m.mountPath)) errs.push(invalidValue(path(mp, 'mountPath'), m.mountPath, 'must be unique'))
    seen.add(m.mountPath)
    if (m.subPath && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      errs.push(invalidValue(path(mp, 'subPath'), m.subPath, m.subPath.startsWith('/') ? 'must be a relative path' : "must not contain '..'"))
    }
  })
  return errs
}

type Handler = { exec?: { command?: string[] }; httpGet?: { path?: string; port: number | string; scheme?: string }; tcpSocket?: { port: number | string }; grpc?: { port: number }; sleep?: { seconds: number } }

function validatePortNumOrName(port: number | string | undefined, p: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalidValue(p, port, m))
  if (typeof port === 'string' && port) return isValidPortName(port).map((m) => invalidValue(p, port, m))
  return [required(p)]
}

function validateHandler(h: Handler, p: string): FieldError[] {
  const errs: FieldError[] = []
  let n = 0
  for (const k of ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const) {
    if (!h[k]) continue
    if (n > 0) { errs.push(forbiddenField(path(p, k), 'may not specify more than 1 handler type')); continue }
    n++
    if (k === 'exec' && !h.exec!.command?.length) errs.push(required(path(p, 'exec', 'command')))
    if (k === 'httpGet') {
      if (!h.httpGet!.path) errs.push(required(path(p, 'httpGet', 'path')))
      errs.push(...validatePortNumOrName(h.httpGet!.port, path(p, 'httpGet', 'port')))
      const scheme = h.httpGet!.scheme
      if (scheme && !['HTTP', 'HTTPS'].includes(scheme)) errs.push(notSupported(path(p, 'httpGet', 'scheme'), scheme, ['HTTP', 'HTTPS']))
    }
    if (k === 'tcpSocket') errs.push(...validatePortNumOrName(h.tcpSocket!.port, path(p, 'tcpSocket', 'port')))
    if (k === 'grpc') errs.push(...isValidPortNum(h.grpc!.port).map((m) => invalidValue(path(p, 'grpc', 'port'), h.grpc!.port, m)))
  }
  if (n === 0) errs.push(required(p, 'must specify a handler type'))
  return errs
}

function validateProbe(probe: Probe | undefined, p: string, successMustBeOne: boolean): FieldError[] {
  if (!probe) return []
  const errs = validateHandler(probe as Handler, p)
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = probe[k]
    if (v !== undefined && v < 0) errs.push(invalidValue(path(p, k), v, 'must be greater than or equal to 0'))
  }
  if (successMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(invalidValue(path(p, 'successThreshold'), probe.successThreshold, 'must be 1'))
  }
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(invalidValue(path(p, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'))
  }
  return errs
}

/** Quantities must parse and be non-negative; a request may not exceed its limit. */
export function validateResources(r: ResourceRequirements | undefined, p: string): FieldError[] {
  const errs: FieldError[] = []
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, q] of Object.entries(r?.[kind] ?? {})) {
      const v = quantityValue(q as string)
      const fp = path(p, kind, `[${name}]`)
      if (v === undefined) errs.push(invalidValue(fp, q, 'must be a valid quantity'))
      else if (v < 0) errs.push(invalidValue(fp, String(q), 'must be greater than or equal to 0'))
    }
  }
  for (const [name, q] of Object.entries(r?.requests ?? {})) {
    const limit = r?.limits?.[name]
    if (limit === undefined) continue
    const req = quantityValue(q as string)
    const lim = quantityValue(limit as string)
    if (req !== undefined && lim !== undefined && req > lim) {
      errs.push(invalidValue(path(p, 'requests'), String(q), `must be less than or equal to ${name} limit of ${limit}`))
    }
  }
  return errs
}

/**
 * @module
 * A container's environment as the kubelet builds it: Service variables, then `envFrom`,
 * then `env` with `$(VAR)` references expanded and `valueFrom` sources resolved; and the
 * same `$(VAR)` expansion for command and args.
 */
// Upstream: pkg/kubelet/kubelet_pods.go (makeEnvironmentVariables, getServiceEnvVarMap),
// pkg/kubelet/envvars/envvars.go (FromServices), third_party/forked/golang/expansion/expand.go,
// pkg/kubelet/container/helpers.go (ExpandContainerCommandAndArgs). Deliberate differences: the
// order is deterministic (Service variables, envFrom, env, each in declaration order; a later
// definition replaces the value in place) where upstream's comes out of a Go map; and keys that
// are not valid variable names are skipped with upstream's older InvalidEnvironmentVariableNames
// warning (handed to `opts.warn`), not passed through as relaxed validation now allows.
import type { Container, Pod, Service } from 'kubernetes-types/core/v1.js'
import type { Cached } from '../api/index.js'
import { containerResourceValue, podFieldValue, type NodeAllocatable } from './volumes/field-path.js'
import { ContainerConfigError, type ObjectSource, type PodRuntimeFacts } from './types.js'

export type EnvironmentOptions = {
  /** Overrides the pod's spec.enableServiceLinks (default true). */
  serviceLinks?: boolean
  /** For resourceFieldRef limits the container leaves unset. */
  nodeAllocatable?: NodeAllocatable
  /** Receives upstream's warning events (InvalidEnvironmentVariableNames). */
  warn?: (reason: string, message: string) => void
}

/**
 * Expands `$(VAR)` references: `$$` is a literal `$`, and a name `lookup` does not know is
 * left as written, so `$(UNKNOWN)` survives for the shell.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = ''
  let i = 0
  while (i < input.length) {
    const ch = input[i]!
    if (ch !== '$' || i + 1 >= input.length) { out += ch; i++; continue }
    const next = input[i + 1]!
    if (next === '$') { out += '$'; i += 2; continue }
    if (next === '(') {
      const close = input.indexOf(')', i + 2)
      if (close < 0) { out += '$('; i += 2; continue } // incomplete reference: kept as written
      const name = input.slice(i + 2, close)
      out += lookup(name) ?? `$(${name})`
      i = close + 1
      continue
    }
    out += '$' + next
    i += 2
  }
  return out
}

/** Expands `$(VAR)` in command or args against the container's final environment. */
export function expandArgs(args: string[], env: Array<[string, string]>): string[] {
  const vars = new Map(env)
  return args.map((a) => expand(a, (name) => vars.get(name)))
}

const isServiceIPSet = (s: Cached<Service>) => !!s.spec?.clusterIP && s.spec.clusterIP !== 'None'

function envVarName(s: string): string {
  const name = s.replace(/[.-]/g, '_').toUpperCase()
  return /^[0-9]/.test(name) ? `_${name}` : name
}

/** The variables upstream derives from one Service: `_SERVICE_HOST`, `_SERVICE_PORT*`, docker links. */
export function serviceVariables(svc: Cached<Service>): Array<[string, string]> {
  const ip = svc.spec?.clusterIP ?? ''
  const ports = svc.spec?.ports ?? []
  const prefix = envVarName(svc.metadata?.name ?? '')
  const out: Array<[string, string]> = [[`${prefix}_SERVICE_HOST`, ip]]
  if (ports.length) out.push([`${prefix}_SERVICE_PORT`, String(ports[0]!.port)])
  for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envVarName(p.name)}`, String(p.port)])
  ports.forEach((p, i) => {
    const proto = (p.protocol || 'TCP').toLowerCase()
    const url = `${proto}://${ip}:${p.port}`
    if (i === 0) out.push([`${prefix}_PORT`, url])
    const portPrefix = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`
    out.push([portPrefix, url], [`${portPrefix}_PROTO`, proto], [`${portPrefix}_PORT`, String(p.port)], [`${portPrefix}_ADDR`, ip])
  })
  return out
}

/**
 * The Service variables a pod gets: its namespace's Services with a cluster IP when links are
 * enabled, and always the `kubernetes` Service of `default` (in-cluster clients read it).
 */
function serviceEnvironment(source: ObjectSource, namespace: string, links: boolean): Map<string, string> {
  const chosen = new Map<string, Cached<Service>>()
  const master = source.services('default').find((s) => s.metadata?.name === 'kubernetes' && isServiceIPSet(s))
  if (links) {
    for (const s of source.services(namespace)) if (isServiceIPSet(s)) chosen.set(s.metadata?.name ?? '', s)
  }
  // A Service named "kubernetes" in the pod's own namespace wins over the master's.
  if (master && !chosen.has('kubernetes')) chosen.set('kubernetes', master)
  const names = [...chosen.keys()].sort()
  return new Map(names.flatMap((n) => serviceVariables(chosen.get(n)!)))
}

// Upstream's (pre-relaxation) environment variable name format.
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/

const configError = (message: string) => new ContainerConfigError('CreateContainerConfigError', message)
const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8')

/** A referenced object's data; undefined when missing and optional; throws upstream's error when required. */
function lookupData(source: ObjectSource, kind: 'configmap' | 'secret', namespace: string, name: string, optional: boolean) {
  if (kind === 'configmap') {
    const cm = source.configMap(namespace, name)
    if (cm) return { ...cm.data } as Record<string, string>
  } else {
    const s = source.secret(namespace, name)
    if (s) return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, decode(v)]))
  }
  if (optional) return undefined
  throw configError(`${kind} "${name}" not found`)
}

/** The container's environment, in order; throws ContainerConfigError (CreateContainerConfigError). */
export function makeEnvironment(
  pod: Cached<Pod>, container: Cached<Container>, source: ObjectSource, facts: PodRuntimeFacts, opts: EnvironmentOptions = {},
): Array<[string, string]> {
  const ns = pod.metadata?.namespace ?? 'default'
  const links = opts.serviceLinks ?? pod.spec?.enableServiceLinks !== false
  const serviceEnv = serviceEnvironment(source, ns, links)
  const env = new Map<string, string>() // envFrom and env, what `$(VAR)` sees first
  const cache = new Map<string, Record<string, string> | undefined>()
  const data = (kind: 'configmap' | 'secret', name: string, optional: boolean) => {
    const key = `${kind}/${name}`
    if (!cache.has(key) || (cache.get(key) === undefined && !optional)) cache.set(key, lookupData(source, kind, ns, name, optional))
    return cache.get(key)
  }

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef
    if (!ref) continue
    const kind = from.configMapRef ? 'configmap' : 'secret'
    const values = data(kind, ref.name ?? '', ref.optional === true)
    if (!values) continue
    const invalid: string[] = []
    for (const [k, v] of Object.entries(values)) {
      const name = (from.prefix ?? '') + k
      if (!ENV_NAME.test(name)) invalid.push(name)
      else env.set(name, v)
    }
    if (invalid.length) {
      opts.warn?.('InvalidEnvironmentVariableNames', `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${kind === 'configmap' ? 'configMap' : 'secret'} ${ns}/${ref.name} were skipped since they are considered invalid environment variable names.`)
    }
  }

  const lookup = (name: string) => env.get(name) ?? serviceEnv.get(name)
  for (const v of container.env ?? []) {
    let value = v.value ?? ''
    if (value !== '') value = expand(value, lookup)
    else if (v.valueFrom) {
      const from = v.valueFrom
      try {
        if (from.fieldRef) value = podFieldValue(from.fieldRef, pod, facts)
        else if (from.resourceFieldRef) value = containerResourceValue(from.resourceFieldRef, pod, container, opts.nodeAllocatable)
      } catch (err) {
        throw configError((err as Error).message)
      }
      const keyRef = from.configMapKeyRef ?? from.secretKeyRef
      if (keyRef && !from.fieldRef && !from.resourceFieldRef) {
        const kind = from.configMapKeyRef ? 'configmap' : 'secret'
        const optional = keyRef.optional === true
        const values = data(kind, keyRef.name ?? '', optional)
        if (!values) continue
        if (!(keyRef.key in values)) {
          if (optional) continue
          throw configError(`couldn't find key ${keyRef.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${ns}/${keyRef.name}`)
        }
        value = values[keyRef.key]!
      }
    }
    env.set(v.name, value)
  }

  const result = new Map(serviceEnv)
  for (const [k, v] of env) result.set(k, v)
  return [...result]
}

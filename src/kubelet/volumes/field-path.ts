/**
 * @module
 * The downward API's values: a pod field (`metadata.labels['app']`, `status.podIP`...) or a
 * container resource (`limits.memory` with a divisor), as the kubelet computes them for
 * environment variables and downwardAPI volume files.
 */
// Upstream: pkg/api/v1/pod (ConvertDownwardAPIFieldLabel), pkg/fieldpath/fieldpath.go
// (ExtractFieldPathAsString, FormatMap, SplitMaybeSubscriptedPath), pkg/api/v1/resource/helpers.go
// (ExtractContainerResourceValue, convertResource*ToString), pkg/kubelet/kubelet_resources.go
// (defaultPodLimitsForDownwardAPI: unset limits read as the node's allocatable).
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js'
import { parseQuantity, quantityMilliValue, quantityValue, type Cached } from '../../api/index.js'
import type { PodRuntimeFacts } from '../types.js'

/** The node's allocatable resources ("cpu", "memory", "ephemeral-storage"), for unset limits. */
export type NodeAllocatable = Readonly<Record<string, string>>

const POD_FIELDS = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName',
  'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
])

/** `metadata.labels['k']` → ['metadata.labels', 'k']; undefined when not subscripted. */
export function splitSubscript(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined
  const open = fieldPath.indexOf("['")
  if (open < 0) return undefined
  return [fieldPath.slice(0, open), fieldPath.slice(open + 2, -2)]
}

/** Checks a selector's apiVersion and path, as the API's field label conversion does. */
function convertFieldLabel(apiVersion: string, label: string): string {
  if (apiVersion !== 'v1') throw new Error(`unsupported pod version: ${apiVersion}`)
  const sub = splitSubscript(label)
  if (sub) {
    if (sub[0] === 'metadata.annotations' || sub[0] === 'metadata.labels') return label
    throw new Error(`field label does not support subscript: ${label}`)
  }
  if (label === 'spec.host') return 'spec.nodeName' // old v1 clients
  if (!POD_FIELDS.has(label)) throw new Error(`field label not supported: ${label}`)
  return label
}

/** Go's strconv.Quote, which upstream's `%q` uses for label and annotation values. */
export function goQuote(s: string): string {
  const named: Record<string, string> = {
    '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
  }
  let out = '"'
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (named[ch]) out += named[ch]
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`
    else if (c >= 0xd800 && c < 0xe000) out += '\\ufffd' // a lone surrogate is not valid UTF-8
    else out += ch
  }
  return out + '"'
}

/** Labels or annotations as upstream writes them: sorted `key="value"` lines, no final newline. */
export function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${goQuote(m![k]!)}`).join('\n')
}

/** The metadata fields every downward API consumer can read (upstream's ExtractFieldPathAsString). */
export function metadataFieldValue(pod: Cached<Pod>, fieldPath: string): string {
  const meta = pod.metadata ?? {}
  const sub = splitSubscript(fieldPath)
  if (sub) {
    if (sub[0] === 'metadata.annotations') return meta.annotations?.[sub[1]] ?? ''
    if (sub[0] === 'metadata.labels') return meta.labels?.[sub[1]] ?? ''
    throw new Error(`fieldPath "${fieldPath}" does not support subscript`)
  }
  switch (fieldPath) {
    case 'metadata.annotations': return formatMap(meta.annotations)
    case 'metadata.labels': return formatMap(meta.labels)
    case 'metadata.name': return meta.name ?? ''
    case 'metadata.namespace': return meta.namespace ?? ''
    case 'metadata.uid': return meta.uid ?? ''
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`)
}

/** A fieldRef's value for an environment variable (the kubelet adds node and status fields). */
export function podFieldValue(sel: Cached<ObjectFieldSelector>, pod: Cached<Pod>, facts: PodRuntimeFacts): string {
  const path = convertFieldLabel(sel.apiVersion || 'v1', sel.fieldPath)
  const podIPs = facts.podIPs.length ? facts.podIPs : facts.podIP ? [facts.podIP] : []
  switch (path) {
    case 'spec.nodeName': return pod.spec?.nodeName || facts.nodeName
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? ''
    case 'status.hostIP': return facts.hostIP
    case 'status.hostIPs': return facts.hostIP
    case 'status.podIP': return podIPs[0] ?? ''
    case 'status.podIPs': return podIPs.join(',')
  }
  return metadataFieldValue(pod, path)
}

/** A downwardAPI volume item's fieldRef value: metadata only, as upstream's volume plugin. */
export function volumeFieldValue(sel: Cached<ObjectFieldSelector>, pod: Cached<Pod>): string {
  return metadataFieldValue(pod, convertFieldLabel(sel.apiVersion || 'v1', sel.fieldPath))
}

/** Finds a container by name among the pod's containers and init containers. */
function findContainer(pod: Cached<Pod>, name: string): Cached<Container> {
  const found = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name)
  if (!found) throw new Error(`container ${name} not found`)
  return found
}

const DEFAULTED_LIMITS = ['cpu', 'memory', 'ephemeral-storage']

/**
 * A resourceFieldRef's value: the container's request or limit divided by the divisor and
 * rounded up; unset limits read as the node's allocatable. `container` is used when the
 * selector names none (environment variables of that container).
 */
export function containerResourceValue(
  sel: Cached<ResourceFieldSelector>, pod: Cached<Pod>, container: Cached<Container> | undefined, allocatable: NodeAllocatable = {},
): string {
  const c = sel.containerName ? findContainer(pod, sel.containerName) : container
  if (!c) throw new Error(`container ${sel.containerName ?? ''} not found`)
  const divisorText = sel.divisor === undefined ? '' : String(sel.divisor)
  const divisor = divisorText === '' || parseQuantity(divisorText).nanos === 0n ? '1' : divisorText
  const dot = sel.resource.indexOf('.')
  const kind = sel.resource.slice(0, dot)
  const name = sel.resource.slice(dot + 1)
  const known = DEFAULTED_LIMITS.includes(name) || name.startsWith('hugepages-')
  if ((kind !== 'limits' && kind !== 'requests') || !known) throw new Error(`unsupported container resource : ${sel.resource}`)
  let value: string | undefined = kind === 'limits' ? c.resources?.limits?.[name] as string | undefined : c.resources?.requests?.[name] as string | undefined
  if (value === undefined && kind === 'limits' && DEFAULTED_LIMITS.includes(name)) value = allocatable[name]
  const q = String(value ?? '0')
  // Upstream divides as float64 and takes the ceiling: cpu in milli-units, the rest in units.
  const ratio = name === 'cpu' ? quantityMilliValue(q) / quantityMilliValue(divisor) : quantityValue(q) / quantityValue(divisor)
  return String(Math.ceil(ratio))
}

/**
 * @module
 * What one probe attempt found, in upstream's four results, and the small helpers every
 * prober shares: port resolution, host:port joining, and Go-worded network errors (the
 * messages users read in `kubectl describe pod` should match a real cluster's).
 */
import type { Container } from 'kubernetes-types/core/v1.js'

/**
 * One attempt's verdict. `warning` counts as success but earns a ProbeWarning event;
 * `error` means the probe could not be run at all (upstream's non-nil err): the attempt is
 * retried and its result thrown away.
 */
export type ProbeOutcome = {
  result: 'success' | 'warning' | 'failure' | 'unknown'
  output: string
  error?: string
}

/** The version probes announce themselves with (`kube-probe/1.32`). */
export const KUBE_VERSION = '1.32'

/** Output and bodies are read up to this much, as upstream (10 KiB). */
export const MAX_OUTPUT_BYTES = 10 * 1024

/** The longest delay setTimeout accepts; stands for "no timeout". */
export const NO_TIMEOUT_MS = 2 ** 31 - 1

export const success = (output = ''): ProbeOutcome => ({ result: 'success', output })
export const failure = (output: string): ProbeOutcome => ({ result: 'failure', output })
export const errored = (error: string): ProbeOutcome => ({ result: 'unknown', output: '', error })

/** A port given by number, by the container's port name, or as a number in a string. */
// Upstream: pkg/probe/util.go (ResolveContainerPort), error texts as Go's strconv prints them.
export function resolveContainerPort(port: number | string | undefined, container: Container): number {
  let n: number
  if (typeof port === 'number') n = port
  else if (typeof port === 'string') {
    const named = container.ports?.find((p) => p.name === port)
    if (named) n = named.containerPort
    else if (/^[+-]?\d+$/.test(port)) n = Number(port)
    else throw new Error(`strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax`)
  } else throw new Error(`intOrString had no kind: ${String(port)}`)
  if (n > 0 && n < 65536) return n
  throw new Error(`invalid port number: ${n}`)
}

/** "host:port", with IPv6 literals in brackets (Go's net.JoinHostPort). */
export const joinHostPort = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`

/** Seconds the way Go prints a time.Duration ("1s", "1.5s", "500ms"). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  return `${Number((ms / 1000).toFixed(3))}s`
}

const errnoText: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  EADDRNOTAVAIL: 'connect: cannot assign requested address',
  ECONNRESET: 'read: connection reset by peer',
  EPIPE: 'write: broken pipe',
}

/** A Node socket error as Go's dialer words it: `dial tcp 10.244.0.5:8080: connect: connection refused`. */
export function dialError(addr: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') {
    const host = addr.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
    return `dial tcp: lookup ${host}: no such host`
  }
  const text = (e?.code && errnoText[e.code]) ?? e?.message ?? String(err)
  return `dial tcp ${addr}: ${text}`
}

/** Keeps at most MAX_OUTPUT_BYTES of `text` (by bytes, as upstream's limit writer). */
export function truncateOutput(text: string): string {
  const buf = Buffer.from(text)
  return buf.length <= MAX_OUTPUT_BYTES ? text : buf.subarray(0, MAX_OUTPUT_BYTES).toString()
}

/** The event's fieldPath for a container, init containers included (sidecars have probes). */
export function containerFieldPath(pod: { spec?: { initContainers?: Array<{ name: string }> } }, name: string) {
  return pod.spec?.initContainers?.some((c) => c.name === name)
    ? `spec.initContainers{${name}}`
    : `spec.containers{${name}}`
}

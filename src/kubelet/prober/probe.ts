/**
 * @module
 * One attempt of a probe against a container, whichever handler it has.
 */
import type { Pod, Probe } from 'kubernetes-types/core/v1.js'
import type { ProbeResult, ProbeTarget } from '../types.js'
import { probeExec } from './exec.js'
import { probeGrpc } from './grpc.js'
import { probeHttp } from './http.js'
import { errored, resolveContainerPort, type ProbeOutcome } from './outcome.js'
import { probeTcp } from './tcp.js'

/** The pod as the kubelet names it in messages: `name_namespace(uid)`. */
export const formatPod = (pod: Pod) =>
  `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`

// Upstream: pkg/kubelet/prober/prober.go (runProbe). A handler that cannot be prepared (a
// port name the container does not have) "errors" rather than fails, as upstream.
/** Runs `probe` once with its own timeout (or `timeoutMs`), reporting upstream's four results. */
export async function probeOnce(probe: Probe, target: ProbeTarget, timeoutMs?: number): Promise<ProbeOutcome> {
  const ms = timeoutMs ?? (probe.timeoutSeconds || 1) * 1000
  const { container, podIP } = target
  try {
    if (probe.exec) return await probeExec(target, probe.exec.command ?? [], ms)
    if (probe.httpGet) return await probeHttp(probe.httpGet, container, podIP, ms)
    if (probe.tcpSocket) {
      const port = resolveContainerPort(probe.tcpSocket.port, container)
      return await probeTcp(probe.tcpSocket.host || podIP, port, ms)
    }
    if (probe.grpc) return await probeGrpc(podIP, probe.grpc.port, probe.grpc.service ?? '', ms)
  } catch (err) {
    return errored(err instanceof Error ? err.message : String(err))
  }
  return errored(`missing probe handler for ${formatPod(target.pod)}:${container.name}`)
}

/** One attempt of `probe`; `ok` for success (a warning, such as an unfollowed redirect, included). */
export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeResult> {
  const o = await probeOnce(probe, target)
  return { ok: o.result === 'success' || o.result === 'warning', message: o.error ?? o.output }
}

/**
 * @module
 * What the controller writes back to the API: `status.loadBalancer.ingress` on every Ingress it
 * serves (so `kubectl get ingress` shows an ADDRESS, and kept so if someone clears it), and
 * events — ingress-nginx's `Sync` per generation, and one Warning per generation and message for
 * annotations or parts of the spec it cannot honour.
 */
// Upstream: ingress-nginx internal/ingress/status/status.go (runningAddresses → status
// patch; no write when equal) and its "Scheduled for sync" events.
import type { Ingress, IngressLoadBalancerIngress } from 'kubernetes-types/networking/v1.js'
import type { Cached, KubeObject } from '../../api/index.js'
import type { Client, EventRecorder } from '../../client/index.js'

export type StatusAddress = { ip?: string; hostname?: string }

const INGRESS_KIND = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }

/** Patches an Ingress's load-balancer status when it differs; `onError` hears failed writes. */
export function statusWriter(client: Client, address: StatusAddress, onError: (err: unknown) => void) {
  const desired: IngressLoadBalancerIngress[] = address.ip || address.hostname
    ? [{ ...(address.ip ? { ip: address.ip } : {}), ...(address.hostname ? { hostname: address.hostname } : {}) }]
    : []
  const want = JSON.stringify(desired)
  const inFlight = new Set<string>()
  return function ensureStatus(ing: Cached<Ingress>): void {
    if (!desired.length) return
    const current = (ing.status?.loadBalancer?.ingress ?? []).map((i) => ({ ...(i.ip ? { ip: i.ip } : {}), ...(i.hostname ? { hostname: i.hostname } : {}) }))
    if (JSON.stringify(current) === want) return
    const ns = ing.metadata?.namespace ?? ''
    const name = ing.metadata?.name ?? ''
    const key = `${ns}/${name}`
    if (inFlight.has(key)) return // the informer will show our write; a second one would be the same
    inFlight.add(key)
    client.patch(INGRESS_KIND, name, ns, { status: { loadBalancer: { ingress: desired } } }, { type: 'merge', subresource: 'status' })
      .catch(onError)
      .finally(() => inFlight.delete(key))
  }
}

/** Events deduplicated per Ingress generation: each message once, however often the table is rebuilt. */
export function eventReporter(recorder: EventRecorder) {
  let seen = new Map<string, Set<string>>()
  let next = new Map<string, Set<string>>()
  return {
    report(ing: Cached<Ingress>, type: 'Normal' | 'Warning', reason: string, message: string): void {
      const uid = ing.metadata?.uid ?? `${ing.metadata?.namespace}/${ing.metadata?.name}`
      const key = `${uid}|${ing.metadata?.generation ?? 0}`
      const id = `${type}|${reason}|${message}`
      const mine = next.get(key) ?? seen.get(key) ?? new Set<string>()
      next.set(key, mine)
      if (mine.has(id)) return
      mine.add(id)
      recorder.event(ing as Cached<KubeObject>, type, reason, message)
    },
    /** Forgets Ingresses not reported since the last call (deleted, or no longer ours). */
    sweep(): void {
      seen = next
      next = new Map()
    },
  }
}

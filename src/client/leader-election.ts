/**
 * @module
 * Lease-based leader election: one holder of a coordination.k8s.io Lease runs the loops;
 * the others wait and take over once the holder stops renewing.
 */
// Upstream: client-go tools/leaderelection (LeaseDuration 15 s, RenewDeadline 10 s,
// RetryPeriod 2 s, as kube-controller-manager configures it).
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import { isAlreadyExists, isConflict, isNotFound, type KubeObject } from '../api/index.js'
import type { Client } from './types.js'

export type LeaderElectionOptions = {
  client: Client
  name: string
  namespace?: string
  identity: string
  leaseDurationMs?: number
  renewDeadlineMs?: number
  retryPeriodMs?: number
  now?: () => number
  signal: AbortSignal
  onStartedLeading(signal: AbortSignal): void
  onStoppedLeading?(): void
}

const micro = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z')
const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }

/** Runs until `signal` aborts, calling back as leadership is gained and lost. */
export async function runLeaderElection(o: LeaderElectionOptions): Promise<void> {
  const ns = o.namespace ?? 'kube-system'
  const duration = o.leaseDurationMs ?? 15_000
  const renewDeadline = o.renewDeadlineMs ?? 10_000
  const retry = o.retryPeriodMs ?? 2_000
  const now = o.now ?? Date.now
  let leading: AbortController | undefined
  let lastRenew = 0

  const tryAcquire = async (): Promise<boolean> => {
    const t = now()
    let lease: Lease | undefined
    try {
      lease = await o.client.get<Lease & KubeObject>(LEASE, o.name, ns)
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
    const spec = { holderIdentity: o.identity, leaseDurationSeconds: Math.ceil(duration / 1000), renewTime: micro(t) }
    if (!lease) {
      await o.client.create({ ...LEASE, metadata: { name: o.name, namespace: ns }, spec: { ...spec, acquireTime: micro(t), leaseTransitions: 0 } } as KubeObject)
      return true
    }
    const held = lease.spec?.holderIdentity
    const renewed = lease.spec?.renewTime ? Date.parse(lease.spec.renewTime) : 0
    const expired = renewed + (lease.spec?.leaseDurationSeconds ?? 15) * 1000 < t
    if (held && held !== o.identity && !expired) return false
    const mine = held === o.identity
    lease.spec = {
      ...lease.spec, ...spec,
      acquireTime: mine ? lease.spec?.acquireTime : micro(t),
      leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + (mine ? 0 : 1),
    }
    await o.client.update(lease as KubeObject)
    return true
  }

  while (!o.signal.aborted) {
    let ok = false
    try {
      ok = await tryAcquire()
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err) && !o.signal.aborted) console.error(`leader election ${o.name}:`, (err as Error).message)
    }
    const t = now()
    if (ok) {
      lastRenew = t
      if (!leading) {
        leading = new AbortController()
        o.onStartedLeading(AbortSignal.any([leading.signal, o.signal]))
      }
    } else if (leading && t - lastRenew > renewDeadline) {
      leading.abort()
      leading = undefined
      o.onStoppedLeading?.()
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, retry)
      o.signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
    })
  }
  leading?.abort()
}

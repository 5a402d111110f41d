import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import { runLeaderElection } from './leader-election.js'
import { startTestServer } from './test-server.js'

const until = async (cond: () => boolean, what: string, ms = 5000) => {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('Lease leader election against a real server', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>
  before(async () => { t = await startTestServer() })
  after(() => t.close())

  it('one candidate leads; the other takes over once the leader stops renewing', async () => {
    const leading = new Set<string>()
    const stops = new Map<string, AbortController>()
    const run = (identity: string) => {
      const ac = new AbortController()
      stops.set(identity, ac)
      return runLeaderElection({
        client: t.client, name: 'kube-controller-manager', identity, signal: ac.signal,
        leaseDurationMs: 300, renewDeadlineMs: 200, retryPeriodMs: 20,
        onStartedLeading: () => void leading.add(identity),
        onStoppedLeading: () => void leading.delete(identity),
      })
    }
    const a = run('a')
    await until(() => leading.has('a'), 'a to lead')
    const b = run('b')
    await new Promise((r) => setTimeout(r, 200))
    assert.deepEqual([...leading], ['a'], 'b waits while a renews')
    stops.get('a')!.abort()
    await a
    await until(() => leading.has('b'), 'b to take over')
    const lease = await t.client.get<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }, 'kube-controller-manager', 'kube-system')
    assert.equal(lease.spec?.holderIdentity, 'b')
    assert.equal(lease.spec?.leaseTransitions, 1)
    stops.get('b')!.abort()
    await b
  })
})

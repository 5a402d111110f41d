import { afterEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js'
import type { ProbeTarget } from '../types.js'
import { createProbeManager, type ProbeManager } from './manager.js'
import { delay, podWith, waitFor } from './testing.js'

// Probes' seconds last SECOND_MS here, so a periodSeconds of 1 is 10 ms.
const SECOND_MS = 10

/** A container whose probes run `exec <kind>`; `health[kind]` decides each answer. */
function fixture(probes: Partial<Record<'startupProbe' | 'livenessProbe' | 'readinessProbe', Partial<Probe>>>) {
  const health: Record<string, boolean> = { startup: false, liveness: true, readiness: true }
  const calls: string[] = []
  const container: Container = {
    name: 'app',
    ...Object.fromEntries(Object.entries(probes).map(([field, p]) =>
      [field, { periodSeconds: 1, exec: { command: [field.replace('Probe', '')] }, ...p }])),
  }
  const pod: Pod = podWith(container)
  const target: ProbeTarget = {
    pod, container, podIP: '127.0.0.1',
    async exec(argv) {
      calls.push(argv[0]!)
      return health[argv[0]!] ? { exitCode: 0, output: '' } : { exitCode: 1, output: `${argv[0]} is down` }
    },
  }
  const events: string[] = []
  const failures: string[] = []
  let changes = 0
  const manager = createProbeManager({
    secondMs: SECOND_MS,
    random: () => 0,
    event: (_pod, type, reason, message, fieldPath) => events.push(`${type} ${reason} ${fieldPath} ${message}`),
    onFailure: (kind, podUid, name, id, message) => failures.push(`${kind} ${podUid}/${name} ${id}: ${message}`),
    onChange: () => { changes++ },
  })
  return { health, calls, target, events, failures, manager, changes: () => changes }
}

describe('probe manager', () => {
  let manager: ProbeManager | undefined
  afterEach(() => manager?.stop())

  it('is ready and started at once without probes, and knows nothing of other containers', () => {
    const f = fixture({})
    manager = f.manager
    f.manager.add(f.target, 'c1', new Date())
    assert.equal(f.manager.ready('uid-1', 'app'), true)
    assert.equal(f.manager.started('uid-1', 'app'), true)
    assert.equal(f.manager.ready('uid-1', 'other'), false)
    assert.equal(f.manager.started('uid-2', 'app'), false)
  })

  it('readiness: false until successThreshold successes, false again after failureThreshold failures', async () => {
    const f = fixture({ readinessProbe: { successThreshold: 2, failureThreshold: 2 } })
    manager = f.manager
    f.manager.add(f.target, 'c1', new Date())
    assert.equal(f.manager.ready('uid-1', 'app'), false)
    await waitFor(() => f.calls.length >= 1)
    assert.equal(f.manager.ready('uid-1', 'app'), false) // one success is not two
    await waitFor(() => f.manager.ready('uid-1', 'app'), 2000, 'ready')
    assert.ok(f.calls.length >= 2)
    assert.equal(f.changes(), 1)

    f.health.readiness = false
    await waitFor(() => !f.manager.ready('uid-1', 'app'), 2000, 'not ready')
    assert.equal(f.changes(), 2)
    assert.equal(f.events[0], 'Warning Unhealthy spec.containers{app} Readiness probe failed: readiness is down')
    assert.deepEqual(f.failures, []) // readiness never restarts a container
  })

  it('liveness: onFailure after failureThreshold failures in a row, then rests until a new container', async () => {
    const f = fixture({ livenessProbe: { failureThreshold: 3 } })
    manager = f.manager
    f.health.liveness = false
    f.manager.add(f.target, 'c1', new Date())
    await waitFor(() => f.failures.length === 1, 2000, 'liveness failure')
    assert.equal(f.failures[0], 'liveness uid-1/app c1: Container app failed liveness probe, will be restarted')
    assert.equal(f.calls.length, 3)
    assert.equal(f.events.filter((e) => e === 'Warning Unhealthy spec.containers{app} Liveness probe failed: liveness is down').length, 3)
    await delay(8 * SECOND_MS)
    assert.equal(f.calls.length, 3) // on hold: no probing of a container about to be killed

    f.manager.add(f.target, 'c2', new Date()) // the restarted container
    await waitFor(() => f.failures.length === 2, 2000, 'second liveness failure')
    assert.match(f.failures[1]!, / c2: /)
    assert.equal(f.calls.length, 6)
  })

  it('startup gates liveness and readiness, and readiness runs as soon as it passes', async () => {
    const f = fixture({ startupProbe: { failureThreshold: 1000 }, livenessProbe: {}, readinessProbe: { periodSeconds: 1000 } })
    manager = f.manager
    f.manager.add(f.target, 'c1', new Date())
    await waitFor(() => f.calls.length >= 4)
    assert.deepEqual(new Set(f.calls), new Set(['startup']))
    assert.equal(f.manager.started('uid-1', 'app'), false)
    assert.equal(f.manager.ready('uid-1', 'app'), false)

    f.health.startup = true
    // Readiness's period is 10 s here: only the trigger on startup can make it run this soon.
    await waitFor(() => f.manager.ready('uid-1', 'app'), 2000, 'ready after startup')
    assert.equal(f.manager.started('uid-1', 'app'), true)
    await waitFor(() => f.calls.includes('liveness'), 2000, 'liveness to run')
    const startups = f.calls.filter((c) => c === 'startup').length
    await delay(5 * SECOND_MS)
    assert.equal(f.calls.filter((c) => c === 'startup').length, startups) // started: startup rests
    assert.ok(f.changes() >= 2) // started, then ready
  })

  it('a failing startup probe asks for a restart', async () => {
    const f = fixture({ startupProbe: { failureThreshold: 2 }, livenessProbe: {} })
    manager = f.manager
    f.manager.add(f.target, 'c1', new Date())
    await waitFor(() => f.failures.length === 1, 2000, 'startup failure')
    assert.equal(f.failures[0], 'startup uid-1/app c1: Container app failed startup probe, will be restarted')
    assert.equal(f.events[0], 'Warning Unhealthy spec.containers{app} Startup probe failed: startup is down')
    assert.ok(!f.calls.includes('liveness'))
  })

  it('waits initialDelaySeconds before the first probe', async () => {
    const f = fixture({ readinessProbe: { initialDelaySeconds: 10 } })
    manager = f.manager
    const startedAt = new Date()
    f.manager.add(f.target, 'c1', startedAt)
    await waitFor(() => f.calls.length >= 1, 2000, 'first probe')
    assert.ok(Date.now() - startedAt.getTime() >= 10 * SECOND_MS)
  })

  it('jitters the first probe of a kubelet that just started', async () => {
    const f = fixture({ readinessProbe: { periodSeconds: 20 } })
    const m = createProbeManager({
      secondMs: SECOND_MS, random: () => 0.5, event() {}, onFailure() {}, onChange() {},
    })
    manager = m
    f.manager.stop()
    const t0 = Date.now()
    m.add(f.target, 'c1', new Date())
    await waitFor(() => f.calls.length >= 1, 2000, 'first probe')
    assert.ok(Date.now() - t0 >= 90, `first probe after ${Date.now() - t0} ms`) // half of a 200 ms period
  })

  it('remove and removePod stop probing', async () => {
    const f = fixture({ readinessProbe: {} })
    manager = f.manager
    f.manager.add(f.target, 'c1', new Date())
    await waitFor(() => f.calls.length >= 2)
    f.manager.removePod('uid-1')
    const n = f.calls.length
    await delay(5 * SECOND_MS)
    assert.ok(f.calls.length <= n + 1) // at most the one already in flight
    assert.equal(f.manager.ready('uid-1', 'app'), false)
  })

  it('a pod being deleted stops its liveness probe instead of killing it', async () => {
    const f = fixture({ livenessProbe: { failureThreshold: 1000 } })
    manager = f.manager
    f.health.liveness = false
    f.manager.add(f.target, 'c1', new Date())
    await waitFor(() => f.calls.length >= 2)
    const deleting = { ...f.target, pod: { ...f.target.pod, metadata: { ...f.target.pod.metadata, deletionTimestamp: new Date().toISOString() } } }
    f.manager.add(deleting, 'c1', new Date())
    await delay(3 * SECOND_MS)
    const n = f.calls.length
    await delay(5 * SECOND_MS)
    assert.equal(f.calls.length, n)
    assert.deepEqual(f.failures, [])
  })

  it('names init containers (sidecars) in the event fieldPath', async () => {
    const f = fixture({ readinessProbe: {} })
    manager = f.manager
    f.health.readiness = false
    const pod: Pod = { ...f.target.pod, spec: { containers: [{ name: 'main' }], initContainers: [f.target.container] } }
    f.manager.add({ ...f.target, pod }, 'c1', new Date())
    await waitFor(() => f.events.length >= 1)
    assert.match(f.events[0]!, /spec\.initContainers\{app\}/)
  })
})

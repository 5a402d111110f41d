import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Container, ContainerStatus, Pod } from 'kubernetes-types/core/v1.js'
import { containerStatus, logTail, podConditions, podPhase, podStatus, terminationMessage, type ContainerRecord } from './status.js'

const T0 = Date.parse('2026-01-01T00:00:00Z')
const probes = { ready: () => true, started: () => true }
const pod = (spec: Partial<NonNullable<Pod['spec']>>, status?: Pod['status']): Pod =>
  ({ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [{ name: 'app', image: 'img' }], ...spec }, status })
const run = (id: string, attempt: number, exit?: { exitCode: number; reason?: string }) => ({
  id, attempt, startedAtMs: T0, image: 'img', imageID: 'sha256:1',
  ...(exit ? { exit: { exitCode: exit.exitCode, reason: exit.reason ?? (exit.exitCode ? 'Error' : 'Completed'), finishedAtMs: T0 + 5000 } } : {}),
})
const running = (name: string, started = true): ContainerStatus => ({ name, state: { running: {} }, ready: true, restartCount: 0, image: '', imageID: '', started })
const term = (name: string, exitCode: number): ContainerStatus => ({ name, state: { terminated: { exitCode } }, ready: false, restartCount: 0, image: '', imageID: '' })
const waiting = (name: string, lastExit?: number): ContainerStatus =>
  ({ name, state: { waiting: { reason: 'x' } }, lastState: lastExit === undefined ? {} : { terminated: { exitCode: lastExit } }, ready: false, restartCount: 0, image: '', imageID: '' })

describe('container status', () => {
  const spec: Container = { name: 'app', image: 'img' }
  it('waits with the default reason before the first run', () => {
    const s = containerStatus(spec, undefined, probes, 'ContainerCreating')
    assert.deepEqual(s.state, { waiting: { reason: 'ContainerCreating' } })
    assert.equal(s.containerID, undefined)
    assert.equal(s.image, 'img')
  })
  it('shows a running container with the previous run as lastState', () => {
    const rec: ContainerRecord = { name: 'app', restartCount: 1, current: run('c2', 1), previous: run('c1', 0, { exitCode: 2 }) }
    const s = containerStatus(spec, rec, { ready: () => false, started: () => true }, 'ContainerCreating')
    assert.deepEqual(s.state, { running: { startedAt: '2026-01-01T00:00:00Z' } })
    assert.deepEqual(s.lastState, { terminated: { exitCode: 2, reason: 'Error', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:05Z', containerID: 'kubelite://c1' } })
    assert.equal(s.ready, false)
    assert.equal(s.started, true)
    assert.equal(s.containerID, 'kubelite://c2')
    assert.equal(s.restartCount, 1)
  })
  it('shows CrashLoopBackOff with the exited run as lastState', () => {
    const message = 'back-off 10s restarting failed container=app pod=p_ns(u)'
    const rec: ContainerRecord = { name: 'app', restartCount: 1, current: run('c2', 1, { exitCode: 1 }), waiting: { reason: 'CrashLoopBackOff', message } }
    const s = containerStatus(spec, rec, probes, 'ContainerCreating')
    assert.deepEqual(s.state, { waiting: { reason: 'CrashLoopBackOff', message } })
    assert.equal(s.lastState?.terminated?.containerID, 'kubelite://c2')
    assert.equal(s.ready, false)
    assert.equal(s.started, false)
  })
  it('shows a finished container as terminated with its message', () => {
    const r = run('c1', 0, { exitCode: 0 })
    Object.assign(r.exit!, { message: 'bye' })
    const s = containerStatus(spec, { name: 'app', restartCount: 0, current: r }, probes, 'ContainerCreating')
    assert.equal(s.state?.terminated?.reason, 'Completed')
    assert.equal(s.state?.terminated?.message, 'bye')
  })
})

describe('pod phase', () => {
  it('is Pending while a regular init container runs or has not run', () => {
    const p = pod({ initContainers: [{ name: 'i' }] })
    assert.equal(podPhase(p, { init: [running('i')], main: [waiting('app')] }, false), 'Pending')
    assert.equal(podPhase(p, { init: [], main: [] }, false), 'Pending')
  })
  it('is Failed when an init container failed under restartPolicy Never', () => {
    const p = pod({ initContainers: [{ name: 'i' }], restartPolicy: 'Never' })
    assert.equal(podPhase(p, { init: [term('i', 1)], main: [waiting('app')] }, false), 'Failed')
    assert.equal(podPhase({ ...p, spec: { ...p.spec!, restartPolicy: 'Always' } }, { init: [waiting('i', 1)], main: [waiting('app')] }, false), 'Pending')
  })
  it('is Running once a container runs, and stays Running while it restarts under Always', () => {
    assert.equal(podPhase(pod({}), { init: [], main: [running('app')] }, false), 'Running')
    assert.equal(podPhase(pod({}), { init: [], main: [waiting('app', 1)] }, false), 'Running')
  })
  it('is Succeeded or Failed when every container stopped under Never/OnFailure', () => {
    assert.equal(podPhase(pod({ restartPolicy: 'Never' }), { init: [], main: [term('app', 0)] }, false), 'Succeeded')
    assert.equal(podPhase(pod({ restartPolicy: 'Never' }), { init: [], main: [term('app', 3)] }, false), 'Failed')
    assert.equal(podPhase(pod({ restartPolicy: 'OnFailure' }), { init: [], main: [term('app', 3)] }, false), 'Running')
    assert.equal(podPhase(pod({ restartPolicy: 'Always' }), { init: [], main: [term('app', 3)] }, true), 'Failed')
  })
  it('waits for a sidecar to be started before the pod leaves Pending', () => {
    const p = pod({ initContainers: [{ name: 's', restartPolicy: 'Always' }] })
    assert.equal(podPhase(p, { init: [running('s', false)], main: [waiting('app')] }, false), 'Pending')
    assert.equal(podPhase(p, { init: [running('s')], main: [running('app')] }, false), 'Running')
    // A sidecar still running when the main container finished does not keep the pod Running.
    assert.equal(podPhase({ ...p, spec: { ...p.spec!, restartPolicy: 'Never' } }, { init: [term('s', 137)], main: [term('app', 0)] }, true), 'Succeeded')
  })
})

describe('pod conditions', () => {
  it('reports incomplete init containers and unready containers in upstream words', () => {
    const p = pod({ initContainers: [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'x' }, { name: 'y' }] })
    const conds = podConditions(p, [term('a', 0), running('b')], [waiting('x'), waiting('y')], 'Pending', true, T0)
    const by = Object.fromEntries(conds.map((c) => [c.type, c]))
    assert.deepEqual(conds.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'])
    assert.equal(by.Initialized?.message, 'containers with incomplete status: [b]')
    assert.equal(by.Initialized?.reason, 'ContainersNotInitialized')
    assert.equal(by.ContainersReady?.message, 'containers with unready status: [x y]')
    assert.equal(by.Ready?.reason, 'ContainersNotReady')
    assert.equal(by.PodReadyToStartContainers?.status, 'True')
  })
  it('keeps other conditions and unchanged transition times; honours readiness gates', () => {
    const old = { type: 'Ready', status: 'True' as const, lastTransitionTime: '2020-01-01T00:00:00Z' }
    const gate = { type: 'example.com/gate', status: 'False' as const }
    const p = pod({ readinessGates: [{ conditionType: 'example.com/gate' }] }, { conditions: [gate, old] })
    const conds = podConditions(p, [], [running('app')], 'Running', true, T0)
    assert.deepEqual(conds[0], gate)
    const ready = conds.find((c) => c.type === 'Ready')!
    assert.equal(ready.status, 'False')
    assert.equal(ready.reason, 'ReadinessGatesNotReady')
    const noGate = podConditions(pod({}, { conditions: [old] }), [], [running('app')], 'Running', true, T0)
    assert.equal(noGate.find((c) => c.type === 'Ready')?.lastTransitionTime, '2020-01-01T00:00:00Z')
  })
  it('says PodCompleted for a succeeded pod', () => {
    const conds = podConditions(pod({ initContainers: [{ name: 'i' }] }), [term('i', 0)], [term('app', 0)], 'Succeeded', false, T0)
    assert.deepEqual(conds.filter((c) => c.reason === 'PodCompleted').map((c) => c.type), ['Initialized', 'Ready', 'ContainersReady'])
  })
})

describe('pod status', () => {
  it('puts it together: IPs, start time, phase, statuses', () => {
    const p = pod({ restartPolicy: 'Never' }, { phase: 'Pending', qosClass: 'BestEffort' })
    const records = new Map([['app', { name: 'app', restartCount: 0, current: run('c1', 0) }]])
    const st = podStatus(p, { records, probes, sandbox: { ip: '10.244.0.9' }, hostIP: '10.0.0.1', hostNetwork: false, startTimeMs: T0, terminal: false, nowMs: T0 })
    assert.equal(st.phase, 'Running')
    assert.equal(st.podIP, '10.244.0.9')
    assert.deepEqual(st.hostIPs, [{ ip: '10.0.0.1' }])
    assert.equal(st.startTime, '2026-01-01T00:00:00Z')
    assert.equal(st.qosClass, 'BestEffort')
    assert.equal(st.initContainerStatuses, undefined)
  })
  it('never leaves a terminal phase', () => {
    const p = pod({}, { phase: 'Failed' })
    const st = podStatus(p, { records: new Map(), probes, hostIP: '10.0.0.1', hostNetwork: false, terminal: false, nowMs: T0 })
    assert.equal(st.phase, 'Failed')
  })
})

describe('termination message', () => {
  const log = '2026-01-01T00:00:00.1Z stdout F one\n2026-01-01T00:00:00.2Z stderr P tw\n2026-01-01T00:00:00.3Z stderr F o\n'
  it('reads the file, or the log tail on error with FallbackToLogsOnError', () => {
    assert.equal(logTail(log), 'one\ntwo\n')
    const c = { name: 'c', terminationMessagePolicy: 'FallbackToLogsOnError' }
    assert.equal(terminationMessage(c, 'from file', 1, () => log), 'from file')
    assert.equal(terminationMessage(c, '', 1, () => log), 'one\ntwo\n')
    assert.equal(terminationMessage(c, '', 0, () => log), '')
    assert.equal(terminationMessage({ name: 'c' }, '', 1, () => log), '')
  })
  it('keeps at most 80 lines and 2048 bytes', () => {
    const many = Array.from({ length: 100 }, (_, i) => `t stdout F line${i}`).join('\n')
    assert.equal(logTail(many).split('\n')[0], 'line20')
    const big = Array.from({ length: 10 }, () => `t stdout F ${'x'.repeat(500)}`).join('\n')
    assert.equal(Buffer.byteLength(logTail(big)), 2048)
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Lease } from 'kubernetes-types/coordination/v1.js'
import type { Node, Pod } from 'kubernetes-types/core/v1.js'
import { copy, type KubeObject } from '../../api/index.js'
import { fakeContext, fakeRecorder } from '../../client/testing.js'
import { startSimNodes, type SimOptions } from './fleet.js'

function pod(name: string, nodeName: string, more: { annotations?: Record<string, string>; restartPolicy?: string; job?: boolean } = {}): KubeObject {
  const p: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1', annotations: more.annotations,
      ownerReferences: more.job ? [{ apiVersion: 'batch/v1', kind: 'Job', name: 'job', uid: 'uid-job', controller: true }] : undefined,
    },
    spec: {
      nodeName, restartPolicy: more.restartPolicy ?? 'Always',
      containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '100m', memory: '128Mi' } } }],
    },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-12-31T23:59:00Z' }] },
  }
  return p as KubeObject
}

async function simulate(objects: KubeObject[] = [], opts: Partial<SimOptions> = {}) {
  const f = fakeContext(objects)
  const kubelet = fakeRecorder()
  const fleet = await startSimNodes({
    client: f.client, informers: f.informers, count: 2, now: () => f.clock.ms, random: () => 0, recorder: () => kubelet,
    manualTick: true, timings: { podStartMs: 0 }, signal: AbortSignal.timeout(10_000), ...opts,
  })
  const node = (name: string) => f.informers.of<Node>('v1', 'Node').get(name)!
  const lease = (name: string) => f.informers.of<Lease>('coordination.k8s.io/v1', 'Lease').get(`kube-node-lease/${name}`)!
  const getPod = (name: string) => f.informers.of<Pod>('v1', 'Pod').get(`default/${name}`)
  return { ...f, fleet, node, lease, getPod, kubelet }
}

describe('sim nodes', () => {
  it('register as a kubelet does: labels, capacity, conditions, addresses, a Lease', async () => {
    const s = await simulate([], { cpu: '8', memory: '16Gi', labels: { zone: 'a' } })
    assert.deepEqual(s.fleet.nodes(), ['sim-node-0', 'sim-node-1'])
    assert.deepEqual(s.client.verbs().filter((v) => v.startsWith('create')), ['create nodes', 'create nodes', 'create leases', 'create leases'])
    const n = s.node('sim-node-1')
    assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], 'sim-node-1')
    assert.equal(n.metadata?.labels?.['kubelite.io/sim'], 'true')
    assert.equal(n.metadata?.labels?.zone, 'a')
    assert.equal(n.spec?.podCIDR, '10.244.1.0/24')
    assert.deepEqual(n.status?.addresses, [{ type: 'InternalIP', address: '127.1.0.2' }, { type: 'Hostname', address: 'sim-node-1' }])
    assert.equal(n.status?.capacity?.cpu, '8')
    assert.equal(n.status?.allocatable?.memory, '16Gi')
    assert.equal(n.status?.capacity?.pods, '110')
    assert.deepEqual(n.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}`), [
      'MemoryPressure=False KubeletHasSufficientMemory', 'DiskPressure=False KubeletHasNoDiskPressure',
      'PIDPressure=False KubeletHasSufficientPID', 'Ready=True KubeletReady'])
    assert.equal(n.status?.nodeInfo?.kubeletVersion, 'v1.32.4-sim')
    assert.equal(n.status?.nodeInfo?.containerRuntimeVersion, 'sim://0.1')
    assert.equal(n.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10250)
    const l = s.lease('sim-node-1')
    assert.equal(l.spec?.holderIdentity, 'sim-node-1')
    assert.equal(l.spec?.leaseDurationSeconds, 40)
    assert.equal(l.metadata?.ownerReferences?.[0]?.uid, n.metadata?.uid)
    await s.fleet.close()
  })

  it('renew their Lease every heartbeat and report status every five minutes', async () => {
    const s = await simulate([], { count: 1 })
    const first = s.lease('sim-node-0').spec?.renewTime
    s.client.actions.length = 0
    s.clock.ms += 10_000
    await s.fleet.tick()
    assert.deepEqual(s.client.verbs(), ['patch leases'])
    assert.notEqual(s.lease('sim-node-0').spec?.renewTime, first)
    s.clock.ms += 290_000
    await s.fleet.tick()
    assert.deepEqual(s.client.verbs().slice(-2), ['patch leases', 'patch nodes/status'])
    const ready = s.node('sim-node-0').status?.conditions?.find((c) => c.type === 'Ready')
    assert.equal(ready?.lastHeartbeatTime, '2026-01-01T00:05:00Z')
    assert.equal(ready?.lastTransitionTime, '2026-01-01T00:00:00Z')
    await s.fleet.close()
  })

  it('report Ready again at the next heartbeat when someone marked the node NotReady', async () => {
    const s = await simulate([], { count: 1 })
    const n = copy(s.node('sim-node-0'))
    n.status!.conditions = n.status!.conditions!.map((c) => c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c)
    s.informers.set(n as KubeObject)
    s.clock.ms += 10_000
    await s.fleet.tick()
    const ready = s.node('sim-node-0').status?.conditions?.find((c) => c.type === 'Ready')
    assert.equal(`${ready?.status} ${ready?.reason} ${ready?.lastTransitionTime}`, 'True KubeletReady 2026-01-01T00:00:10Z')
    await s.fleet.close()
  })

  it('stop like a dead kubelet, and come back when started', async () => {
    const s = await simulate([], { count: 1 })
    s.fleet.stop('sim-node-0')
    s.client.actions.length = 0
    s.informers.set(pod('web', 'sim-node-0'))
    s.clock.ms += 60_000
    await s.fleet.tick()
    assert.deepEqual(s.client.verbs(), [])
    assert.equal(s.getPod('web')?.status?.phase, 'Pending')
    s.fleet.start('sim-node-0')
    await s.fleet.tick()
    assert.deepEqual(new Set(s.client.verbs()), new Set(['patch leases', 'patch nodes/status', 'patch pods/status']))
    assert.equal(s.getPod('web')?.status?.phase, 'Running')
    await s.fleet.close()
  })

  it('stop and start through the sim.kubelite.io/stopped annotation on the Node', async () => {
    const s = await simulate([], { count: 1 })
    const annotate = (value: string | undefined) => {
      const n = copy(s.node('sim-node-0'))
      n.metadata!.annotations = { ...n.metadata!.annotations, 'sim.kubelite.io/stopped': value as string }
      if (value === undefined) delete n.metadata!.annotations['sim.kubelite.io/stopped']
      s.informers.set(n as KubeObject)
    }
    annotate('true')
    s.client.actions.length = 0
    s.informers.set(pod('web', 'sim-node-0'))
    s.clock.ms += 60_000
    await s.fleet.tick()
    assert.deepEqual(s.client.verbs(), [], 'a stopped kubelet writes nothing')
    annotate(undefined)
    await s.fleet.tick()
    assert.equal(s.getPod('web')?.status?.phase, 'Running')
    assert.ok(s.client.verbs().includes('patch leases'), 'heartbeats resume')
    await s.fleet.close()
  })

  it('adopt a Node left by an earlier run, keeping its pod range', async () => {
    const old: Node = {
      apiVersion: 'v1', kind: 'Node', metadata: { name: 'sim-node-0', uid: 'old', resourceVersion: '3' },
      spec: { podCIDR: '10.244.7.0/24', podCIDRs: ['10.244.7.0/24'] },
      status: { addresses: [{ type: 'InternalIP', address: '127.1.0.8' }] },
    }
    const s = await simulate([old as KubeObject, pod('web', 'sim-node-0')], { count: 1 })
    assert.equal(s.node('sim-node-0').status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True')
    assert.equal(s.node('sim-node-0').metadata?.labels?.['kubelite.io/sim'], 'true')
    await s.fleet.tick()
    assert.equal(s.getPod('web')?.status?.podIP, '10.244.7.2')
    assert.equal(s.getPod('web')?.status?.hostIP, '127.1.0.8')
    await s.fleet.close()
  })
})

describe('sim pods', () => {
  it('go Running with unique IPs, conditions and container statuses', async () => {
    const s = await simulate([pod('a', 'sim-node-0'), pod('b', 'sim-node-0'), pod('c', 'elsewhere')])
    await s.fleet.tick()
    const a = s.getPod('a')!
    assert.equal(a.status?.phase, 'Running')
    assert.equal(a.status?.hostIP, '127.1.0.1')
    assert.deepEqual([a.status?.podIP, s.getPod('b')?.status?.podIP].sort(), ['10.244.0.2', '10.244.0.3'])
    assert.deepEqual(a.status?.podIPs, [{ ip: a.status?.podIP }])
    assert.equal(a.status?.startTime, '2026-01-01T00:00:00Z')
    assert.deepEqual(a.status?.conditions?.map((c) => `${c.type}=${c.status}`),
      ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True'])
    assert.equal(a.status?.conditions?.at(-1)?.lastTransitionTime, '2025-12-31T23:59:00Z')
    const c = a.status?.containerStatuses?.[0]
    assert.equal(c?.ready, true)
    assert.equal(c?.started, true)
    assert.equal(c?.restartCount, 0)
    assert.equal(c?.image, 'docker.io/library/nginx:latest')
    assert.match(c?.imageID ?? '', /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/)
    assert.match(c?.containerID ?? '', /^sim:\/\/[0-9a-f]{64}$/)
    assert.deepEqual(c?.state, { running: { startedAt: '2026-01-01T00:00:00Z' } })
    assert.equal(s.getPod('c')?.status?.phase, 'Pending')
    await s.fleet.close()
  })

  it('wait for sim.kubelite.io/start-delay and follow sim.kubelite.io/ready', async () => {
    const s = await simulate([pod('slow', 'sim-node-0', { annotations: { 'sim.kubelite.io/start-delay': '30s', 'sim.kubelite.io/ready': 'false' } })])
    await s.fleet.tick()
    assert.equal(s.getPod('slow')?.status?.phase, 'Pending')
    s.clock.ms += 30_000
    await s.fleet.tick()
    const p = s.getPod('slow')!
    assert.equal(p.status?.phase, 'Running')
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready')
    assert.equal(`${ready?.status} ${ready?.reason} ${ready?.message}`, 'False ContainersNotReady containers with unready status: [app]')
    // Readiness follows the annotation while the pod runs.
    const ready2 = copy(p)
    ready2.metadata!.annotations = { 'sim.kubelite.io/ready': 'true' }
    s.clock.ms += 5000
    s.informers.set(ready2 as KubeObject)
    await s.fleet.tick()
    const now = s.getPod('slow')!.status?.conditions?.find((c) => c.type === 'Ready')
    assert.equal(`${now?.status} ${now?.lastTransitionTime}`, 'True 2026-01-01T00:00:35Z')
    await s.fleet.close()
  })

  it('end Job pods Succeeded after sim.kubelite.io/run-duration', async () => {
    const s = await simulate([pod('job-1', 'sim-node-0', { job: true, restartPolicy: 'Never', annotations: { 'sim.kubelite.io/run-duration': '1m' } })])
    await s.fleet.tick()
    assert.equal(s.getPod('job-1')?.status?.phase, 'Running')
    s.clock.ms += 59_000
    await s.fleet.tick()
    assert.equal(s.getPod('job-1')?.status?.phase, 'Running')
    s.clock.ms += 1000
    await s.fleet.tick()
    const p = s.getPod('job-1')!
    assert.equal(p.status?.phase, 'Succeeded')
    assert.deepEqual(p.status?.containerStatuses?.[0]?.state?.terminated,
      { containerID: p.status?.containerStatuses?.[0]?.containerID, exitCode: 0, reason: 'Completed', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:01:00Z' })
    assert.deepEqual(p.status?.conditions?.map((c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}`),
      ['PodReadyToStartContainers=False', 'Initialized=True', 'Ready=False PodCompleted', 'ContainersReady=False PodCompleted', 'PodScheduled=True'])
    await s.fleet.close()
  })

  it('end Job pods after jobPodDurationMs when they carry no run-duration', async () => {
    const s = await simulate([pod('job-2', 'sim-node-0', { job: true, restartPolicy: 'OnFailure' })], { jobPodDurationMs: 5000 })
    await s.fleet.tick()
    s.clock.ms += 5000
    await s.fleet.tick()
    assert.equal(s.getPod('job-2')?.status?.phase, 'Succeeded')
    await s.fleet.close()
  })

  it('fail with sim.kubelite.io/fail: Failed under restartPolicy Never, CrashLoopBackOff under Always', async () => {
    const s = await simulate([
      pod('never', 'sim-node-0', { restartPolicy: 'Never', annotations: { 'sim.kubelite.io/fail': 'true' } }),
      pod('always', 'sim-node-0', { annotations: { 'sim.kubelite.io/fail': '3' } }),
    ])
    await s.fleet.tick()
    const never = s.getPod('never')!
    assert.equal(never.status?.phase, 'Failed')
    assert.equal(never.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1)
    assert.equal(never.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Error')
    const always = () => s.getPod('always')!.status!.containerStatuses![0]!
    assert.equal(s.getPod('always')?.status?.phase, 'Running')
    assert.equal(always().restartCount, 1)
    assert.equal(always().state?.waiting?.reason, 'CrashLoopBackOff')
    assert.equal(always().state?.waiting?.message, 'back-off 10s restarting failed container=app pod=always_default(uid-always)')
    assert.equal(always().lastState?.terminated?.exitCode, 3)
    s.clock.ms += 10_000
    await s.fleet.tick()
    assert.equal(always().restartCount, 2)
    assert.match(always().state?.waiting?.message ?? '', /^back-off 20s /)
    await s.fleet.close()
  })

  it('finalize deletion: terminal status, then delete with grace period 0', async () => {
    const s = await simulate([pod('web', 'sim-node-0')])
    await s.fleet.tick()
    const p = copy(s.getPod('web')!)
    p.metadata!.deletionTimestamp = '2026-01-01T00:00:30Z'
    p.metadata!.deletionGracePeriodSeconds = 30
    s.client.actions.length = 0
    s.informers.set(p as KubeObject)
    await s.fleet.tick()
    assert.deepEqual(s.client.verbs(), ['patch pods/status', 'delete pods'])
    assert.deepEqual(s.kubelet.events, [
      'Normal Pulled Container image "nginx" already present on machine', 'Normal Created Created container: app',
      'Normal Started Started container app', 'Normal Killing Stopping container app',
    ])
    const final = s.client.actions[0]!.body as { status: Pod['status'] }
    assert.equal(final.status?.phase, 'Succeeded')
    assert.equal(final.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed')
    assert.deepEqual(s.client.actions[1]!.body, { gracePeriodSeconds: 0, preconditions: { uid: 'uid-web' } })
    assert.equal(s.getPod('web'), undefined)
    await s.fleet.close()
  })

  it('wait sim.kubelite.io/termination-delay before removing a deleted pod', async () => {
    const p = copy(pod('slow', 'sim-node-0', { annotations: { 'sim.kubelite.io/termination-delay': '20s' } }) as Pod)
    p.metadata!.deletionTimestamp = '2026-01-01T00:00:30Z'
    const s = await simulate([p as KubeObject])
    await s.fleet.tick()
    assert.ok(s.getPod('slow'))
    s.clock.ms += 20_000
    await s.fleet.tick()
    assert.equal(s.getPod('slow'), undefined)
    await s.fleet.close()
  })

  it('carry hundreds of nodes and pods with a bounded number of API calls in flight', async () => {
    const pods = Array.from({ length: 600 }, (_, i) => pod(`p${i}`, `sim-node-${i % 300}`))
    const f = fakeContext(pods)
    let inFlight = 0
    let most = 0
    const slow = <A extends unknown[], R>(call: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
      most = Math.max(most, ++inFlight)
      await new Promise((r) => setImmediate(r))
      try {
        return await call(...a)
      } finally {
        inFlight--
      }
    }
    const client = { ...f.client, create: slow(f.client.create), patch: slow(f.client.patch) }
    const fleet = await startSimNodes({
      client, informers: f.informers, count: 300, maxInFlight: 8, now: () => f.clock.ms, manualTick: true, recorder: () => fakeRecorder(),
      timings: { podStartMs: 0 }, signal: AbortSignal.timeout(10_000),
    })
    await fleet.tick()
    assert.equal(most, 8)
    const ips = f.informers.of<Pod>('v1', 'Pod').list().map((p) => `${p.spec?.nodeName} ${p.status?.phase} ${p.status?.podIP}`)
    assert.equal(new Set(ips).size, 600)
    assert.ok(ips.every((x) => x.includes(' Running 10.')))
    await fleet.close()
  })
})

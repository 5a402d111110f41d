/**
 * Node failure and restarts: a simulated node that stops heartbeating goes Unknown, is
 * tainted, and its pods are evicted after their tolerationSeconds and recreated elsewhere;
 * after a server restart on sqlite every loop converges again without duplicates.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { poll, startCluster, type Cluster } from './harness.js'
import { getJson, items, running, startSimProcess, waitFor, yamlOf, type Obj } from './workloads-helpers.js'

describe('node failure', () => {
  let c: Cluster
  let doomed: Awaited<ReturnType<typeof startSimProcess>> | undefined
  before(async () => {
    c = await startCluster({ datastore: 'memory', extraArgs: ['--sim-nodes', '2', '--node-monitor-grace-period', '4s'] })
    doomed = await startSimProcess(c, ['--nodes', '1', '--name-prefix', 'doomed-'])
  })
  after(async () => {
    await doomed?.stop()
    await c?.stop()
  })

  it('Ready goes Unknown, the node is tainted, its pods are evicted and recreated elsewhere', async () => {
    await waitFor(c, 'doomed-0 Ready', ['node', 'doomed-0'], (n) => n.status?.conditions?.some((k: { type: string; status: string }) => k.type === 'Ready' && k.status === 'True'))
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: spread}', 'spec:', '  replicas: 3',
      '  selector: {matchLabels: {app: spread}}', '  template:', '    metadata: {labels: {app: spread}}', '    spec:',
      '      tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}]',
      '      affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: spread}}}}]}}',
      '      containers: [{name: c, image: nginx}]',
    ]) })
    await c.ok(['rollout', 'status', 'deployment/spread', '--timeout=60s'])
    const onDoomed = running(await items(c, ['pods', '-l', 'app=spread'])).filter((p) => p.spec?.nodeName === 'doomed-0')
    assert.equal(onDoomed.length, 1, 'preferred anti-affinity put one pod on each node')
    const stoppedAt = Date.now()
    await doomed!.stop()
    const node = await waitFor(c, 'doomed-0 Unknown', ['node', 'doomed-0'], (n) =>
      n.status?.conditions?.some((k: { type: string; status: string }) => k.type === 'Ready' && k.status === 'Unknown'), 30_000)
    assert.ok(Date.now() - stoppedAt >= 3_000, 'not before the grace period')
    const ready = node.status?.conditions.find((k: { type: string }) => k.type === 'Ready')
    assert.equal(ready.reason, 'NodeStatusUnknown')
    assert.equal(ready.message, 'Kubelet stopped posting node status.')
    assert.ok((node.spec?.taints ?? []).some((t: { key: string; effect: string }) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'))
    assert.match(await c.ok(['get', 'node', 'doomed-0']), /doomed-0\s+NotReady/)
    await poll('the pod on doomed-0 replaced on a live node', async () => {
      const pods = running(await items(c, ['pods', '-l', 'app=spread']))
      const live = pods.filter((p) => p.spec?.nodeName !== 'doomed-0' && !p.metadata.deletionTimestamp)
      return live.length === 3 ? true : undefined
    }, 60_000)
    const events = await c.ok(['get', 'events', '--field-selector', `involvedObject.name=${onDoomed[0]!.metadata.name}`])
    assert.match(events, /TaintManagerEviction/)
  })

  it('a node stopped by annotation goes Unknown, and Ready again with its taints gone when started', async () => {
    await c.ok(['annotate', 'node', 'sim-node-1', 'sim.kubelite.io/stopped=true'])
    await waitFor(c, 'sim-node-1 Unknown', ['node', 'sim-node-1'], (n) =>
      n.status?.conditions?.some((k: { type: string; status: string }) => k.type === 'Ready' && k.status === 'Unknown'), 30_000)
    await c.ok(['annotate', 'node', 'sim-node-1', 'sim.kubelite.io/stopped-'])
    const back = await waitFor(c, 'sim-node-1 Ready and untainted', ['node', 'sim-node-1'], (n) =>
      n.status?.conditions?.some((k: { type: string; status: string }) => k.type === 'Ready' && k.status === 'True') &&
      !(n.spec?.taints ?? []).some((t: { key: string }) => t.key.startsWith('node.kubernetes.io/')), 30_000)
    assert.equal(back.metadata.name, 'sim-node-1')
  })
})

describe('restart convergence (sqlite)', () => {
  let c: Cluster | undefined
  let first: Cluster | undefined
  after(async () => {
    await c?.stop()
    await first?.stop() // owns the data directory the second server used
  })

  it('after a restart every loop converges again without duplicate objects', async () => {
    c = await startCluster({ datastore: 'sqlite', extraArgs: ['--sim-nodes', '3'] })
    await c.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=3'])
    await c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: apps/v1', 'kind: StatefulSet', 'metadata: {name: db}', 'spec:', '  serviceName: db', '  replicas: 2',
      '  selector: {matchLabels: {app: db}}', '  template:', '    metadata: {labels: {app: db}}', '    spec: {containers: [{name: c, image: nginx}]}',
    ]) })
    await c.ok(['rollout', 'status', 'statefulset/db', '--timeout=60s'])
    const before = (await items(c, ['pods'])).map((p: Obj) => p.metadata.uid).sort()
    const dataDir = c.dataDir
    // Stop without removing the data directory, then start on it again.
    first = c
    c = undefined
    await first.kill()
    c = await startCluster({ datastore: 'sqlite', dataDir, extraArgs: ['--sim-nodes', '3'] })
    await c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])
    await c.ok(['rollout', 'status', 'statefulset/db', '--timeout=60s'])
    await new Promise((r) => setTimeout(r, 3000)) // give every loop time to act on stale state
    const pods = await items(c, ['pods'])
    assert.deepEqual(pods.map((p) => p.metadata.uid).sort(), before, 'the same pods, none added or replaced')
    assert.equal((await items(c, ['rs'])).length, 1)
    assert.equal((await items(c, ['controllerrevisions'])).length, 1)
    assert.equal((await items(c, ['nodes'])).length, 3)
    assert.ok(running(pods).length === 5)
    const d = await getJson(c, ['deploy', 'web'])
    assert.equal(d.status?.availableReplicas, 3)
  })
})

/**
 * The scheduler on three simulated nodes: upstream's FailedScheduling messages, node
 * selectors and affinity, pod anti-affinity, topology spread, taints and tolerations, host
 * ports, cordon, and drain waiting on a PodDisruptionBudget.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { poll, startCluster, type Cluster } from './harness.js'
import { getJson, items, running, waitFor, yamlOf, type Obj } from './workloads-helpers.js'

const pod = (name: string, ns: string, spec: string[], containers = '[{name: c, image: nginx}]') => yamlOf([
  'apiVersion: v1', 'kind: Pod', `metadata: {name: ${name}, namespace: ${ns}, labels: {app: ${name}}}`, 'spec:', ...spec,
  `  containers: ${containers}`,
])
const deployment = (name: string, ns: string, replicas: number, spec: string[]) => yamlOf([
  'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: ${name}, namespace: ${ns}}`, 'spec:', `  replicas: ${replicas}`,
  `  selector: {matchLabels: {app: ${name}}}`, '  template:', `    metadata: {labels: {app: ${name}}}`, '    spec:', ...spec.map((l) => `  ${l}`),
  '      containers: [{name: c, image: nginx}]',
])

describe('scheduling', () => {
  let c: Cluster
  before(async () => {
    c = await startCluster({ datastore: 'memory', extraArgs: ['--sim-nodes', '3'] })
  })
  after(() => c?.stop())

  const scheduledMessage = async (ns: string, name: string) => {
    const p = await waitFor(c, `${name} unschedulable`, ['pod', '-n', ns, name], (x) =>
      x.status?.conditions?.some((k: { type: string; reason?: string }) => k.type === 'PodScheduled' && k.reason === 'Unschedulable'))
    assert.equal(p.spec?.nodeName, undefined)
    return p.status?.conditions.find((k: { type: string }) => k.type === 'PodScheduled').message as string
  }
  const nodeOf = async (ns: string, name: string) =>
    (await waitFor(c, `${name} running`, ['pod', '-n', ns, name], (x) => x.status?.phase === 'Running')).spec?.nodeName as string

  it('a pod that fits no node stays Pending with upstream\'s FailedScheduling message', async () => {
    await c.ok(['create', 'ns', 'fit'])
    await c.ok(['apply', '-f', '-'], { input: pod('huge', 'fit', [], '[{name: c, image: nginx, resources: {requests: {cpu: "100"}}}]') })
    const msg = await scheduledMessage('fit', 'huge')
    // Upstream 1.31+: a request above every node's allocatable is unresolvable, so preemption cannot help.
    assert.equal(msg, '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..')
    await poll('FailedScheduling event', async () => {
      const out = await c.ok(['get', 'events', '-n', 'fit', '--field-selector', 'reason=FailedScheduling'])
      return out.includes('0/3 nodes are available: 3 Insufficient cpu.') ? true : undefined
    })
    await c.ok(['apply', '-f', '-'], { input: pod('nowhere', 'fit', ['  nodeSelector: {disk: none}']) })
    assert.equal(await scheduledMessage('fit', 'nowhere'),
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..")
    const described = await c.ok(['describe', 'pod', '-n', 'fit', 'nowhere'])
    assert.match(described, /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/3 nodes are available/)
  })

  it('honours nodeSelector and required and preferred node affinity', async () => {
    await c.ok(['create', 'ns', 'aff'])
    await c.ok(['label', 'node', 'sim-node-1', 'zone=a'])
    await c.ok(['apply', '-f', '-'], { input: pod('sel', 'aff', ['  nodeSelector: {zone: a}']) })
    assert.equal(await nodeOf('aff', 'sel'), 'sim-node-1')
    await c.ok(['apply', '-f', '-'], { input: pod('req', 'aff', [
      '  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [sim-node-2]}]}]}}}']) })
    assert.equal(await nodeOf('aff', 'req'), 'sim-node-2')
    for (const n of ['p1', 'p2', 'p3']) {
      await c.ok(['apply', '-f', '-'], { input: pod(n, 'aff', [
        '  affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, preference: {matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [sim-node-0]}]}}]}}']) })
      assert.equal(await nodeOf('aff', n), 'sim-node-0')
    }
    await c.ok(['label', 'node', 'sim-node-1', 'zone-'])
  })

  it('required pod anti-affinity on kubernetes.io/hostname: one per node, the fourth stays Pending', async () => {
    await c.ok(['create', 'ns', 'anti'])
    await c.ok(['apply', '-f', '-'], { input: deployment('solo', 'anti', 4, [
      '    affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: solo}}}]}}']) })
    await poll('3 running', async () => (running(await items(c, ['pods', '-n', 'anti'])).length === 3 ? true : undefined), 30_000)
    const pods = running(await items(c, ['pods', '-n', 'anti']))
    assert.equal(new Set(pods.map((p) => p.spec?.nodeName)).size, 3)
    const pending = await poll('the pending one', async () => (await items(c, ['pods', '-n', 'anti'])).find((p) =>
      p.status?.conditions?.some((k: { reason?: string }) => k.reason === 'Unschedulable')))
    assert.match(pending.status?.conditions.find((k: { type: string }) => k.type === 'PodScheduled').message,
      /^0\/3 nodes are available: 3 node\(s\) didn't match pod anti-affinity rules\. preemption: 0\/3 nodes are available: 3 No preemption victims found for incoming pod\.\.$/)
  })

  it('topology spread with maxSkew 1 over hostnames puts 2 pods on each node', async () => {
    await c.ok(['create', 'ns', 'spread'])
    await c.ok(['apply', '-f', '-'], { input: deployment('even', 'spread', 6, [
      '    topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: even}}}]']) })
    await poll('6 running', async () => (running(await items(c, ['pods', '-n', 'spread'])).length === 6 ? true : undefined), 30_000)
    const counts = new Map<string, number>()
    for (const p of running(await items(c, ['pods', '-n', 'spread']))) counts.set(p.spec?.nodeName, (counts.get(p.spec?.nodeName) ?? 0) + 1)
    assert.deepEqual([...counts.values()], [2, 2, 2])
  })

  it('taints keep pods off unless tolerated; host ports conflict', async () => {
    await c.ok(['create', 'ns', 'taint'])
    await c.ok(['taint', 'node', 'sim-node-0', 'team=db:NoSchedule'])
    const onNode0 = '  nodeSelector: {kubernetes.io/hostname: sim-node-0}'
    await c.ok(['apply', '-f', '-'], { input: pod('intolerant', 'taint', [onNode0]) })
    assert.equal(await scheduledMessage('taint', 'intolerant'),
      "0/3 nodes are available: 1 node(s) had untolerated taint {team: db}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..")
    await c.ok(['apply', '-f', '-'], { input: pod('tolerant', 'taint', [onNode0, '  tolerations: [{key: team, operator: Equal, value: db, effect: NoSchedule}]']) })
    assert.equal(await nodeOf('taint', 'tolerant'), 'sim-node-0')
    await c.ok(['taint', 'node', 'sim-node-0', 'team=db:NoSchedule-'])

    await c.ok(['create', 'ns', 'ports'])
    const hostPort = ['      containers: [{name: c, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}]']
    const dep = deployment('hp', 'ports', 4, []).replace('      containers: [{name: c, image: nginx}]', hostPort[0]!)
    await c.ok(['apply', '-f', '-'], { input: dep })
    await poll('3 running', async () => (running(await items(c, ['pods', '-n', 'ports'])).length === 3 ? true : undefined), 30_000)
    const pending = await poll('the fourth pending', async () => (await items(c, ['pods', '-n', 'ports'])).find((p) =>
      p.status?.conditions?.some((k: { reason?: string }) => k.reason === 'Unschedulable')))
    assert.match(pending.status?.conditions.find((k: { type: string }) => k.type === 'PodScheduled').message,
      /^0\/3 nodes are available: 3 node\(s\) didn't have free ports for the requested pod ports\./)
    await c.ok(['delete', 'ns', 'ports', 'anti', 'spread', 'aff', 'fit', 'taint', '--wait=false'])
  })

  it('a higher-priority pod preempts a lower-priority one when nothing else fits', async () => {
    await c.ok(['create', 'ns', 'prio'])
    await c.ok(['create', 'priorityclass', 'high', '--value=1000'])
    const big = (name: string, extra: string[] = []) => pod(name, 'prio', extra, '[{name: c, image: nginx, resources: {requests: {cpu: "30"}}}]')
    for (const n of ['low-0', 'low-1', 'low-2']) await c.ok(['apply', '-f', '-'], { input: big(n) })
    await poll('3 low pods running', async () => (running(await items(c, ['pods', '-n', 'prio'])).length === 3 ? true : undefined), 30_000)
    await c.ok(['apply', '-f', '-'], { input: big('vip', ['  priorityClassName: high']) })
    const vip = await waitFor(c, 'vip running', ['pod', '-n', 'prio', 'vip'], (p) => p.status?.phase === 'Running', 30_000)
    assert.equal(vip.spec?.priority, 1000)
    const left = running(await items(c, ['pods', '-n', 'prio']))
    assert.equal(left.length, 3, 'one low-priority pod made room')
    const events = await c.ok(['get', 'events', '-n', 'prio', '--field-selector', 'reason=Preempted'])
    assert.match(events, new RegExp(`Preempted by pod ${vip.metadata.uid} on node ${vip.spec?.nodeName}`))
    await c.ok(['delete', 'ns', 'prio', '--timeout=60s'])
    await c.ok(['delete', 'priorityclass', 'high'])
  })

  it('cordon stops placements; drain evicts and waits on a PodDisruptionBudget', async () => {
    await c.ok(['create', 'ns', 'drain'])
    await c.ok(['cordon', 'sim-node-0'])
    await c.ok(['cordon', 'sim-node-1'])
    await c.ok(['apply', '-f', '-'], { input: deployment('app', 'drain', 2, []) })
    await poll('2 running', async () => (running(await items(c, ['pods', '-n', 'drain'])).length === 2 ? true : undefined), 30_000)
    assert.deepEqual(running(await items(c, ['pods', '-n', 'drain'])).map((p) => p.spec?.nodeName), ['sim-node-2', 'sim-node-2'])
    assert.match(await c.ok(['get', 'node', 'sim-node-0']), /Ready,SchedulingDisabled/)
    await c.ok(['uncordon', 'sim-node-0'])
    await c.ok(['uncordon', 'sim-node-1'])
    await c.ok(['create', 'pdb', 'app', '-n', 'drain', '--selector=app=app', '--min-available=2'])
    await waitFor(c, 'pdb status', ['pdb', '-n', 'drain', 'app'], (p) => p.status?.currentHealthy === 2 && p.status?.disruptionsAllowed === 0)
    const blocked = await c.kubectl(['drain', 'sim-node-2', '--ignore-daemonsets', '--timeout=6s'])
    assert.notEqual(blocked.code, 0)
    assert.match(blocked.stderr + blocked.stdout, /Cannot evict pod as it would violate the pod's disruption budget/)
    assert.equal(running(await items(c, ['pods', '-n', 'drain'])).length, 2, 'the budget kept both pods')
    await c.ok(['patch', 'pdb', 'app', '-n', 'drain', '--type=merge', '-p', '{"spec":{"minAvailable":1}}'])
    await waitFor(c, 'one disruption allowed', ['pdb', '-n', 'drain', 'app'], (p) => p.status?.disruptionsAllowed === 1)
    const drained = await c.kubectl(['drain', 'sim-node-2', '--ignore-daemonsets', '--timeout=60s'])
    assert.equal(drained.code, 0, drained.stderr)
    assert.match(drained.stdout, /node\/sim-node-2 drained/)
    await poll('pods moved off sim-node-2', async () => {
      const pods = running(await items(c, ['pods', '-n', 'drain']))
      return pods.length === 2 && pods.every((p) => p.spec?.nodeName !== 'sim-node-2') ? true : undefined
    }, 60_000)
    const node = await getJson(c, ['node', 'sim-node-2'])
    assert.equal(node.spec?.unschedulable, true)
  })
})

export type { Obj }

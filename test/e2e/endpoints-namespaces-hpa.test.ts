/**
 * Loops around Services, namespaces and autoscaling on simulated nodes: Endpoints and
 * EndpointSlices list only ready pods with named ports resolved, deleting a namespace
 * empties it first, and an HPA scales on simulated usage that `kubectl top` also shows.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { poll, startCluster, type Cluster } from './harness.js'
import { getJson, items, running, waitFor, yamlOf, type Obj } from './workloads-helpers.js'

const app = (name: string, replicas: number, annotations = '{}', resources = '{}') => yamlOf([
  'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: ${name}}`, 'spec:', `  replicas: ${replicas}`,
  `  selector: {matchLabels: {app: ${name}}}`, '  template:', `    metadata: {labels: {app: ${name}}, annotations: ${annotations}}`, '    spec:',
  `      containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}], resources: ${resources}}]`,
])

describe('endpoints, namespaces, autoscaling', () => {
  let c: Cluster
  before(async () => {
    c = await startCluster({ datastore: 'memory', extraArgs: ['--sim-nodes', '3'] })
  })
  after(() => c?.stop())

  it('Endpoints and EndpointSlices list only ready pods and resolve named ports', async () => {
    await c.ok(['apply', '-f', '-'], { input: app('web', 2) })
    await c.ok(['apply', '-f', '-'], { input: yamlOf([
      'apiVersion: v1', 'kind: Pod', 'metadata: {name: warming, labels: {app: web}, annotations: {sim.kubelite.io/ready: "false"}}',
      'spec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 9090}]}]}',
    ]) })
    await c.ok(['expose', 'deployment', 'web', '--port=80', '--target-port=http'])
    await c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])
    const ready = running(await items(c, ['pods', '-l', 'app=web'])).filter((p) => p.metadata.name !== 'warming')
    const warming = await waitFor(c, 'warming has an IP', ['pod', 'warming'], (p) => !!p.status?.podIP)
    const ep = await waitFor(c, 'endpoints', ['endpoints', 'web'], (e) =>
      (e as Obj & { subsets?: { addresses?: unknown[] }[] }).subsets?.flatMap((s) => s.addresses ?? []).length === 2 &&
      (e as Obj & { subsets?: { notReadyAddresses?: unknown[] }[] }).subsets?.flatMap((s) => s.notReadyAddresses ?? []).length === 1)
    const subsets = (ep as Obj & { subsets: { addresses?: { ip: string }[]; notReadyAddresses?: { ip: string }[]; ports: { port: number }[] }[] }).subsets
    const readySubset = subsets.find((s) => s.addresses?.length)!
    assert.deepEqual(readySubset.addresses!.map((a) => a.ip).sort(), ready.map((p) => p.status?.podIP).sort())
    assert.deepEqual(readySubset.ports.map((p) => p.port), [8080])
    const notReady = subsets.find((s) => s.notReadyAddresses?.length)!
    assert.deepEqual(notReady.notReadyAddresses!.map((a) => a.ip), [warming.status?.podIP])
    assert.deepEqual(notReady.ports.map((p) => p.port), [9090], 'the named port resolves per pod')
    const slices = await items(c, ['endpointslices', '-l', 'kubernetes.io/service-name=web'])
    const eps = slices.flatMap((s) => (s as Obj & { endpoints: { addresses: string[]; conditions: { ready: boolean } }[] }).endpoints ?? [])
    assert.equal(eps.filter((e) => e.conditions.ready).length, 2)
    assert.equal(eps.filter((e) => !e.conditions.ready).length, 1)
    const described = await c.ok(['describe', 'svc', 'web'])
    const line = /Endpoints:\s+(.*)/.exec(described)?.[1] ?? ''
    for (const p of ready) assert.ok(line.includes(`${p.status?.podIP}:8080`), `describe shows ${p.status?.podIP}:8080 in "${line}"`)
    assert.ok(!line.includes(warming.status?.podIP), 'not-ready pod not listed')
  })

  it('deleting a namespace removes everything in it, then the namespace', async () => {
    await c.ok(['create', 'ns', 'doomed'])
    await c.ok(['create', 'deployment', 'x', '--image=nginx', '--replicas=2', '-n', 'doomed'])
    await c.ok(['create', 'configmap', 'cfg', '--from-literal=a=b', '-n', 'doomed'])
    await c.ok(['create', 'service', 'clusterip', 'x', '--tcp=80', '-n', 'doomed'])
    await poll('pods running', async () => (running(await items(c, ['pods', '-n', 'doomed'])).length === 2 ? true : undefined), 30_000)
    const sa = await getJson(c, ['serviceaccount', 'default', '-n', 'doomed'])
    assert.equal(sa.metadata.name, 'default')
    // The root CA publisher gives every namespace the cluster CA, as kube-controller-manager does.
    const ca = await waitFor<Obj & { data?: Record<string, string> }>(c, 'kube-root-ca.crt', ['configmap', 'kube-root-ca.crt', '-n', 'doomed'], () => true)
    const kubeconfigCA = /certificate-authority-data: (\S+)/.exec(readFileSync(c.kubeconfig, 'utf8'))?.[1] ?? ''
    assert.equal(ca.data?.['ca.crt'], Buffer.from(kubeconfigCA, 'base64').toString('utf8'))
    await c.ok(['delete', 'ns', 'doomed', '--timeout=60s'])
    const r = await c.kubectl(['get', 'ns', 'doomed'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /namespaces "doomed" not found/)
    for (const kind of ['pods', 'replicasets', 'deployments', 'configmaps', 'services', 'serviceaccounts']) {
      assert.equal((await items(c, [kind, '-n', 'doomed'])).length, 0, `${kind} left behind`)
    }
  })

  it('an HPA scales up on usage above target; get hpa and top show the figures', async () => {
    await c.ok(['apply', '-f', '-'], { input: app('busy', 2, '{sim.kubelite.io/cpu-usage: 80m}', '{requests: {cpu: 100m, memory: 64Mi}}') })
    await c.ok(['rollout', 'status', 'deployment/busy', '--timeout=60s'])
    await c.ok(['autoscale', 'deployment', 'busy', '--cpu-percent=50', '--min=2', '--max=5'])
    await waitFor(c, 'scaled up', ['hpa', 'busy'], (h) => (h.status?.desiredReplicas ?? 0) > 2, 60_000)
    const d = await waitFor(c, 'deployment scaled', ['deploy', 'busy'], (x) => (x.spec?.replicas ?? 0) > 2, 30_000)
    assert.ok(d.spec?.replicas <= 5)
    const table = await c.ok(['get', 'hpa', 'busy'])
    assert.match(table, /busy\s+Deployment\/busy\s+cpu: 80%\/50%\s+2\s+5\s+\d/)
    const top = await c.ok(['top', 'pods', '-l', 'app=busy'])
    assert.match(top, /NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/)
    assert.match(top, /busy-\S+\s+80m\s+\d+Mi/)
    const nodes = await c.ok(['top', 'nodes'])
    assert.match(nodes, /sim-node-0\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/)
  })
})

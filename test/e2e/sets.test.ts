/**
 * StatefulSets and DaemonSets on simulated nodes: ordered identities with their own claims
 * bound by the built-in local-path class, and one daemon pod per eligible node.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { poll, startCluster, type Cluster } from './harness.js'
import { getJson, isReady, items, running, startSimProcess, waitFor, watchPods, yamlOf, type Obj } from './workloads-helpers.js'

const statefulSet = yamlOf([
  'apiVersion: v1', 'kind: Service', 'metadata: {name: web}', 'spec:', '  clusterIP: None', '  selector: {app: web}', '  ports: [{port: 80, name: http}]',
  '---',
  'apiVersion: apps/v1', 'kind: StatefulSet', 'metadata: {name: web}', 'spec:', '  serviceName: web', '  replicas: 3',
  '  selector: {matchLabels: {app: web}}',
  '  template:', '    metadata: {labels: {app: web}}', '    spec:', '      containers:', '      - name: nginx', '        image: nginx',
  '        volumeMounts: [{name: data, mountPath: /data}]',
  '  volumeClaimTemplates:', '  - metadata: {name: data}', '    spec:', '      accessModes: [ReadWriteOnce]', '      resources: {requests: {storage: 1Gi}}',
])

describe('statefulsets', () => {
  let c: Cluster
  before(async () => {
    c = await startCluster({ datastore: 'memory', extraArgs: ['--sim-nodes', '3'] })
  })
  after(() => c?.stop())

  it('creates web-0, web-1, web-2 in order, each after the previous is Ready, with bound claims', async () => {
    const order: string[] = []
    const readyAt = new Map<string, number>()
    const createdAt = new Map<string, number>()
    const w = await watchPods(c, 'default', (type, p) => {
      if (type === 'ADDED' && !createdAt.has(p.metadata.name)) {
        createdAt.set(p.metadata.name, Date.now())
        order.push(p.metadata.name)
      }
      if (isReady(p) && !readyAt.has(p.metadata.name)) readyAt.set(p.metadata.name, Date.now())
    })
    try {
      await c.ok(['apply', '-f', '-'], { input: statefulSet })
      await c.ok(['rollout', 'status', 'statefulset/web', '--timeout=60s'])
    } finally {
      w.stop()
    }
    assert.deepEqual(order, ['web-0', 'web-1', 'web-2'])
    assert.ok(createdAt.get('web-1')! >= readyAt.get('web-0')!, 'web-1 after web-0 Ready')
    assert.ok(createdAt.get('web-2')! >= readyAt.get('web-1')!, 'web-2 after web-1 Ready')
    const pvcs = await waitFor<{ items: Obj[] }>(c, 'claims bound', ['pvc'], (l) => l.items.length === 3 && l.items.every((p) => p.status?.phase === 'Bound'))
    assert.deepEqual(pvcs.items.map((p) => p.metadata.name).sort(), ['data-web-0', 'data-web-1', 'data-web-2'])
    assert.ok(pvcs.items.every((p) => p.spec?.storageClassName === 'local-path'))
    const table = await c.ok(['get', 'pvc'])
    assert.match(table, /data-web-0\s+Bound\s+pvc-[0-9a-f-]+\s+1Gi\s+RWO\s+local-path/)
    const pod = await getJson(c, ['pod', 'web-1'])
    assert.equal(pod.spec?.hostname, 'web-1')
    assert.equal(pod.spec?.subdomain, 'web')
    assert.equal(pod.spec?.volumes.find((v: { name: string }) => v.name === 'data')?.persistentVolumeClaim?.claimName, 'data-web-1')
  })

  it('a deleted pod comes back with the same name and claim', async () => {
    const old = await getJson(c, ['pod', 'web-1'])
    await c.ok(['delete', 'pod', 'web-1'])
    const back = await waitFor(c, 'web-1 back and Ready', ['pod', 'web-1'], (p) => p.metadata.uid !== old.metadata.uid && isReady(p))
    assert.equal(back.spec?.volumes.find((v: { name: string }) => v.name === 'data')?.persistentVolumeClaim?.claimName, 'data-web-1')
  })

  it('scaling down removes the highest ordinal first', async () => {
    const gone: string[] = []
    const w = await watchPods(c, 'default', (type, p) => {
      if (type === 'DELETED') gone.push(p.metadata.name)
    })
    try {
      await c.ok(['scale', 'statefulset/web', '--replicas=1'])
      await poll('one pod left', async () => ((await items(c, ['pods', '-l', 'app=web'])).length === 1 ? true : undefined), 30_000)
    } finally {
      w.stop()
    }
    assert.deepEqual(gone, ['web-2', 'web-1'])
    assert.equal((await items(c, ['pvc'])).length, 3, 'claims are retained by default')
  })
})

const daemonSet = (name: string, extra: string[] = []) => yamlOf([
  'apiVersion: apps/v1', 'kind: DaemonSet', `metadata: {name: ${name}}`, 'spec:', `  selector: {matchLabels: {app: ${name}}}`,
  '  template:', `    metadata: {labels: {app: ${name}}}`, '    spec:', ...extra, '      containers: [{name: agent, image: busybox}]',
])

describe('daemonsets', () => {
  let c: Cluster
  let extra: Awaited<ReturnType<typeof startSimProcess>> | undefined
  before(async () => {
    c = await startCluster({ datastore: 'memory', extraArgs: ['--sim-nodes', '3'] })
  })
  after(async () => {
    await extra?.stop()
    await c?.stop()
  })

  const nodesOf = async (app: string) => running(await items(c, ['pods', '-l', `app=${app}`])).map((p) => p.spec?.nodeName as string).sort()

  it('puts one pod on each node, and follows a node that is added', async () => {
    await c.ok(['apply', '-f', '-'], { input: daemonSet('agent') })
    await poll('3 daemon pods', async () => ((await nodesOf('agent')).length === 3 ? true : undefined), 30_000)
    assert.deepEqual(await nodesOf('agent'), ['sim-node-0', 'sim-node-1', 'sim-node-2'])
    extra = await startSimProcess(c, ['--nodes', '1', '--name-prefix', 'extra-'])
    await poll('a pod on the new node', async () => ((await nodesOf('agent')).includes('extra-0') ? true : undefined), 30_000)
    assert.equal((await nodesOf('agent')).length, 4)
    const ds = await waitFor(c, 'status', ['ds', 'agent'], (d) => d.status?.numberReady === 4)
    assert.equal(ds.status?.desiredNumberScheduled, 4)
  })

  it('honours nodeSelector, and skips a tainted node unless tolerated', async () => {
    await c.ok(['label', 'node', 'sim-node-1', 'disk=ssd'])
    await c.ok(['apply', '-f', '-'], { input: daemonSet('ssd', ['      nodeSelector: {disk: ssd}']) })
    await poll('one ssd pod', async () => ((await nodesOf('ssd')).join() === 'sim-node-1' ? true : undefined), 30_000)
    await c.ok(['taint', 'node', 'sim-node-2', 'dedicated=db:NoSchedule'])
    await c.ok(['apply', '-f', '-'], { input: daemonSet('plain') })
    await c.ok(['apply', '-f', '-'], { input: daemonSet('tolerant', ['      tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]']) })
    await poll('plain pods', async () => ((await nodesOf('plain')).length === 3 ? true : undefined), 30_000)
    await poll('tolerant pods', async () => ((await nodesOf('tolerant')).length === 4 ? true : undefined), 30_000)
    assert.ok(!(await nodesOf('plain')).includes('sim-node-2'))
    assert.ok((await nodesOf('tolerant')).includes('sim-node-2'))
  })
})

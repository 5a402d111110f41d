/**
 * kubectl describe of a Pod, a Deployment, a Service and a Node, each with a core/v1 Event the
 * test creates about it, which must show under `Events:` (describe finds events with field
 * selectors on involvedObject). No controllers or scheduler run here, so each describe shows
 * exactly the one event the test wrote.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startCluster, type Cluster } from './harness.js'

/** RFC 3339 to the second, as metav1.Time is written. */
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z')

/** `kubectl describe`'s events table with exactly one event. */
function eventsBlock(reason: string, from: string, message: string): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  return new RegExp(
    '^Events:\\n' +
    '  Type {4}Reason +Age +From +Message\\n' +
    '  ---- {4}------ +---- +---- +-------\\n' +
    `  Normal {2}${esc(reason)} +\\d+s +${esc(from)} +${esc(message)}\\n?$`, 'm')
}

describe('kubectl describe shows events', () => {
  let c: Cluster
  let n = 0
  /** Creates a core/v1 Event about `obj` and returns nothing; describe must find it. */
  async function event(obj: { kind: string; apiVersion: string; name: string; namespace?: string }, reason: string, from: string, message: string) {
    const uid = await c.ok(['get', obj.kind.toLowerCase(), obj.name, ...(obj.namespace ? ['-n', obj.namespace] : []), '-o', 'jsonpath={.metadata.uid}'])
    assert.match(uid, /^[0-9a-f-]{36}$/)
    const t = now()
    const ev = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${obj.name}.${++n}`, namespace: obj.namespace ?? 'default' },
      involvedObject: { kind: obj.kind, apiVersion: obj.apiVersion, name: obj.name, namespace: obj.namespace ?? '', uid },
      reason, message, type: 'Normal', source: { component: from }, firstTimestamp: t, lastTimestamp: t, count: 1,
    }
    assert.equal(await c.ok(['create', '-f', c.file(`ev-${n}.json`, JSON.stringify(ev))]), `event/${obj.name}.${n} created\n`)
  }
  before(async () => { c = await startCluster({ extraArgs: ['--disable-controller-manager', '--disable-scheduler'] }) })
  after(() => c?.stop())

  it('pod', async () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: dp\n  labels: {app: dp}\nspec:\n  containers:\n  - name: c\n    image: busybox\n'
    await c.ok(['create', '-f', c.file('dp.yaml', pod)])
    await event({ kind: 'Pod', apiVersion: 'v1', name: 'dp', namespace: 'default' }, 'Scheduled', 'default-scheduler', 'Successfully assigned default/dp to node1')
    const out = await c.ok(['describe', 'pod', 'dp'])
    assert.match(out, /^Name: +dp$/m)
    assert.match(out, /^Namespace: +default$/m)
    assert.match(out, /^Labels: +app=dp$/m)
    assert.match(out, /^Status: +Pending$/m)
    assert.match(out, /^QoS Class: +BestEffort$/m)
    assert.match(out, /^ {4}Image: +busybox$/m)
    assert.match(out, eventsBlock('Scheduled', 'default-scheduler', 'Successfully assigned default/dp to node1'))
  })

  it('deployment', async () => {
    await c.ok(['create', 'deployment', 'web', '--image=nginx'])
    await event({ kind: 'Deployment', apiVersion: 'apps/v1', name: 'web', namespace: 'default' }, 'ScalingReplicaSet', 'deployment-controller', 'Scaled up replica set web-abc to 1')
    const out = await c.ok(['describe', 'deploy', 'web'])
    assert.match(out, /^Name: +web$/m)
    assert.match(out, /^Selector: +app=web$/m)
    assert.match(out, /^StrategyType: +RollingUpdate$/m)
    assert.match(out, /^MinReadySeconds: +0$/m)
    assert.match(out, /^RollingUpdateStrategy: +25% max unavailable, 25% max surge$/m)
    assert.match(out, eventsBlock('ScalingReplicaSet', 'deployment-controller', 'Scaled up replica set web-abc to 1'))
  })

  it('service', async () => {
    await c.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080'])
    await event({ kind: 'Service', apiVersion: 'v1', name: 'web', namespace: 'default' }, 'Synced', 'test-controller', 'Service web synced')
    const out = await c.ok(['describe', 'svc', 'web'])
    assert.match(out, /^Name: +web$/m)
    assert.match(out, /^Selector: +app=web$/m)
    assert.match(out, /^Type: +ClusterIP$/m)
    assert.match(out, /^Port: +80-8080 {2}80\/TCP$/m)
    assert.match(out, /^TargetPort: +8080\/TCP$/m)
    assert.match(out, eventsBlock('Synced', 'test-controller', 'Service web synced'))
  })

  it('node', async () => {
    const node = 'apiVersion: v1\nkind: Node\nmetadata:\n  name: node1\n  labels: {kubernetes.io/hostname: node1}\n'
    assert.equal(await c.ok(['create', '-f', c.file('node1.yaml', node)]), 'node/node1 created\n')
    await event({ kind: 'Node', apiVersion: 'v1', name: 'node1' }, 'Starting', 'kubelet', 'Starting kubelet.')
    const out = await c.ok(['describe', 'node', 'node1'])
    assert.match(out, /^Name: +node1$/m)
    assert.match(out, /^Labels: +kubernetes\.io\/hostname=node1$/m)
    assert.match(out, eventsBlock('Starting', 'kubelet', 'Starting kubelet.'))
  })

  it('an event about another object does not show', async () => {
    const out = await c.ok(['describe', 'pod', 'dp'])
    assert.doesNotMatch(out, /Starting kubelet|Service web synced|Scaled up replica set/)
  })
})

/**
 * Deployments on three simulated nodes, through the real kubectl: rollout, rolling update
 * within maxSurge/maxUnavailable (asserted over every watched pod state), history, undo,
 * pause/resume/restart, scaling, self-healing, and cascading deletion.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { poll, startCluster, type Cluster } from './harness.js'
import { getJson, isReady, items, running, waitFor, watchPods, type Obj } from './workloads-helpers.js'

describe('deployments', () => {
  let c: Cluster
  before(async () => {
    c = await startCluster({ datastore: 'memory', extraArgs: ['--sim-nodes', '3'] })
  })
  after(() => c?.stop())

  const webPods = async () => running(await items(c, ['pods', '-l', 'app=web']))

  it('creates 3 pods spread over the 3 nodes, and rollout status succeeds', async () => {
    await c.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=3'])
    const out = await c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])
    assert.match(out, /deployment "web" successfully rolled out/)
    const pods = await webPods()
    assert.equal(pods.length, 3)
    assert.ok(pods.every(isReady))
    assert.equal(new Set(pods.map((p) => p.spec?.nodeName)).size, 3, 'one pod per node')
    const rs = await items(c, ['rs', '-l', 'app=web'])
    assert.equal(rs.length, 1)
    assert.equal(rs[0]!.metadata.annotations?.['deployment.kubernetes.io/revision'], '1')
    assert.match(rs[0]!.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/)
    assert.equal(rs[0]!.metadata.labels?.['pod-template-hash'], rs[0]!.metadata.name.slice(4))
    const table = await c.ok(['get', 'deploy', 'web'])
    assert.match(table, /web\s+3\/3\s+3\s+3\s/)
    const d = await getJson(c, ['deploy', 'web'])
    assert.deepEqual(d.status?.conditions?.map((x: { type: string; reason: string }) => `${x.type}=${x.reason}`).sort(),
      ['Available=MinimumReplicasAvailable', 'Progressing=NewReplicaSetAvailable'])
    const described = await poll('the kubelet events', async () => {
      const out = await c.ok(['describe', 'pod', pods[0]!.metadata.name])
      return /Started\s+\S+\s+kubelet\s+Started container nginx/.test(out) ? out : undefined
    })
    assert.match(described, new RegExp(`Normal  Scheduled  \\S+\\s+default-scheduler  Successfully assigned default/${pods[0]!.metadata.name} to ${pods[0]!.spec?.nodeName}`))
    assert.match(described, /Normal {2}Pulled {5}\S+\s+kubelet\s+Container image "nginx" already present on machine/)
    assert.match(described, /Normal {2}Created {4}\S+\s+kubelet\s+Created container: nginx/)
    const events = await c.ok(['get', 'events', '--field-selector', 'involvedObject.name=web'])
    assert.match(events, /ScalingReplicaSet\s+deployment\/web\s+Scaled up replica set web-\w+ (from 0 )?to 3/)
  })

  it('set image rolls out without exceeding maxSurge or dropping below maxUnavailable', async () => {
    // replicas 3, 25%/25%: at most 4 pods, at least 3 available at every moment.
    let maxPods = 0
    let minReady = Infinity
    let started = false
    const w = await watchPods(c, 'default', (_t, _p, all) => {
      const live = [...all.values()].filter((p) => p.metadata.labels?.app === 'web' && !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
      maxPods = Math.max(maxPods, live.length)
      if (started) minReady = Math.min(minReady, live.filter(isReady).length)
    })
    try {
      await poll('watch to list the current pods', () => (w.pods.size >= 3 ? true : undefined))
      started = true
      await c.ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.27'])
      await c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])
    } finally {
      w.stop()
    }
    assert.ok(maxPods <= 4, `at most replicas+maxSurge = 4 pods, saw ${maxPods}`)
    assert.ok(minReady >= 3, `at least replicas-maxUnavailable = 3 ready, saw ${minReady}`)
    const pods = await webPods()
    assert.deepEqual(pods.map((p) => p.spec?.containers[0].image), ['nginx:1.27', 'nginx:1.27', 'nginx:1.27'])
  })

  it('rollout history lists revisions and undo restores the previous template', async () => {
    const history = await c.ok(['rollout', 'history', 'deployment/web'])
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/)
    await c.ok(['rollout', 'undo', 'deployment/web'])
    await c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])
    const d = await getJson(c, ['deploy', 'web'])
    assert.equal(d.spec?.template.spec.containers[0].image, 'nginx')
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3')
    await poll('old pods gone', async () => ((await webPods()).every((p) => p.spec?.containers[0].image === 'nginx') && (await webPods()).length === 3 ? true : undefined), 30_000)
    const rev2 = await c.ok(['rollout', 'history', 'deployment/web', '--revision=2'])
    assert.match(rev2, /nginx:1\.27/)
  })

  it('pause holds a template change, resume rolls it out, restart replaces every pod', async () => {
    await c.ok(['rollout', 'pause', 'deployment/web'])
    await c.ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.26'])
    await waitFor(c, 'Progressing=DeploymentPaused', ['deploy', 'web'], (d) => d.status?.conditions?.some((x: { reason: string }) => x.reason === 'DeploymentPaused'))
    assert.ok((await webPods()).every((p) => p.spec?.containers[0].image === 'nginx'), 'no rollout while paused')
    await c.ok(['rollout', 'resume', 'deployment/web'])
    await c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])
    await poll('pods on nginx:1.26', async () => {
      const pods = await webPods()
      return pods.length === 3 && pods.every((p) => p.spec?.containers[0].image === 'nginx:1.26') ? true : undefined
    }, 30_000)
    const before = new Set((await webPods()).map((p) => p.metadata.name))
    await c.ok(['rollout', 'restart', 'deployment/web'])
    await c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'])
    await poll('every pod replaced', async () => {
      const pods = await webPods()
      return pods.length === 3 && pods.every((p) => !before.has(p.metadata.name)) ? true : undefined
    }, 30_000)
  })

  it('scales 3 → 10 → 2', async () => {
    await c.ok(['scale', 'deployment/web', '--replicas=10'])
    await waitFor(c, '10 available', ['deploy', 'web'], (d) => d.status?.availableReplicas === 10 && d.status?.replicas === 10)
    assert.equal((await webPods()).length, 10)
    await c.ok(['scale', 'deployment/web', '--replicas=2'])
    await waitFor(c, '2 replicas', ['deploy', 'web'], (d) => d.status?.replicas === 2 && d.status?.availableReplicas === 2)
    await poll('2 pods left', async () => ((await webPods()).length === 2 ? true : undefined))
  })

  it('replaces a deleted pod', async () => {
    const [victim] = await webPods()
    await c.ok(['delete', 'pod', victim!.metadata.name])
    await poll('a replacement', async () => {
      const pods = (await webPods()).filter(isReady)
      return pods.length === 2 && !pods.some((p) => p.metadata.name === victim!.metadata.name) ? true : undefined
    }, 30_000)
  })

  it('a ReplicationController holds its count', async () => {
    await c.ok(['apply', '-f', '-'], { input: [
      'apiVersion: v1', 'kind: ReplicationController', 'metadata: {name: legacy}', 'spec:', '  replicas: 2', '  selector: {app: legacy}',
      '  template:', '    metadata: {labels: {app: legacy}}', '    spec: {containers: [{name: c, image: nginx}]}', '',
    ].join('\n') })
    await poll('2 pods', async () => (running(await items(c, ['pods', '-l', 'app=legacy'])).length === 2 ? true : undefined), 30_000)
    const [first] = running(await items(c, ['pods', '-l', 'app=legacy']))
    assert.equal(first!.metadata.ownerReferences?.[0]?.kind, 'ReplicationController')
    await c.ok(['delete', 'pod', first!.metadata.name])
    await poll('replaced', async () => {
      const pods = running(await items(c, ['pods', '-l', 'app=legacy']))
      return pods.length === 2 && !pods.some((p) => p.metadata.name === first!.metadata.name) ? true : undefined
    }, 30_000)
    assert.match(await c.ok(['get', 'rc', 'legacy']), /legacy\s+2\s+2\s+2\s/)
    await c.ok(['delete', 'rc', 'legacy'])
  })

  it('deleting a Deployment removes its ReplicaSets and pods; --cascade=orphan keeps them', async () => {
    await c.ok(['delete', 'deployment', 'web'])
    await poll('replicasets and pods gone', async () => {
      const rs = await items(c, ['rs', '-l', 'app=web'])
      const pods = await items(c, ['pods', '-l', 'app=web'])
      return rs.length === 0 && pods.length === 0 ? true : undefined
    }, 30_000)
    await c.ok(['create', 'deployment', 'kept', '--image=nginx', '--replicas=2'])
    await c.ok(['rollout', 'status', 'deployment/kept', '--timeout=60s'])
    await c.ok(['delete', 'deployment', 'kept', '--cascade=orphan'])
    await poll('deployment gone', async () => ((await items(c, ['deploy'])).some((d: Obj) => d.metadata.name === 'kept') ? undefined : true))
    const rs = await items(c, ['rs', '-l', 'app=kept'])
    assert.equal(rs.length, 1)
    assert.ok(!(rs[0]!.metadata.ownerReferences ?? []).some((o) => o.kind === 'Deployment'), 'orphaned ReplicaSet has no Deployment owner')
    await new Promise((r) => setTimeout(r, 1000))
    assert.equal(running(await items(c, ['pods', '-l', 'app=kept'])).length, 2, 'orphaned pods keep running')
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { KubeObject } from '../../api/index.js'
import { computeHash } from '../util/index.js'
import { cluster, webDeployment, type Cluster } from './testing.js'

const REVISION = 'deployment.kubernetes.io/revision'
const annotation = (rs: { metadata?: { annotations?: Record<string, string> } } | undefined, k: string) => rs?.metadata?.annotations?.[k]
const image = (c: Cluster, img: string) => c.edit((d) => (d.spec!.template.spec!.containers[0]!.image = img))

/** Settles and makes every pod ready until nothing changes. */
async function complete(c: Cluster) {
  for (let i = 0; i < 20; i++) {
    await c.settle()
    c.makeReady()
  }
  await c.settle()
}

describe('deployment controller', () => {
  it('creates its ReplicaSet at revision 1 and reports the rollout as kubectl rollout status reads it', async () => {
    const c = cluster([webDeployment({ replicas: 3 })])
    await c.settle()
    const [rs] = c.replicaSets()
    assert.equal(c.client.verbs()[0], 'create replicasets')
    assert.deepEqual(rs!.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }])
    assert.deepEqual(rs!.metadata?.annotations, {
      [REVISION]: '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
    })
    assert.equal(annotation(c.deployment(), REVISION), '1')
    assert.equal(c.recorder.events[0], `Normal ScalingReplicaSet Scaled up replica set ${rs!.metadata?.name} from 0 to 3`)
    assert.equal(c.deployment().status?.conditions?.find((x) => x.type === 'Available')?.reason, 'MinimumReplicasUnavailable')
    await complete(c)
    const { metadata, status } = c.deployment()
    assert.ok((status?.observedGeneration ?? 0) >= (metadata?.generation ?? 0))
    assert.deepEqual({ ...status, conditions: undefined }, {
      observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: undefined,
    })
    assert.deepEqual(status?.conditions?.map((x) => `${x.type} ${x.status} ${x.reason}: ${x.message}`), [
      'Available True MinimumReplicasAvailable: Deployment has minimum availability.',
      `Progressing True NewReplicaSetAvailable: ReplicaSet "${rs!.metadata?.name}" has successfully progressed.`,
    ])
  })

  it('rolls back to an old template by reusing its ReplicaSet under a new revision', async () => {
    const c = cluster([webDeployment({ replicas: 2 })])
    await complete(c)
    c.edit((d) => (d.metadata!.annotations = { ...d.metadata?.annotations, 'kubernetes.io/change-cause': 'to img:2' }))
    image(c, 'img:2')
    await complete(c)
    const [first, second] = c.replicaSets()
    assert.equal(annotation(second, 'kubernetes.io/change-cause'), 'to img:2') // `kubectl rollout history` reads it here
    // `kubectl rollout undo` copies revision 1's template back into the Deployment.
    image(c, 'img:1')
    await complete(c)
    assert.equal(c.replicaSets().length, 2, 'no ReplicaSet is created for a template seen before')
    const reused = c.replicaSets().find((rs) => rs.metadata?.uid === first!.metadata?.uid)!
    assert.equal(annotation(reused, REVISION), '3')
    assert.equal(annotation(reused, 'deployment.kubernetes.io/revision-history'), '1')
    assert.equal(annotation(c.deployment(), REVISION), '3')
    assert.equal(reused.spec?.replicas, 2)
    assert.ok(c.pods().every((p) => p.spec?.containers[0]?.image === 'img:1'))
  })

  it('keeps revisionHistoryLimit old ReplicaSets and deletes older empty ones', async () => {
    const c = cluster([webDeployment({ replicas: 1, revisionHistoryLimit: 1 })])
    await complete(c)
    image(c, 'img:2')
    await complete(c)
    image(c, 'img:3')
    await complete(c)
    assert.deepEqual(c.replicaSets().map((rs) => annotation(rs, REVISION)), ['2', '3'])
    assert.equal(c.client.verbs().filter((v) => v === 'delete replicasets').length, 1)
  })

  it('while paused neither rolls out nor times out, but scales; resuming rolls out', async () => {
    const c = cluster([webDeployment({ replicas: 2 })])
    await complete(c)
    c.edit((d) => (d.spec!.paused = true))
    await c.settle()
    assert.deepEqual([progressing()?.status, progressing()?.reason, progressing()?.message], ['Unknown', 'DeploymentPaused', 'Deployment is paused'])
    image(c, 'img:2')
    c.edit((d) => (d.spec!.replicas = 4))
    await complete(c)
    assert.equal(c.replicaSets().length, 1, 'no rollout while paused')
    assert.equal(c.replicaSets()[0]!.spec?.replicas, 4, 'scaling still applies')
    c.clock.ms += 3600_000
    await c.settle()
    assert.equal(progressing()?.reason, 'DeploymentPaused')
    c.edit((d) => (d.spec!.paused = false))
    await c.sync(c.loops[0]!)
    // Resumed is written first; the rollout it starts overwrites it in the same sync.
    const written = c.client.actions.filter((a) => a.verb === 'update' && a.resource === 'deployments/status')
      .map((a) => (a.body as Deployment).status?.conditions?.find((x) => x.type === 'Progressing')?.reason)
    const changes = written.filter((r, i) => r !== written[i - 1])
    assert.deepEqual(changes.slice(-2), ['DeploymentResumed', 'NewReplicaSetCreated'])
    await complete(c)
    assert.equal(c.replicaSets().length, 2)
    assert.equal(progressing()?.reason, 'NewReplicaSetAvailable')
    function progressing() {
      return c.deployment().status?.conditions?.find((x) => x.type === 'Progressing')
    }
  })

  it('scales a mid-rollout Deployment proportionally across its ReplicaSets', async () => {
    const c = cluster([webDeployment({ replicas: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } })])
    await complete(c)
    image(c, 'img:2') // the new pods never become ready: the rollout stalls at old 8, new 5
    await c.settle()
    const sizes = () => c.replicaSets().map((rs) => rs.spec?.replicas)
    assert.deepEqual(sizes(), [8, 5])
    const [old, cur] = c.replicaSets().map((rs) => rs.metadata?.name)
    c.recorder.events.length = 0
    c.edit((d) => (d.spec!.replicas = 15))
    await c.sync(c.loops[0]!)
    // 18 allowed (15 + surge 3) over 13: old 8·18/13 ≈ 11, new 5·18/13 ≈ 7.
    assert.deepEqual(sizes(), [11, 7])
    assert.deepEqual(c.recorder.events, [
      `Normal ScalingReplicaSet Scaled up replica set ${old} from 8 to 11`,
      `Normal ScalingReplicaSet Scaled up replica set ${cur} from 5 to 7`,
    ])
    assert.ok(c.replicaSets().every((rs) => annotation(rs, 'deployment.kubernetes.io/desired-replicas') === '15' && annotation(rs, 'deployment.kubernetes.io/max-replicas') === '18'))
  })

  it('adopts an orphan ReplicaSet running its template instead of creating one', async () => {
    const d = webDeployment({ replicas: 1 })
    const orphan: ReplicaSet & KubeObject = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: 'web-old', namespace: 'default', uid: 'uid-orphan', resourceVersion: '5', generation: 1, labels: { app: 'web', 'pod-template-hash': 'x' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'x' } }, template: { ...d.spec!.template, metadata: { labels: { app: 'web', 'pod-template-hash': 'x' } } } },
    }
    const c = cluster([d, orphan])
    await c.settle()
    assert.deepEqual(c.client.verbs().slice(0, 2), ['get deployments', 'patch replicasets'])
    assert.ok(!c.client.verbs().includes('create replicasets'))
    const [rs] = c.replicaSets()
    assert.equal(rs!.metadata?.ownerReferences?.[0]?.uid, 'uid-web')
    assert.equal(annotation(rs, REVISION), '1')
  })

  it('resolves a ReplicaSet name collision by counting it into the hash', async () => {
    const d = webDeployment({ replicas: 1 })
    const taken: ReplicaSet & KubeObject = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `web-${computeHash(d.spec!.template)}`, namespace: 'default', uid: 'uid-other', resourceVersion: '5', labels: { app: 'other' } },
      spec: { replicas: 0, selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } } } },
    }
    const c = cluster([d, taken])
    await assert.rejects(c.sync(c.loops[0]!), /already exists/)
    assert.equal(c.deployment().status?.collisionCount, 1)
    await c.settle()
    const ours = c.replicaSets().filter((rs) => rs.metadata?.uid !== 'uid-other')
    assert.deepEqual(ours.map((rs) => rs.metadata?.name), [`web-${computeHash(d.spec!.template, 1)}`])
  })

  it('refuses an empty selector with a SelectingAll warning', async () => {
    const c = cluster([webDeployment({ selector: {} })])
    await c.settle()
    assert.ok(c.recorder.events.length > 0)
    assert.ok(c.recorder.events.every((e) => e === 'Warning SelectingAll This deployment is selecting all pods. A non-empty selector is required.'))
    assert.equal(c.deployment().status?.observedGeneration, 1)
    assert.equal(c.replicaSets().length, 0)
  })
})

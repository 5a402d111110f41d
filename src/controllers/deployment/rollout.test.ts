import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { computeHash, isPodReady } from '../util/index.js'
import { resolveFenceposts } from './index.js'
import { cluster, webDeployment, type Cluster } from './testing.js'

/** Records the extremes of the pod population over every single pod change. */
function watchPods(c: Cluster) {
  const seen = { maxPods: 0, minReady: Infinity }
  c.informers.of<Pod>('v1', 'Pod').subscribe(() => {
    const pods = c.pods().filter((p) => !p.metadata?.deletionTimestamp)
    seen.maxPods = Math.max(seen.maxPods, pods.length)
    seen.minReady = Math.min(seen.minReady, pods.filter(isPodReady).length)
  })
  return seen
}

/** Settles, then lets the kubelet make `perStep` pods ready, until the rollout is done. */
async function rollOut(c: Cluster, perStep: number) {
  for (let i = 0; i < 100; i++) {
    await c.settle()
    const d = c.deployment()
    const s = d.status ?? {}
    const n = d.spec?.replicas ?? 1
    if ((s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && s.updatedReplicas === n && s.replicas === n && s.availableReplicas === n) return
    c.makeReady(perStep)
  }
  assert.fail('rollout did not finish')
}

describe('deployment rollouts', () => {
  it('resolves surge rounding up and unavailability rounding down, never both zero', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 10), [3, 2])
    assert.deepEqual(resolveFenceposts('25%', '25%', 3), [1, 0])
    assert.deepEqual(resolveFenceposts(0, '1%', 50), [0, 1])
    assert.deepEqual(resolveFenceposts('0%', '0%', 10), [0, 1])
    assert.deepEqual(resolveFenceposts(2, 1, 10), [2, 1])
  })

  for (const [replicas, maxSurge, maxUnavailable, surge, unavailable] of [
    [4, 1, 1, 1, 1], [10, '25%', '25%', 3, 2], [3, 0, 1, 0, 1], [5, '20%', 0, 1, 0],
  ] as const) {
    it(`rolls ${replicas} replicas with maxSurge ${maxSurge}, maxUnavailable ${maxUnavailable} within bounds`, async () => {
      const c = cluster([webDeployment({ replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } })])
      await rollOut(c, Infinity)
      const [first] = c.replicaSets()
      const seen = watchPods(c)
      c.edit((d) => (d.spec!.template.spec!.containers[0]!.image = 'img:2'))
      await rollOut(c, 1)
      assert.ok(seen.maxPods <= replicas + surge, `at most ${replicas + surge} pods, saw ${seen.maxPods}`)
      assert.ok(seen.minReady >= replicas - unavailable, `at least ${replicas - unavailable} ready, saw ${seen.minReady}`)
      const [old, cur] = c.replicaSets()
      assert.equal(old!.metadata?.uid, first!.metadata?.uid)
      assert.equal(old!.spec?.replicas, 0) // kept for history, scaled down
      assert.equal(cur!.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2')
      assert.equal(c.pods().length, replicas)
      assert.ok(c.pods().every((p) => p.spec?.containers[0]?.image === 'img:2'))
    })
  }

  it('takes its first rolling step by surging one up and one down', async () => {
    const c = cluster([webDeployment({ replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } })])
    await rollOut(c, Infinity)
    const oldName = c.replicaSets()[0]!.metadata!.name
    c.recorder.events.length = 0
    c.edit((d) => (d.spec!.template.spec!.containers[0]!.image = 'img:2'))
    await c.sync(c.loops[0]!)
    const newName = c.replicaSets()[1]!.metadata!.name
    assert.deepEqual(c.recorder.events, [
      `Normal ScalingReplicaSet Scaled up replica set ${newName} from 0 to 1`,
      `Normal ScalingReplicaSet Scaled down replica set ${oldName} from 4 to 3`,
    ])
  })

  it('does not surge past old pods their ReplicaSet controller has yet to delete', async () => {
    const c = cluster([webDeployment({ replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } })])
    await rollOut(c, Infinity)
    c.edit((d) => (d.spec!.template.spec!.containers[0]!.image = 'img:2'))
    await c.sync(c.loops[0]!) // new 0→1, old 4→3; the old RS still has 4 pods
    await c.sync(c.loops[0]!)
    assert.deepEqual(c.replicaSets().map((rs) => [rs.spec?.replicas, rs.status?.replicas ?? 0]), [[3, 4], [1, 0]])
    await c.settle() // the old pod goes; only then may the new RS grow
    assert.equal(c.replicaSets()[1]!.spec?.replicas, 2)
  })

  it('recreates: old pods all gone before any new one starts', async () => {
    const c = cluster([webDeployment({ replicas: 2, strategy: { type: 'Recreate' } })])
    await rollOut(c, Infinity)
    const oldHash = c.replicaSets()[0]!.metadata!.labels!['pod-template-hash']
    let overlap = false
    c.informers.of<Pod>('v1', 'Pod').subscribe(() => {
      const hashes = new Set(c.pods().map((p) => p.metadata?.labels?.['pod-template-hash']))
      if (hashes.size > 1 && hashes.has(oldHash)) overlap = true
    })
    c.edit((d) => (d.spec!.template.spec!.containers[0]!.image = 'img:2'))
    await rollOut(c, Infinity)
    assert.equal(overlap, false)
    const [old, cur] = c.replicaSets()
    assert.equal(old!.spec?.replicas, 0)
    assert.equal(cur!.spec?.replicas, 2)
    assert.ok(c.recorder.events.includes(`Normal ScalingReplicaSet Scaled down replica set ${old!.metadata!.name} from 2 to 0`))
    assert.ok(c.recorder.events.includes(`Normal ScalingReplicaSet Scaled up replica set ${cur!.metadata!.name} from 0 to 2`))
  })

  it('recreates only after terminating old pods have left', async () => {
    const c = cluster([webDeployment({ replicas: 1, strategy: { type: 'Recreate' } })])
    await rollOut(c, Infinity)
    // A graceful deletion in progress: the kubelet has not finished with the old pod yet.
    const [old] = c.pods()
    const deleteFn = c.client.delete.bind(c.client)
    c.client.delete = async (kind, name, ns, opts) => {
      if (kind.kind !== 'Pod') return deleteFn(kind, name, ns, opts)
      const p = c.pods().find((x) => x.metadata?.name === name)!
      c.informers.set({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:30Z', resourceVersion: '900' } } as never)
      return p as never
    }
    c.edit((d) => (d.spec!.template.spec!.containers[0]!.image = 'img:2'))
    await c.settle()
    assert.equal(c.replicaSets().length, 1, 'no new ReplicaSet while an old pod is terminating')
    c.informers.remove(c.pods().find((p) => p.metadata?.uid === old!.metadata?.uid) as never)
    await c.settle()
    assert.equal(c.replicaSets().length, 2)
    assert.equal(c.replicaSets()[1]!.spec?.replicas, 1)
  })

  it('reports ProgressDeadlineExceeded once the deadline passes without progress', async () => {
    const c = cluster([webDeployment({ replicas: 2, progressDeadlineSeconds: 60 })])
    await c.settle()
    const rs = c.replicaSets()[0]!
    const progressing = () => c.deployment().status?.conditions?.find((x) => x.type === 'Progressing')
    assert.equal(progressing()?.reason, 'ReplicaSetUpdated')
    assert.equal(progressing()?.message, `ReplicaSet "${rs.metadata?.name}" is progressing.`)
    // Nothing changes: the controller asks to come back when the deadline is due.
    const r = await c.sync(c.loops[0]!)
    assert.deepEqual(r, { requeueAfterMs: 61_000 })
    c.clock.ms += 61_000
    await c.sync(c.loops[0]!)
    assert.deepEqual({ ...progressing(), lastUpdateTime: undefined, lastTransitionTime: undefined }, {
      type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${rs.metadata?.name}" has timed out progressing.`, lastUpdateTime: undefined, lastTransitionTime: undefined,
    })
    // Late readiness completes the rollout after all.
    c.makeReady()
    await c.settle()
    assert.equal(progressing()?.reason, 'NewReplicaSetAvailable')
  })

  it('names the ReplicaSet by the template hash, as the pod-template-hash label', async () => {
    const d = webDeployment()
    const c = cluster([d])
    await c.settle()
    const hash = computeHash(d.spec!.template)
    const [rs] = c.replicaSets()
    assert.equal(rs!.metadata?.name, `web-${hash}`)
    assert.deepEqual(rs!.spec?.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } })
    assert.deepEqual(rs!.spec?.template?.metadata?.labels, { app: 'web', 'pod-template-hash': hash })
    assert.ok(c.pods().every((p) => p.metadata?.labels?.['pod-template-hash'] === hash))
  })
})

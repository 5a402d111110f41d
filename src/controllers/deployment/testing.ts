/**
 * @module
 * Test fixtures for the Deployment controller: a defaulted Deployment, and a fake cluster
 * that runs it together with the ReplicaSet controller, with a kubelet stand-in that makes
 * pods Ready on request.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { copy, type Cached, type Editable, type KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import type { Controller } from '../../client/types.js'
import { replicaSetController } from '../replicaset/index.js'
import { isPodReady, rfc3339 } from '../util/index.js'
import { deploymentController } from './index.js'

export type DeploymentOptions = Partial<NonNullable<Deployment['spec']>>

/** Deployment `web` in `default` as the API server stores it after defaulting. */
export function webDeployment(spec: DeploymentOptions = {}): Deployment & KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: 1, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      replicas: 3, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } },
      ...spec,
    },
  }
}

/** A fake cluster running the Deployment and ReplicaSet loops over `objects`. */
export function cluster(objects: KubeObject[] = [webDeployment()]) {
  const f = fakeContext(objects)
  const loops = [deploymentController(f.ctx), replicaSetController(f.ctx)]
  const queues = loops.map((c) => ({ c, keys: new Set<string>() }))
  for (const q of queues) for (const t of q.c.triggers) t.subscribe((k) => q.keys.add(k))
  const deployments = f.informers.of<Deployment>('apps/v1', 'Deployment')
  const replicaSets = f.informers.of<ReplicaSet>('apps/v1', 'ReplicaSet')
  const podInformer = f.informers.of<Pod>('v1', 'Pod')
  const results: { loop: string; key: string; result: unknown }[] = []
  const h = {
    ...f, loops, results,
    deployment: (name = 'web') => deployments.get(`default/${name}`)!,
    /** The ReplicaSets, by revision. */
    replicaSets: () => replicaSets.list('default').sort((a, b) =>
      Number(a.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0) - Number(b.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0)),
    pods: () => podInformer.list('default'),
    /** Syncs whatever the triggers queued, both loops, until nothing is left (or `rounds` passes). */
    async settle(rounds = 50) {
      for (let i = 0; i < rounds; i++) {
        const work = queues.flatMap((q) => [...q.keys].map((k) => ({ q, k })))
        if (!work.length) return
        for (const q of queues) q.keys.clear()
        for (const { q, k } of work) results.push({ loop: q.c.name, key: k, result: await sync(q.c, k) })
      }
    },
    /** Syncs one key of one loop now. */
    sync: (c: Controller, key = 'default/web') => sync(c, key),
    /** Edits the Deployment as a user would: the API server bumps generation on spec changes. */
    edit(change: (d: Editable<Deployment>) => void, name = 'web') {
      const d = copy(h.deployment(name))
      change(d)
      d.metadata!.generation = (d.metadata?.generation ?? 0) + 1
      d.metadata!.resourceVersion = String(Number(d.metadata!.resourceVersion) + 1)
      f.informers.set(d as KubeObject)
    },
    /** The kubelet: `n` not-ready pods (all by default) become Running and Ready now. */
    makeReady(n = Infinity) {
      for (const p of h.pods().filter((x) => !isPodReady(x)).slice(0, n)) ready(p, f.clock.ms)
    },
  }
  function ready(p: Cached<Pod>, sinceMs: number) {
    const next = copy(p)
    next.spec = { ...next.spec!, nodeName: 'node-1' }
    next.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(sinceMs) }] }
    next.metadata!.resourceVersion = String(Number(next.metadata!.resourceVersion ?? 0) + 1)
    f.informers.set(next as KubeObject)
  }
  async function sync(c: Controller, key: string) {
    return c.sync(key, AbortSignal.timeout(5_000))
  }
  return h
}
export type Cluster = ReturnType<typeof cluster>

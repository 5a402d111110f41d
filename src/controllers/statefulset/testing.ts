/**
 * @module
 * Test fixtures for the StatefulSet controller: a defaulted set `web` in `default`, a fake
 * context around it, and a kubelet stand-in that marks pods Running and Ready.
 */
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js'
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js'
import { copy, type KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { rfc3339 } from '../util/index.js'
import { statefulSetController } from './controller.js'

export type SetOptions = Partial<NonNullable<StatefulSet['spec']>>

/** A StatefulSet as the API server stores it after defaulting. */
export function webSet(spec: SetOptions = {}): StatefulSet & KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: 1, resourceVersion: '1' },
    spec: {
      replicas: 3, serviceName: 'web', podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
    status: { replicas: 0, availableReplicas: 0 },
  }
}

/** A fake cluster holding `set`, its controller, and helpers to drive it. */
export function harness(set: StatefulSet & KubeObject = webSet()) {
  const f = fakeContext([set])
  const controller = statefulSetController(f.ctx)
  const podInformer = f.informers.of<Pod>('v1', 'Pod')
  const key = `${set.metadata!.namespace}/${set.metadata!.name}`
  const h = {
    ...f, controller,
    sync: () => controller.sync(key, AbortSignal.timeout(5_000)),
    set: () => f.informers.of<StatefulSet>('apps/v1', 'StatefulSet').get(key)!,
    pods: () => podInformer.list('default').map((p) => p.metadata!.name!).sort(),
    pod: (name: string) => podInformer.get(`default/${name}`),
    claims: () => f.informers.of<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim').list('default'),
    revisions: () => f.informers.of<ControllerRevision>('apps/v1', 'ControllerRevision').list('default'),
    /** What a kubelet would report once the pod's containers pass their readiness probes. */
    ready(...names: string[]) {
      for (const name of names) {
        const pod = copy(h.pod(name)!)
        pod.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(f.clock.ms) }] }
        f.informers.set(pod as KubeObject)
      }
    },
    /** Changes the set's spec as `kubectl apply` would (generation bumped). */
    edit(fn: (s: StatefulSet) => void) {
      const s = copy(h.set())
      fn(s as StatefulSet)
      s.metadata!.generation = (s.metadata!.generation ?? 1) + 1
      f.informers.set(s as KubeObject)
    },
    /** Syncs, marking every pod ready after each round, until nothing more is written. */
    async settle(rounds = 20) {
      for (let i = 0; i < rounds; i++) {
        const before = f.client.actions.length
        await h.sync()
        const starting = h.pods().filter((n) => h.pod(n)?.status?.phase !== 'Running' && !h.pod(n)?.metadata?.deletionTimestamp)
        h.ready(...starting)
        if (f.client.actions.length === before && starting.length === 0) return
      }
      throw new Error('did not settle')
    },
    writes: () => f.client.verbs().filter((v) => !v.startsWith('get ') && !v.startsWith('list ')),
  }
  return h
}

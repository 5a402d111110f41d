/**
 * @module
 * Test fixtures for the DaemonSet controller: nodes, a defaulted DaemonSet `ds`, a fake
 * context with the controller's triggers connected (so expectations see the pod events), and
 * stand-ins for the scheduler (bind to the affinity's node) and the kubelet (mark Ready).
 */
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js'
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js'
import { copy, type KubeObject } from '../../api/index.js'
import { fakeContext } from '../../client/testing.js'
import { rfc3339 } from '../util/index.js'
import { daemonSetController } from './controller.js'
import { targetNodeName } from './node-eligibility.js'

export function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node & KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}`, resourceVersion: '1', labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: { taints } }
}

/** A DaemonSet as the API server stores it after defaulting. */
export function daemonSet(spec: Partial<NonNullable<DaemonSet['spec']>> = {}): DaemonSet & KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'ds', namespace: 'default', uid: 'uid-ds', generation: 1, resourceVersion: '1',
      annotations: { 'deprecated.daemonset.template.generation': '1' } },
    spec: {
      selector: { matchLabels: { app: 'ds' } }, revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: { metadata: { labels: { app: 'ds' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } },
      ...spec,
    },
    status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 },
  }
}

export function harness(ds: DaemonSet & KubeObject, nodes: (Node & KubeObject)[]) {
  const f = fakeContext([ds, ...nodes])
  const controller = daemonSetController(f.ctx)
  const enqueued: string[] = []
  for (const t of controller.triggers) t.subscribe((k) => enqueued.push(k))
  const podInformer = f.informers.of<Pod>('v1', 'Pod')
  const h = {
    ...f, controller, enqueued,
    sync: () => controller.sync('default/ds', AbortSignal.timeout(5_000)),
    ds: () => f.informers.of<DaemonSet>('apps/v1', 'DaemonSet').get('default/ds')!,
    pods: () => podInformer.list('default'),
    /** Node name → images of the daemon pods targeting it. */
    placement() {
      const out: Record<string, string[]> = {}
      for (const p of h.pods()) (out[targetNodeName(p) ?? '?'] ??= []).push(p.spec!.containers[0]!.image!)
      for (const v of Object.values(out)) v.sort()
      return out
    },
    revisions: () => f.informers.of<ControllerRevision>('apps/v1', 'ControllerRevision').list('default'),
    /** The scheduler and the kubelet: bind each pod to its affinity's node, report it Running and Ready. */
    run(...names: string[]) {
      for (const p of h.pods()) {
        if (names.length && !names.includes(p.metadata!.name!)) continue
        if (p.status?.phase === 'Running') continue
        const pod = copy(p)
        pod.spec!.nodeName = targetNodeName(p)
        pod.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(f.clock.ms) }] }
        f.informers.set(pod as KubeObject)
      }
    },
    /** A template edit as the API server records it: generation and template generation bumped. */
    editTemplate(image: string) {
      const d = copy(h.ds())
      d.spec!.template.spec!.containers[0]!.image = image
      d.metadata!.generation = (d.metadata!.generation ?? 1) + 1
      const tg = Number(d.metadata!.annotations!['deprecated.daemonset.template.generation']) + 1
      d.metadata!.annotations = { ...d.metadata!.annotations, 'deprecated.daemonset.template.generation': String(tg) }
      f.informers.set(d as KubeObject)
    },
    /** Syncs and runs every pod until a sync writes nothing. */
    async settle(rounds = 30) {
      for (let i = 0; i < rounds; i++) {
        const before = f.client.actions.length
        await h.sync()
        const starting = h.pods().filter((p) => p.status?.phase !== 'Running').length
        h.run()
        if (f.client.actions.length === before && starting === 0) return
      }
      throw new Error('did not settle')
    },
  }
  return h
}

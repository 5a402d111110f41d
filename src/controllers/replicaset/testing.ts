/**
 * @module
 * Test fixtures for the replica manager and the loops built over it: a defaulted ReplicaSet,
 * a kubelet stand-in that marks pods Ready, and a queue that collects what triggers enqueue.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { copy, type Cached, type KubeObject } from '../../api/index.js'
import type { Controller } from '../../client/types.js'
import type { FakeInformers } from '../../client/testing.js'
import { rfc3339 } from '../util/index.js'

export type RSOptions = Partial<NonNullable<ReplicaSet['spec']>>

/** A ReplicaSet `name` in `default` selecting `app=<name>`, as the API server stores it. */
export function replicaSet(name: string, spec: RSOptions = {}): ReplicaSet & KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } },
      ...spec,
    },
    status: { replicas: 0 },
  }
}

/** A pod as a user or another controller left it (no owner unless given). */
export function pod(name: string, labels: Record<string, string>, extra: Partial<Pod> = {}): Pod & KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1', labels, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { containers: [{ name: 'c', image: 'img:1' }] },
    ...extra,
  } as Pod & KubeObject
}

/** The pods in `default`, oldest name first. */
export const podsOf = (informers: FakeInformers) =>
  informers.of<Pod>('v1', 'Pod').list('default').sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!))

/** What a kubelet reports: scheduled, Running, and Ready since `sinceMs`. */
export function markReady(informers: FakeInformers, p: Cached<Pod>, sinceMs: number) {
  const next = copy(p)
  next.spec = { ...next.spec!, nodeName: next.spec?.nodeName ?? 'node-1' }
  next.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(sinceMs) }] }
  next.metadata!.resourceVersion = String(Number(next.metadata!.resourceVersion ?? 0) + 1)
  informers.set(next as KubeObject)
}

/** Subscribes `c`'s triggers (as runController would) and collects the keys they enqueue. */
export function queueOf(c: Controller) {
  const keys = new Set<string>()
  const unsubscribe = c.triggers.map((t) => t.subscribe((k) => keys.add(k)))
  return {
    keys,
    /** Syncs every queued key until the queue stays empty (at most `rounds` passes). */
    async drain(rounds = 20) {
      for (let i = 0; i < rounds && keys.size; i++) {
        const batch = [...keys]
        keys.clear()
        for (const k of batch) await c.sync(k, AbortSignal.timeout(5_000))
      }
    },
    close: () => unsubscribe.forEach((u) => u()),
  }
}

/**
 * @module
 * Creating daemon pods on the nodes that lack one and deleting the ones that must go, with
 * expectations set first (the informer lags our writes) and creates batched 1, 2, 4, ... so a
 * failing create is not repeated for every node.
 */
// Upstream: pkg/controller/daemon/daemon_controller.go (syncNodes), util/daemonset_util.go
// (CreatePodTemplate) and pkg/controller/controller_utils.go (RealPodControl events,
// SlowStartInitialBatchSize).
import type { DaemonSet } from 'kubernetes-types/apps/v1.js'
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { copy, isNotFound, isStatusError, type Cached, type KubeObject } from '../../api/index.js'
import type { Client, EventRecorder } from '../../client/types.js'
import { podFromTemplate } from '../util/index.js'
import type { Expectations } from '../../client/index.js'
import { DAEMONSET_TEMPLATE_GENERATION_KEY, DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY, templateGeneration } from './history.js'
import { nodeNameAffinity, withDaemonTolerations } from './node-eligibility.js'

/** At most this many creates (and deletes) per sync. */
export const BURST_REPLICAS = 250
const POD = { apiVersion: 'v1', kind: 'Pod' }

/** What one sync of one DaemonSet writes with. */
export type DaemonSyncContext = {
  client: Client
  recorder: EventRecorder
  expectations: Expectations
  key: string
  ds: Cached<DaemonSet>
  hash: string
  signal?: AbortSignal
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))
const namespaceTerminating = (err: unknown) =>
  isStatusError(err) && (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')

/** The template new daemon pods are made from: daemon tolerations, and the generation and hash labels. */
export function daemonPodTemplate(ds: Cached<DaemonSet>, hash: string): PodTemplateSpec {
  const t = copy(ds.spec?.template ?? {}) as PodTemplateSpec
  t.spec = { ...t.spec!, tolerations: withDaemonTolerations(ds.spec?.template?.spec) }
  const generation = templateGeneration(ds)
  t.metadata = { ...t.metadata, labels: {
    ...t.metadata?.labels,
    ...(generation !== undefined ? { [DAEMONSET_TEMPLATE_GENERATION_KEY]: String(generation) } : {}),
    ...(hash ? { [DEFAULT_DAEMONSET_UNIQUE_LABEL_KEY]: hash } : {}),
  } }
  return t
}

/** Deletes `podsToDelete` and creates a daemon pod bound (by node affinity) to each of `nodes`. */
export async function syncNodes(c: DaemonSyncContext, podsToDelete: readonly string[], nodes: readonly string[]): Promise<void> {
  const { client, recorder, expectations, key, ds, signal } = c
  const createDiff = Math.min(nodes.length, BURST_REPLICAS)
  const deleteDiff = Math.min(podsToDelete.length, BURST_REPLICAS)
  // Before writing: the informer may show our pods before the writes below resolve.
  expectations.setExpectations(key, createDiff, deleteDiff)
  const errors: unknown[] = []
  const template = daemonPodTemplate(ds, c.hash)
  const owner = ds as Cached<KubeObject>

  async function createOn(node: string): Promise<void> {
    const pod = podFromTemplate(template, owner, `${ds.metadata?.name}-`)
    pod.spec = { ...pod.spec!, affinity: nodeNameAffinity(template.spec?.affinity, node) }
    try {
      const created = await client.create(pod as Pod & KubeObject, { signal })
      recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`)
    } catch (err) {
      expectations.creationObserved(key)
      // Every create fails the same way in a namespace being deleted: nothing worth reporting.
      if (namespaceTerminating(err)) return
      recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${message(err)}`)
      throw err
    }
  }

  for (let pos = 0, batch = Math.min(createDiff, 1); batch > 0; pos += batch, batch = Math.min(2 * batch, createDiff - pos)) {
    const results = await Promise.allSettled(nodes.slice(pos, pos + batch).map(createOn))
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))
    if (!failed.length) continue
    errors.push(...failed)
    // Pods never attempted will not show up: stop waiting for them; the next sync retries.
    expectations.lowerExpectations(key, createDiff - (pos + batch), 0)
    break
  }

  await Promise.all(podsToDelete.slice(0, deleteDiff).map(async (name) => {
    try {
      await client.delete(POD, name, ds.metadata?.namespace, { signal })
      recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`)
    } catch (err) {
      expectations.deletionObserved(key)
      if (isNotFound(err)) return
      recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${message(err)}`)
      errors.push(err)
    }
  }))
  if (errors.length === 1) throw errors[0]
  if (errors.length) throw new AggregateError(errors, errors.map(message).join('; '))
}

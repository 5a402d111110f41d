/**
 * @module
 * Creating and deleting a controller's pods, with the events `kubectl describe` shows for
 * each, and upstream's slow-start batching so a failing create is not repeated 500 times.
 */
// Upstream: pkg/controller/controller_utils.go (RealPodControl.CreatePods/DeletePod,
// SlowStartInitialBatchSize) and pkg/controller/replicaset/replica_set.go (slowStartBatch).
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js'
import { isNotFound, isStatusError, type Cached, type KubeObject } from '../../api/index.js'
import type { Client, EventRecorder } from '../../client/types.js'
import { podFromTemplate } from '../util/index.js'

export const SLOW_START_INITIAL_BATCH_SIZE = 1

/** True for the error a create gets in a namespace being deleted: nothing to report or retry. */
export const isNamespaceTerminating = (err: unknown) =>
  isStatusError(err) && (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')

/** Creates one pod from `template` owned by `owner`, named `<owner>-<random>`. */
export async function createPod(client: Client, recorder: EventRecorder, template: Cached<PodTemplateSpec> | undefined, owner: Cached<KubeObject>): Promise<void> {
  const pod = podFromTemplate(template, owner, `${owner.metadata?.name}-`)
  if (!Object.keys(pod.metadata?.labels ?? {}).length) throw new Error('unable to create pods, no labels')
  let created: Pod
  try {
    created = await client.create(pod as Pod & KubeObject)
  } catch (err) {
    // Creates in a terminating namespace all fail the same way; upstream stays quiet about them.
    if (!isNamespaceTerminating(err)) recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${message(err)}`)
    throw err
  }
  recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`)
}

/** Deletes one pod; a NotFound is rethrown as is (the caller treats it as done). */
export async function deletePod(client: Client, recorder: EventRecorder, namespace: string | undefined, name: string, owner: Cached<KubeObject>): Promise<void> {
  try {
    await client.delete({ apiVersion: 'v1', kind: 'Pod' }, name, namespace)
  } catch (err) {
    if (isNotFound(err)) throw err
    recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${message(err)}`)
    throw new Error(`unable to delete pods: ${message(err)}`, { cause: err })
  }
  recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`)
}

/**
 * Calls `fn` `count` times in batches of 1, 2, 4, ... run concurrently; stops after the first
 * batch with a failure. Resolves with the number of successes and the first error.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count
  let successes = 0
  for (let size = Math.min(remaining, initialBatchSize); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn()))
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    successes += size - failed.length
    if (failed.length) return { successes, error: failed[0]!.reason }
    remaining -= size
  }
  return { successes }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))
